"""Agenda and minutes published as web pages, by the agenda systems municipalities and regions
use: a cover of labelled fields ("Dato:", "Lokale:", "Tidspunkt:"; "Mødedato:", "Mødested:")
or a title naming the meeting's day, then the numbered points. Each is read as its PDF would
be: its meeting, dated by the meeting's day.

Each fixture names the stored page its wording and layout come from, reduced to what matters.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from notifier.extract import extract
from notifier.models import Document, DocumentKind
from notifier.split import split

TZ = ZoneInfo("Europe/Copenhagen")
_POINT = (
    "<h2>1. Godkendelse af dagsorden</h2><h3>Beslutning</h3><p>Godkendt.</p>"
    "<h2>2. Budget 2021</h2><h3>Sagsfremstilling</h3><p>Budgettet fremlægges til 2. behandling."
    "</p><h3>Beslutning</h3><p>Godkendt.</p>"
)


def page(head: str, *, title: str, url: str, body: str = _POINT) -> Document:
    html = (
        f'<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>{title}</title>'
        '</head><body><div id="cookieConsent"><p>Vi bruger cookies til statistik.</p></div>'
        '<header><nav><a href="/politik">Politik</a></nav></header>'
        f'<div id="content">{head}{body}<p><a href="#top">Til toppen</a></p></div>'
        "<footer><p>Ny Rådhusplads 1</p></footer></body></html>"
    )
    return extract(html.encode(), url=url, content_type="text/html; charset=utf-8")


# https://www.bronderslev.dk/Politik/ByraadOgUdvalg/DagsordnerOgReferater2018-2021/148/148-2085.aspx
BRONDERSLEV = "https://www.bronderslev.dk/Politik/ByraadOgUdvalg/DagsordnerOgReferater2018-2021/148/148-2085.aspx"
_BRONDERSLEV_FIELDS = (
    ("Dato:", "29. januar 2020"),
    ("Lokale:", "Byrådssalen, Brønderslev Rådhus"),
    ("Tidspunkt:", "Kl. 19:00"),
)


@pytest.mark.parametrize(
    "fields",
    [
        "<table>"
        + "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in _BRONDERSLEV_FIELDS)
        + "</table>",
        "<p>" + "<br>".join(f"{k} {v}" for k, v in _BRONDERSLEV_FIELDS) + "</p>",
        "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in _BRONDERSLEV_FIELDS) + "</dl>",
    ],
    ids=["table", "lines", "definition-list"],
)
def test_a_minutes_pages_labelled_cover_gives_its_meeting(fields: str) -> None:
    document = page(
        f"<h1>Byrådet - Referat</h1>{fields}",
        title="Byrådet - Referat - Brønderslev Kommune",
        url=BRONDERSLEV,
    )
    assert document.kind is DocumentKind.MINUTES
    assert document.meeting is not None
    assert document.meeting.starts_at == datetime(2020, 1, 29, 19, 0, tzinfo=TZ)
    assert document.meeting.place == "Byrådssalen, Brønderslev Rådhus"
    assert document.date == date(2020, 1, 29)
    assert [item.number for item in split(document)] == ["1", "2"]


def test_an_unlabelled_day_line_under_the_title_gives_the_meeting_and_its_place() -> None:
    # https://www.koege.dk/byraad-udvalg/Dagsordener-og-referater/cd8a5b84-fa5e-4f18-b535-db7e30b33444/EFCEF359-3E12-46AC-903F-C2991B73439B.aspx?agendaid=5265a62c-ee8f-42a5-9628-5aca9196aed6
    document = page(
        "<h1>Referat af møde i Klima- og Planudvalget</h1>"
        "<p>Den 09.01.2020 kl. 13:00 i Tapperiet, Sdr. Badevej 1, 4600 Køge</p>",
        title="Referat af møde i Klima- og Planudvalget",
        url="https://www.koege.dk/byraad-udvalg/Dagsordener-og-referater/cd8a5b84/EFCEF359.aspx",
    )
    assert document.meeting is not None
    assert document.meeting.starts_at == datetime(2020, 1, 9, 13, 0, tzinfo=TZ)
    assert document.meeting.place == "Tapperiet, Sdr. Badevej 1, 4600 Køge"


def test_a_title_set_over_lines_naming_the_meeting_is_one_line_and_dates_it() -> None:
    """The print page of a region's agenda sets its title over five lines: one title, and the
    day it names is the meeting's (the page shows no other date)."""
    # https://www.rm.dk/politik/udvalg/staende-udvalg/udvalget-for-regional-udvikling/dagsordener-og-referater-udvalget-for-regional-udvikling/PrintPage
    document = page(
        "<h1>Dagsorden<br>til<br>mødet i Udvalg for regional udvikling<br>"
        "den 1. februar 2023 kl. 09:00<br>i Herning Kommune, Torvet 5, 7400 Herning</h1>"
        "<p>Sagnr.: 1-51-71-3321-08</p>",
        title="Dagsordener og referater - Udvalget for regional udvikling",
        url="https://www.rm.dk/politik/udvalg/dagsordener-og-referater/PrintPage",
    )
    assert document.title == (
        "Dagsorden til mødet i Udvalg for regional udvikling den 1. februar 2023 kl. 09:00 "
        "i Herning Kommune, Torvet 5, 7400 Herning"
    )
    assert document.kind is DocumentKind.AGENDA
    assert document.meeting is not None
    assert document.meeting.starts_at == datetime(2023, 2, 1, 9, 0, tzinfo=TZ)
    assert document.date == date(2023, 2, 1)


def test_a_news_article_reporting_a_meeting_gets_no_meeting() -> None:
    """A news page is news, whatever meeting its lead reports: its date is when it was
    published, and it has no meeting of its own."""
    # Invented text at an invented kl.dk news address (no real page).
    document = page(
        "<p>13. marts 2026</p><h1>KKR Midtjylland har valgt formand og næstformand</h1>"
        "<p>På sit første møde i den nye periode torsdag den 12. marts 2026 har KKR "
        "Midtjylland valgt en formand og en næstformand.</p>",
        title="KKR Midtjylland har valgt formand og næstformand | KL",
        url="https://www.kl.dk/nyhed/2026/marts/kkr-midtjylland-har-valgt-formand/",
        body="<p>Formanden er borgmester i en af regionens kommuner og var næstformand før.</p>",
    )
    assert document.kind is DocumentKind.NEWSLETTER
    assert document.meeting is None
    assert document.date == date(2026, 3, 13)


@pytest.mark.parametrize("hidden", ["sr-only", "visually-hidden", "screen-reader-text"])
def test_a_toggles_text_for_screen_readers_is_not_in_its_points_title(hidden: str) -> None:
    """Each point's accordion button names it twice: seen, and in a visually hidden sentence
    for screen readers, which must not run into the title ("dagsordenKlik her ...")."""

    # https://www.hedensted.dk/politik/kommunalbestyrelse-og-udvalg/andre-udvalg,-raad-og-naevn/landdistrikter/det-faelles-landdistriktsraad-dagsordener-og-referater/agenda?agenda=31-08-2023/ID4144/dagsorden.xml
    def point(number: int, title: str, body: str) -> str:
        return (
            f'<h2><button aria-expanded="false" aria-controls="p{number}">{number}. {title}'
            f'<span class="{hidden}">Klik her for at folde ud og læse mere om {title}</span>'
            f'</button></h2><div id="p{number}" hidden>{body}</div>'
        )

    body = point(
        1,
        "Lokal Fællesvarme - udmøntning af midler",
        "<h3>Beslutningstema</h3><p>Det Fælles Landdistriktsråd skal tage stilling til, "
        "hvordan midlerne til Lokal Fællesvarme skal udmøntes.</p>"
        "<h3>Beslutning</h3><p>Godkendt.</p>",
    ) + point(
        2,
        "Landsbypedel - evaluering",
        "<h3>Sagsfremstilling</h3><p>Ordningen med en landsbypedel er evalueret efter "
        "det første år.</p><h3>Beslutning</h3><p>Taget til efterretning.</p>",
    )
    document = page(
        "<h1>Det fælles landdistriktsråd - Dagsordener og referater</h1>"
        "<dl><dt>Mødedato:</dt><dd>31. august 2023</dd><dt>Mødested:</dt>"
        "<dd>Administrationshuset Tørring, Stationsparken 1, 7160 Tørring</dd></dl>"
        "<h2>Dagsordenpunkter</h2>",
        title="Det fælles landdistriktsråd - Dagsordener og referater | Hedensted Kommune",
        url="https://www.hedensted.dk/politik/landdistrikter/agenda?agenda=31-08-2023/dagsorden.xml",
        body=body,
    )
    assert "Klik her" not in document.text
    assert [item.title for item in split(document)] == [
        "Lokal Fællesvarme - udmøntning af midler",
        "Landsbypedel - evaluering",
    ]
    assert document.meeting is not None and document.meeting.day == date(2023, 8, 31)


THEME_ARTICLE = "https://www.kl.dk/politik/kkr/kkr-hovedstaden/trafik-infrastruktur-klima-og-miljoe/klima-paa-dagsorden-i-kkr/"


def test_a_theme_pages_article_on_dagsorden_is_no_agenda_and_keeps_its_date() -> None:
    """A headline "X på dagsorden" is no document's name: an article under a theme page
    (not at a news address) announcing an event took the event's day as its date and a
    meeting of the council's."""
    document = page(
        "<p>12. marts 2024</p><h1>Klima på dagsorden i KKR Hovedstaden</h1>"
        "<p>KKR Hovedstaden inviterer til temadag om klimatilpasning</p>"
        "<p>Torsdag den 13. juni 2024 kl. 13.00-16.00 i Roskilde Kongrescenter</p>",
        title="Klima på dagsorden i KKR Hovedstaden | KL",
        url=THEME_ARTICLE,
        body="<p>Tilmelding sker via KL's hjemmeside.</p>",
    )
    assert document.kind is not DocumentKind.AGENDA
    assert document.meeting is None
    assert document.date == date(2024, 3, 12)


def test_a_faqs_questions_in_a_definition_list_are_no_labelled_fields() -> None:
    """A definition list of questions and answers is no cover: a question is not a field's
    label, and "?:" must not join it to its answer."""
    document = page(
        "<h1>Ny ældrelov</h1><p>KKR Sjælland har drøftet den nye ældrelov.</p>",
        title="Ny ældrelov | KL",
        url="https://www.kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder/ny-aeldrelov/",
        body="<dl><dt>Hvornår træder loven i kraft?</dt><dd>Den 1. juli 2025.</dd></dl>",
    )
    assert "?:" not in document.text
    assert "Hvornår træder loven i kraft?\n\nDen 1. juli 2025." in document.text


def test_an_open_panels_hidden_labels_stay() -> None:
    """An accordion's open panel marked aria-expanded is no toggle: text for screen readers
    inside it ("(PDF, 2 MB)" in a bilag's link) is not a title said twice."""
    document = page(
        '<h1>Byrådet - Referat</h1><div class="accordion-item" aria-expanded="true">'
        "<h2>1. Budget 2025</h2><p>Godkendt.</p>"
        '<p><a href="bilag.pdf">Bilag 1<span class="visually-hidden"> (PDF, 2 MB)</span></a></p>'
        "</div>",
        title="Byrådet - Referat",
        url=BRONDERSLEV,
        body="",
    )
    assert "Bilag 1 (PDF, 2 MB)" in document.text
