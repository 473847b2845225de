"""Every document of the fixture site extracts and splits as manifest.json says."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from notifier.errors import ExtractError
from notifier.extract import extract, feed_links, listing_links
from notifier.models import Council, Document, DocumentKind, Item
from notifier.split import link_decisions, split

SITE = Path(__file__).resolve().parents[1] / "notifier" / "demo_data" / "site"
SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
MANIFEST: dict[str, dict[str, Any]] = json.loads((SITE / "manifest.json").read_text())
BASE = "https://www.kl.dk"
NEWS = "politik/kkr/kkr-{}/flere-nyheder/nyhedsbrev-kkr-{}/index.html"
AGENDA = "media/24712/dagsorden-kkr-hovedstaden-19-april-2021.pdf"
MINUTES = "media/24980/referat-kkr-hovedstaden-19-april-2021.pdf"
CHROME = (
    *("Log ind", "×", "cookies", "Accepter alle", "Tillad alle", "Relaterede nyheder"),
    *("Weidekampsgade", "Gå til hovedindhold", "Ældre end 12 mdr.", "Del artiklen"),
)
# Page chrome that is also an ordinary word: never a paragraph of its own.
CHROME_PARAGRAPHS = {"Indhold", "KKR", "Politik", "PDF"}


def load(path: str) -> tuple[Document, list[Item]]:
    url = f"{BASE}/{path.removesuffix('index.html')}"
    document = extract((SITE / path).read_bytes(), url=url, content_type=None)
    return document, split(document)


def toc_entries() -> list[tuple[str, str]]:
    """The points of the seed agenda's table of contents: leaf entries, dot leaders removed."""
    text = (SEEDS / "003_5b328af16cf70165.txt").read_text(encoding="utf-8")
    entries = [
        (m.group(1), re.sub(r"\s*\.+$", "", m.group(2)).strip())
        for m in re.finditer(r"^(\d+(?:\.\d+)?)\.\t(.+?)\t\d+$", text, re.MULTILINE)
    ]
    groups = {number.split(".")[0] for number, _ in entries if "." in number}
    return [(number, title) for number, title in entries if number not in groups]


@pytest.mark.parametrize("path", sorted(MANIFEST))
def test_document_matches_manifest(path: str) -> None:
    expected = MANIFEST[path]
    document, items = load(path)
    assert document.kind == DocumentKind(expected["kind"])
    assert document.council == Council(expected["council"])
    assert len(items) == expected["items"]
    assert document.text and document.title
    if "date" in expected:
        assert document.date == date.fromisoformat(expected["date"])
    if "title" in expected:
        assert document.title == expected["title"]
    if "headings" in expected:
        assert [item.title for item in items] == expected["headings"]
    if "numbers" in expected:
        assert [item.number for item in items] == expected["numbers"]
        assert document.supplementary is expected["supplementary"]
        assert document.meeting is not None
        assert document.meeting.starts_at == datetime.fromisoformat(expected["starts_at"])
        assert document.meeting.council == Council(expected["council"])
    assert len({item.key for item in items}) == len(items)
    for chrome in CHROME:
        assert chrome not in document.text
    assert not CHROME_PARAGRAPHS & {p.strip() for p in document.text.split("\n\n")}


def test_agenda_points_are_the_table_of_contents() -> None:
    _, items = load(AGENDA)
    assert [(item.number, item.title) for item in items] == toc_entries()
    assert all(item.key == item.number for item in items)


def test_no_item_comes_from_the_table_of_contents() -> None:
    _, items = load(AGENDA)
    for item in items:
        assert not re.search(r"\.{3,}\s*\d+$", item.title)
        assert "Indholdsfortegnelse" not in item.text


def test_numbered_lists_stay_inside_their_points() -> None:
    items = {item.number: item for item in load(AGENDA)[1]}
    for line in ("1. Fælles klima- og energiplaner (DK2020)", "7. Fælles plan for plastaffald"):
        assert line in items["3.2"].text
    for number in range(1, 12):
        assert re.search(rf"^{number}\. [A-ZÆØÅ]", items["3.3"].text, re.MULTILINE)
    assert "Adgang til erhvervs- og velfærdsuddannelser i hele landet" in items["3.3"].text


def test_agenda_point_fields() -> None:
    document, items = load(AGENDA)
    points = {item.number: item for item in items}
    assert document.date == date(2021, 4, 19)
    assert document.meeting is not None and document.meeting.place is not None
    assert document.meeting.place.startswith("Virtuelt via Teams")
    assert points["3.5"].case_number == "SAG-2021-01954"
    assert points["3.5"].indstilling is not None
    assert points["3.5"].indstilling.startswith("Det indstilles, at KKR Hovedstaden:")
    assert points["3.1"].beslutning is None
    assert "opridse" in points["3.1"].text  # hyphenated across a line in the PDF
    assert "Side " not in points["3.1"].text and "| 19-04-2021" not in document.text
    procedural = {n for n, item in points.items() if item.procedural}
    assert procedural == {"1.1", "1.2", "2.1", "6.1", "7"}
    assert points["5"].title == "KKR" and not points["5"].text


def test_minutes_decisions_link_to_agenda_points() -> None:
    _, agenda = load(AGENDA)
    document, minutes = load(MINUTES)
    assert document.kind == DocumentKind.MINUTES
    assert all(item.beslutning for item in minutes)
    assert link_decisions(agenda, minutes) == {item.key: item.key for item in minutes}


def test_ocr_brochure_is_other_and_sjaelland() -> None:
    document, items = load("media/31077/velkommen-til-kkr-sjaelland-2022-2026.pdf")
    assert document.kind == DocumentKind.OTHER
    assert document.council == Council.SJAELLAND
    assert document.meeting is None
    assert "Sjzlland" in document.text  # the OCR damage is the source's, kept as is
    assert [item.key for item in items] == ["dokument"]


def test_newsletter_lead_is_not_an_item_and_chrome_is_gone() -> None:
    path = NEWS.format("sjaelland", "sjaelland-september-2019")
    document, items = load(path)
    assert document.date == date(2019, 9, 16)
    assert not any(item.text.startswith("På mødet den 10. september") for item in items)
    assert items[0].key == "kkr-sjaelland-holdt-moede-den-10-september-2019-i-ringsted"
    assert "• Tværgående samarbejde" in items[0].text
    assert not document.text.rstrip().endswith(("×", "Log ind"))


def test_cp1252_page_decodes() -> None:
    path = NEWS.format("midtjylland", "midtjylland-maj-2024")
    body = (SITE / path).read_bytes()
    assert b"windows-1252" in body and "æ".encode("cp1252") in body
    for content_type in (None, "text/html; charset=windows-1252", "text/html; charset=ISO-8859-1"):
        document = extract(body, url=f"{BASE}/{path}", content_type=content_type)
        assert "Særligt Lemvig-, Skive- og Struer-området" in document.text
        assert "\ufffd" not in document.text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ((SITE / AGENDA).read_bytes()[:5000], "application/pdf"),
        (b"%PDF-1.7\n garbage", None),
        (b"\x00\x01\x02 not a pdf", "application/pdf"),
        (b"", "text/html"),
        (b"   \n ", None),
        (b"<html><body><nav>Menu</nav></body></html>", "text/html"),
    ],
)
def test_unreadable_bodies_raise_extract_error(body: bytes, content_type: str | None) -> None:
    with pytest.raises(ExtractError):
        extract(body, url=f"{BASE}/x", content_type=content_type)


def test_pdf_without_text_raises_extract_error() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 100)  # a scan: drawing, no text layer
    with pytest.raises(ExtractError, match="no text"):
        extract(bytes(pdf.output()), url=f"{BASE}/scan.pdf", content_type="application/pdf")


def test_listing_links_skip_chrome_and_keep_dates() -> None:
    url = f"{BASE}/politik/kkr/kkr-hovedstaden/moedemateriale"
    body = (SITE / "politik/kkr/kkr-hovedstaden/moedemateriale/index.html").read_bytes()
    links = listing_links(body, base_url=url, pattern=None)
    assert [link.url for link in links] == [f"{BASE}/{AGENDA}", f"{BASE}/{MINUTES}"]
    assert all(link.date == date(2021, 4, 19) for link in links)
    assert links[0].text == "Dagsorden KKR Hovedstaden 19. april 2021"
    assert listing_links(body, base_url=url, pattern=re.compile(r"referat")) == links[1:]


def test_listing_links_for_newsletters() -> None:
    url = f"{BASE}/politik/kkr/kkr-sjaelland/flere-nyheder/"
    body = (SITE / "politik/kkr/kkr-sjaelland/flere-nyheder/index.html").read_bytes()
    links = listing_links(body, base_url=url, pattern=None)
    assert [link.date for link in links] == [date(2020, 11, 16), date(2019, 9, 16)]
    assert all(link.url.startswith(url) for link in links)


def test_feed_links() -> None:
    url = f"{BASE}/politik/kkr/kkr-syddanmark/flere-nyheder/rss.xml"
    body = (SITE / "politik/kkr/kkr-syddanmark/flere-nyheder/rss.xml").read_bytes()
    links = feed_links(body, base_url=url)
    expected = {
        f"{BASE}{facts['url']}"
        for facts in MANIFEST.values()
        if facts["kind"] == "newsletter" and facts["council"] == "syddanmark"
    }
    assert {link.url for link in links} == expected
    assert all(link.date and link.text.startswith("Nyhedsbrev") for link in links)


def test_feed_entries_keep_their_own_day_and_come_once() -> None:
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>KKR</title>'
        "<item><title>Nyhedsbrev marts</title><link>/a</link>"
        "<pubDate>Fri, 15 Mar 2024 00:00:00 +0100</pubDate></item>"
        "<item><title>Nyhedsbrev marts</title><link>/a</link>"
        "<pubDate>Fri, 15 Mar 2024 00:00:00 +0100</pubDate></item>"
        "</channel></rss>"
    )
    atom = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>KKR</title>'
        '<entry><title>Nyhedsbrev juni</title><link href="/b"/>'
        "<updated>2021-06-16T00:00:00+02:00</updated></entry></feed>"
    )
    found = [(link.url, link.date) for link in feed_links(rss.encode(), base_url=BASE)]
    assert found == [(f"{BASE}/a", date(2024, 3, 15))]  # not the 14th, in UTC
    found = [(link.url, link.date) for link in feed_links(atom.encode(), base_url=BASE)]
    assert found == [(f"{BASE}/b", date(2021, 6, 16))]


def test_a_card_that_is_one_link_is_named_by_its_heading() -> None:
    body = (
        '<html><body><main><h1>Nyheder</h1><a href="/politik/kkr/kkr-sjaelland/flere-nyheder/a">'
        "<h3>Nyhedsbrev KKR Sjælland, juni 2021</h3><p>16. juni 2021</p>"
        "<p>KKR drøftede sundhedsaftalen.</p></a></main></body></html>"
    ).encode()
    links = listing_links(
        body, base_url=f"{BASE}/politik/kkr/kkr-sjaelland/flere-nyheder", pattern=None
    )
    assert [(link.text, link.date) for link in links] == [
        ("Nyhedsbrev KKR Sjælland, juni 2021", date(2021, 6, 16))
    ]


def test_feed_links_reject_garbage() -> None:
    with pytest.raises(ExtractError):
        feed_links(b"\x00\x01 not xml <<<", base_url=BASE)


def test_html_survives_a_markup_change_without_main_or_article() -> None:
    path = NEWS.format("syddanmark", "syddanmark-november-2022")
    html = (SITE / path).read_text(encoding="utf-8")
    redesigned = (
        html.replace("<main", "<div")
        .replace("</main>", "</div>")
        .replace("<article", "<section")
        .replace("</article>", "</section>")
    )
    before = extract(html.encode(), url=f"{BASE}/{path}", content_type=None)
    after = extract(redesigned.encode(), url=f"{BASE}/{path}", content_type=None)
    assert [i.key for i in split(after)] == [i.key for i in split(before)]
    assert after.date == before.date and after.title == before.title
    for chrome in CHROME:
        assert chrome not in after.text


def listing_page(rows: str) -> bytes:
    return (
        "<html><head><title>Mødemateriale</title></head><body><main><h1>Mødemateriale</h1>"
        f"<p>Dagsordener og referater fra KKR Sjælland.</p>{rows}</main></body></html>"
    ).encode()


def test_one_unusable_href_does_not_cost_the_listing() -> None:
    url = f"{BASE}/politik/kkr/kkr-sjaelland/moedemateriale/"
    body = listing_page(
        '<ul><li><a href="http://[::1/x.pdf">Ødelagt</a></li>'
        '<li><a href="http://127.0.0.1:0x50/nyhed">Skæv port</a></li>'
        '<li><a href="https://www.kl.dk:99999/media/2/x.pdf">Port uden for 0-65535</a></li>'
        '<li><a href="/media/1/dagsorden.pdf">Dagsorden</a></li>'
        '<li><a href="  javascript:alert(1)">Se</a></li></ul>'
    )
    links = listing_links(body, base_url=url, pattern=None)
    assert [link.url for link in links] == [f"{BASE}/media/1/dagsorden.pdf"]
    # A pattern that would accept anything still gets only http(s) links.
    anything = listing_links(body, base_url=url, pattern=re.compile(""))
    assert [link.url for link in anything] == [f"{BASE}/media/1/dagsorden.pdf"]
    document = extract(body, url=url, content_type="text/html")
    assert document.links == (f"{BASE}/media/1/dagsorden.pdf",)


def test_listing_links_in_a_table_with_every_kind_of_href() -> None:
    url = f"{BASE}/politik/kkr/kkr-sjaelland/moedemateriale/"
    body = listing_page(
        "<table><tr><th>Dato</th><th>Materiale</th></tr>"
        '<tr><td>19-04-2021</td><td><a href="../../../../media/1/dagsorden.pdf">Dagsorden</a>'
        "</td></tr>"
        '<tr><td>20-04-2021</td><td><a href="//www.kl.dk/media/2/referat.pdf?v=2#side3">'
        "Referat</a></td></tr>"
        '<tr><td>21. april 2021</td><td><a href="https://www.kl.dk/media/3/bilag.pdf">Bilag\x01'
        "</a></td></tr>"
        '<tr><td>22-04-2021</td><td><a href="moede-22-april/?id=7&amp;print=0">Møde</a>'
        "</td></tr></table>"
    )
    links = listing_links(body, base_url=url, pattern=None)
    assert [(link.url, link.text, link.date) for link in links] == [
        (f"{BASE}/media/1/dagsorden.pdf", "Dagsorden", date(2021, 4, 19)),
        (f"{BASE}/media/2/referat.pdf?v=2", "Referat", date(2021, 4, 20)),
        (f"{BASE}/media/3/bilag.pdf", "Bilag", date(2021, 4, 21)),
        (f"{url}moede-22-april/?id=7&print=0", "Møde", date(2021, 4, 22)),
    ]


def test_feed_entries_with_unsafe_links_are_skipped() -> None:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>KKR</title>'
        b"<item><title>Ond</title><link>javascript:alert(1)</link></item>"
        b"<item><title>Nyhedsbrev\x0b</title><link>/nyheder/a/</link></item>"
        b"<item><title>Skaev port</title><link>http://127.0.0.1:0x50/nyhed</link></item>"
        b"<item><title>For stor port</title><link>http://127.0.0.1:99999/x</link></item>"
        b"</channel></rss>"
    )
    links = feed_links(rss, base_url=f"{BASE}/rss.xml")
    assert [(link.url, link.text) for link in links] == [(f"{BASE}/nyheder/a/", "Nyhedsbrev")]


def test_titles_from_meta_and_pdf_info_are_clean() -> None:
    from fpdf import FPDF

    page = (
        '<html><head><meta property="og:title" content="Nyhedsbrev\x1b  KKR"></head>'
        "<body><main><p>KKR Sjælland holdt møde om sundhedsaftalen og klimaplaner.</p>"
        "</main></body></html>"
    )
    assert extract(page.encode(), url=f"{BASE}/n/", content_type=None).title == "Nyhedsbrev KKR"
    pdf = FPDF()
    pdf.set_title("Velkommen\x07 til\nKKR")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="En folder om KKR Sjælland og de seks fagområder.")
    document = extract(bytes(pdf.output()), url=f"{BASE}/f.pdf", content_type="application/pdf")
    assert document.title == "Velkommen til KKR"


SECTIONS = (
    ("Ny sundhedsaftale", "KKR Sjælland godkendte udkastet til den nye sundhedsaftale."),
    ("Movias trafikbestilling", "KKR drøftede Movias budget og de regionale buslinjer."),
)


@pytest.mark.parametrize(
    "markup",
    [
        "<h3>{h}</h3><p>{b}</p>",
        "<h5>{h}</h5><p>{b}</p>",
        "<p><strong>{h}</strong></p><p>{b}</p>",
        "<p><strong>{h}</strong><br>{b}</p>",
        "<p><b>{h}<br></b>{b}</p>",
        "<p><strong>{h}:</strong> {b}</p>",
        "<section><h2>{h}</h2><div><p>{b}</p></div></section>",
    ],
)
def test_newsletter_heading_markups(markup: str) -> None:
    body = "".join(markup.format(h=h, b=b) for h, b in SECTIONS)
    page = (
        "<html><body><main><h1>Nyhedsbrev KKR Sjælland maj 2024</h1><p>16. maj 2024</p>"
        f"<p>KKR Sjælland holdt møde den 15. maj 2024.</p>{body}</main></body></html>"
    )
    document = extract(page.encode(), url=f"{BASE}/nyheder/nyhedsbrev-maj/", content_type=None)
    items = split(document)
    assert [(i.title, i.text) for i in items] == [(h, f"{h}\n\n{b}") for h, b in SECTIONS]
    assert document.date == date(2024, 5, 16)


def test_one_bold_run_in_is_emphasis_not_a_section() -> None:
    page = (
        "<html><body><main><h1>Nyhedsbrev KKR Sjælland</h1><p>KKR Sjælland holdt møde.</p>"
        "<h2>Klima</h2><p><strong>Bemærk:</strong> KKR drøftede DK2020.</p>"
        "<p>Mere om klima.</p></main></body></html>"
    )
    items = split(extract(page.encode(), url=f"{BASE}/nyheder/n/", content_type=None))
    assert [i.title for i in items] == ["Klima"]
    assert "Bemærk: KKR drøftede DK2020." in items[0].text
