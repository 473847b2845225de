"""News pages in kl.dk's markup, read as a subscriber reads them: the excerpt in the mail and
the archive, and the feed entry. Each test names the page its words come from, or says that its
text is invented (the held-out evaluation pages are never a fixture's source)."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser

from notifier import feed_entries, feeds, resources, templates
from notifier.extract import extract
from notifier.models import Council, Document, ItemSnapshot
from notifier.prose import authored_lines
from notifier.render import excerpt, shorten
from notifier.split import split


def article(url: str, hero: str, body: str, council: Council) -> Document:
    """A kl.dk article: tags, date line, title and lead in the hero, the text after it."""
    html = (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Nyhed | KL</title>'
        '</head><body><header class="site-header"><a href="/">KL</a></header><main id="indhold">'
        '<div class="page-hero"><div class="page-hero__tags"><a href="/politik/kkr">KKR</a></div>'
        f'{hero}</div><div class="page-body">{body}</div></main>'
        "<footer><p>KL · Weidekampsgade 10</p></footer></body></html>"
    )
    return extract(html.encode(), url=url, content_type="text/html", council=council)


def shown(document: Document) -> list[tuple[str, str]]:
    """Each item as a digest shows it: its title and its excerpt."""
    return [
        (item.title, excerpt(item.title, item.text, lines=authored_lines(document.url)))
        for item in split(document)
    ]


# Invented text (no real page): two news articles whose leads end without a full stop, as
# kl.dk's leads often do, and hold three dates or years.
ARTICLES = "https://kkr.example/nyhed/2026"


def test_a_lead_without_a_full_stop_does_not_run_into_the_text_for_holding_years() -> None:
    """A sentence holding three numbers is no table's row ("Holbæk 8.137 5.369"): it ends
    where its paragraph ends, and the next sentence starts on its own."""
    cases = [
        (
            f"{ARTICLES}/marts/nyt-formandskab-i-kkr-midtjylland/",
            "Nyt formandskab i KKR Midtjylland",
            "På sit første møde tirsdag den 10. marts 2026 har KKR Midtjylland valgt formand "
            "og næstformand for årene 2026-2029",
            "Formanden er borgmester i en af regionens mellemstore kommuner.",
            Council.MIDTJYLLAND,
        ),
        (
            f"{ARTICLES}/maj/ny-praksisplan-2027-2030/",
            "Ny praksisplan 2027-2030",
            "KKR Hovedstaden drøftede udkastet til praksisplanen for 2027-2030, før den sendes i "
            "høring i efteråret 2026",
            "Rådet bad om et tydeligere afsnit om lægedækning i yderområderne.",
            Council.HOVEDSTADEN,
        ),
    ]
    for url, title, lead, text, council in cases:
        hero = f"<p>12. maj 2026</p><h1>{title}</h1><p>{lead}</p>"
        [(heading, shown_text)] = shown(article(url, hero, f"<p>{text}</p>", council))
        assert heading == title
        assert shown_text.startswith(f"{lead}. {text.split()[0]} "), shown_text


def feed_html(document: Document) -> list[str]:
    """Each item's entry in the Atom feed, as a feed reader shows it (its HTML)."""
    env = templates.environment(resources.templates_dir())
    renderer = feeds.FeedRenderer(base_url="https://kkr.example", topics=[], env=env)
    moment = datetime(2018, 6, 15, tzinfo=UTC)
    entries = [
        feed_entries.Entry(
            snapshot=ItemSnapshot(
                item_id=n,
                version_id=n,
                council=document.council or Council.NORDJYLLAND,
                document_id=1,
                document_url=document.url,
                document_title=document.title,
                document_kind=document.kind,
                document_date=document.date,
                number=item.number,
                title=item.title,
                text=item.text,
            ),
            published=moment,
            updated=moment,
        )
        for n, item in enumerate(split(document))
    ]
    parsed = feedparser.parse(renderer.atom(renderer.specs[0], entries))
    return [entry.content[0].value for entry in parsed.entries]


# https://rn.dk/service/nyhedsbase-rn/2018/06/saarbarhed-er-en-trussel-for-nordjyllands-udvikling-beslut-3limfjordsforbindelse-nu
# (Region Nordjylland's news): the article, then its contact person's name, phone and mail.
RN_URL = (
    "https://rn.dk/service/nyhedsbase-rn/2018/06/"
    "saarbarhed-er-en-trussel-for-nordjyllands-udvikling-beslut-3limfjordsforbindelse-nu"
)
RN_LEAD = (
    "De små og hyppige uheld ved krydsningen af Limfjorden ved Aalborg giver daglige gener og "
    "svækker tilliden til fremkommeligheden i Nordjylland."
)


def test_a_feed_entry_leaves_out_the_contact_box_that_closes_the_text() -> None:
    """The excerpt in a mail leaves a closing contact box out (``without_closing``); a feed
    entry shows the text in full and must leave it out the same way. The stored text keeps it,
    so no content hash moves."""
    contact = (
        '<div class="contact"><h3>Kontaktperson</h3><p>Svend Tøfting</p><p>Tlf.:</p>'
        '<p>22 71 18 37</p><p>Mail:</p><p><a href="mailto:svto@rn.dk">svto@rn.dk</a></p></div>'
    )
    hero = "<p>15. juni 2018</p><h1>Sårbarhed er en trussel for Nordjyllands udvikling</h1>"
    document = article(RN_URL, hero, f"<p>{RN_LEAD}</p>{contact}", Council.NORDJYLLAND)
    [item] = split(document)
    assert "svto@rn.dk" in item.text
    [html] = feed_html(document)
    assert RN_LEAD in html
    for detail in ("Kontaktperson", "Svend Tøfting", "22 71 18 37", "svto@rn.dk"):
        assert detail not in html, html


# https://danskekommuner.dk/artikler/nyheder/2022/januar/21/kkr-formand-fortsaetter-i-midtjylland-men-naestformandsposten-skifter-haender
# (KL's magazine on KKR Midtjylland): a byline paragraph between the lead and the text.
MIDT_URL = (
    "https://danskekommuner.dk/artikler/nyheder/2022/januar/21/"
    "kkr-formand-fortsaetter-i-midtjylland-men-naestformandsposten-skifter-haender"
)
MIDT_TITLE = "KKR-formand fortsætter i Midtjylland, men næstformandsposten skifter hænder"
MIDT_LEAD = (
    "Randers-borgmester Torben Hansen (S) fortsætter som formand for KKR Midtjylland, mens Ib "
    "Lauritsen (V), der er borgmester i Ikast-Brande, overtager posten som næstformand."
)
MIDT_TEXT = (
    "På sit konstituerende møde har KKR Midtjylland sat navn på både formand og næstformand."
)


def test_a_byline_is_neither_an_items_title_nor_its_text() -> None:
    """A short line without a full stop reads as a section's heading; a byline is one, and
    was the article's only item's title ("Tekst af ..."), its lead lost. Who wrote it is no
    news: the article is one item under its own title, its lead first."""
    for byline in (
        "Tekst af Anna Törnqvist Jensen, antj@kl.dk",
        "Af Anna Törnqvist Jensen",
        "Tekst: Anna Törnqvist Jensen",
    ):
        hero = f"<p>21. 01. 2022 - kl. 11:28</p><h1>{MIDT_TITLE}</h1><p>{MIDT_LEAD}</p>"
        body = f'<p class="byline">{byline}</p><p>{MIDT_TEXT}</p>'
        document = article(MIDT_URL, hero, body, Council.MIDTJYLLAND)
        [(title, text)] = shown(document)
        assert title == MIDT_TITLE, byline
        assert text == f"{MIDT_LEAD} {MIDT_TEXT}"
        assert "Törnqvist" not in document.text


def test_a_sentence_opening_with_af_is_text() -> None:
    """ "Af" opens sentences too ("Af hensyn til ...", "Af de 19 kommuner ..."): kept."""
    sentence = "Af de 19 kommuner i Region Midtjylland deltager 17 i samarbejdet"
    hero = f"<p>21. 01. 2022</p><h1>{MIDT_TITLE}</h1><p>{MIDT_LEAD}</p>"
    document = article(MIDT_URL, hero, f"<p>{sentence}</p>", Council.MIDTJYLLAND)
    assert sentence in document.text


def test_a_sentence_opening_with_af_and_names_is_text_but_a_byline_with_a_role_is_not() -> None:
    """ "Af" and capitalised names, then a comma or dash: a byline's title, address or day
    follows ("Af Anna Jensen, journalist"); a lead without a full stop goes on past its list
    of names ("Af Egedal, Furesø og Rudersdal deltager ...") and was dropped as a byline."""
    hero = f"<p>21. 01. 2022</p><h1>{MIDT_TITLE}</h1><p>{MIDT_LEAD}</p>"
    for sentence in (
        "Af Egedal, Furesø og Rudersdal deltager to i projektet i 2024",
        "Af Holbæk, Kalundborg og Odsherred har kun Holbæk en godkendt klimaplan",
        "Af Region Sjælland – og af kommunerne – forventes en fælles indsats",
    ):
        body = f"<p>{sentence}</p><p>{MIDT_TEXT}</p>"
        document = article(MIDT_URL, hero, body, Council.MIDTJYLLAND)
        assert sentence in document.text
    for byline in (
        "Af Anna Törnqvist Jensen, journalist",
        "Af Anna Törnqvist Jensen – 21. januar 2022",
        "Skrevet af Anna Törnqvist Jensen, chefkonsulent i KL",
    ):
        body = f"<p>{byline}</p><p>{MIDT_TEXT}</p>"
        assert "Törnqvist" not in article(MIDT_URL, hero, body, Council.MIDTJYLLAND).text


# Invented text (no real page): an article whose second paragraph's first sentence ends just
# before the excerpt's length, the next sentence's first word after it.
BUSSER_URL = f"{ARTICLES}/april/nye-regionale-buslinjer/"
BUSSER = (
    "Fra sommeren 2026 kører to nye regionale buslinjer mellem Holstebro, Struer og Lemvig, "
    "og de eksisterende linjer får flere afgange om aftenen.",
    "KKR Midtjylland har fulgt planlægningen tæt, og kommunerne har aftalt at dele udgiften "
    "til de nye linjer efter antal indbyggere. Der blev også talt om en fælles "
    "billetordning for unge under uddannelse og om, hvordan busserne kan passe bedre til "
    "togenes afgange.",
)


def test_an_excerpt_cut_short_ends_on_a_sentence_not_on_a_word_of_the_next() -> None:
    """Cut at its length, the excerpt read "... efter antal indbyggere. Der …": a lone word of
    the next sentence. It ends on the finished sentence, still marked as cut."""
    hero = "<p>20. april 2026</p><h1>Nye regionale buslinjer</h1>"
    body = "".join(f"<p>{paragraph}</p>" for paragraph in BUSSER)
    [(_, text)] = shown(article(BUSSER_URL, hero, body, Council.MIDTJYLLAND))
    assert text.endswith("efter antal indbyggere. …"), text


def test_an_excerpt_cut_far_into_a_sentence_keeps_its_words() -> None:
    """A long sentence cut after many words keeps them: they say what the item is about."""
    assert excerpt("Udpegninger", "KKR drøftede sagen. " + "Ord " * 100).startswith(
        "KKR drøftede sagen. Ord Ord"
    )


# Invented text (no real page): a work programme's lead, then "De fire indsatser er:" and a
# list of one or two words each.
def test_an_excerpt_cut_within_a_list_does_not_end_on_a_bare_bullet() -> None:
    """Cut just after a bullet, the excerpt read "... • Klima • …"."""
    text = (
        "KKR Nordjylland har vedtaget sit arbejdsprogram for de kommende to år. Programmet "
        "samler rådets arbejde om fire indsatser, som hver får en politisk tovholder og en "
        "plan med mål, der gøres op ved udgangen af perioden. De fire indsatser er:\n\n"
        "• Sundhed\n\n• Klima\n\n• Uddannelse\n\n• Kollektiv trafik."
    )
    for limit in range(250, len(text)):
        cut = shorten(" ".join(text.split()), limit)
        assert not cut.endswith("• …"), cut


def test_an_abbreviation_or_initial_is_no_end_of_a_sentence_to_cut_at() -> None:
    """'ca. 2,5 mio.', 'kl. 10.00', 'bl.a. Region Sjælland', 'Jens B. Hansen': the stop is
    the abbreviation's, and the excerpt read '... Kampagnen koster ca. …', a few words of the
    next sentence it means to leave out. It ends on the sentence before them."""
    lead = (
        "KKR Sjælland har drøftet den fælles indsats for at skaffe flere hænder til "
        "ældreplejen og sundhedsvæsenet, og kommunerne vil nu gå sammen med regionen om en "
        "rekrutteringskampagne, som sættes i gang efter sommerferien og løber hele efteråret."
    )
    for after in (
        "Kampagnen koster ca. 2,5 mio. kr. og betales af kommunerne efter indbyggertal.",
        "Det næste møde holdes den 12. marts kl. 10.00 på Comwell i Køge.",
        "Den omfatter bl.a. Region Sjælland, Professionshøjskolen Absalon og ZBC.",
        "Formand Jens B. Hansen fra Holbæk Kommune leder styregruppen for kampagnen.",
        "Sagen behandles i KKR som pkt. 4 på mødet i juni og i kommunalbestyrelserne efter.",
    ):
        assert excerpt("Rekruttering", f"{lead} {after}") == f"{lead} …", after
