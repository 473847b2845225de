"""Danish dates and text normalisation, table-driven."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from notifier.extract.dates import parse_danish_date, parse_danish_datetime
from notifier.extract.infer import infer_meeting, with_listing_date
from notifier.extract.links import Link
from notifier.extract.normalize import normalize_text, strip_running_lines
from notifier.extract.pdf import meta_title
from notifier.models import Council, Document, DocumentKind

CPH = ZoneInfo("Europe/Copenhagen")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16. november 2020", date(2020, 11, 16)),
        ("08. december 2022", date(2022, 12, 8)),
        ("19-04-2021", date(2021, 4, 19)),
        ("23.03.18", date(2018, 3, 23)),
        ("Dato: 19. april 2021 kl. 10", date(2021, 4, 19)),
        ("Mødet den 1. februar 2021.", date(2021, 2, 1)),
        ("2021-06-16T09:00:00+02:00", date(2021, 6, 16)),
        ("Den 2-4. februar 2023 er Fredericia vært", date(2023, 2, 4)),
        ("Nyhed06.02.2024", date(2024, 2, 6)),  # label and date in spans of their own
        ("Nyhed6. februar 2024", date(2024, 2, 6)),
        ("SAG-2024-01611", None),
        # Found by review: a journal number is no date; a move is not a range.
        ("85.02.02-G01-1-17", None),
        ("Dokument1-2-24", None),
        ("Mødet er flyttet fra 10. til 24. april 2024", date(2024, 4, 24)),
        # Found by the second review.
        ("Konferencen 10. til 11. oktober 2024", date(2024, 10, 10)),
        ("Nyhed06-02-2024", date(2024, 2, 6)),
        ("2.-3. februar 2024", date(2024, 2, 2)),
        ("jf. afsnit 3.2.6 og 4.2.2", None),
        ("31. februar 2021", None),
        ("ingen dato her", None),
    ],
)
def test_parse_danish_date(text: str, expected: date | None) -> None:
    assert parse_danish_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19-04-2021 10:00", datetime(2021, 4, 19, 10, 0, tzinfo=CPH)),
        ("Dato: 07-05-2024 09:00", datetime(2024, 5, 7, 9, 0, tzinfo=CPH)),
        ("16. juni 2021 kl. 10", datetime(2021, 6, 16, 10, 0, tzinfo=CPH)),
        ("16. juni 2021 kl. 13.30", datetime(2021, 6, 16, 13, 30, tzinfo=CPH)),
        ("16. juni 2021 Kl. 9.30", datetime(2021, 6, 16, 9, 30, tzinfo=CPH)),
        ("19-04-2021", None),
        ("klokken ti", None),
    ],
)
def test_parse_danish_datetime(text: str, expected: datetime | None) -> None:
    parsed = parse_danish_datetime(text, CPH)
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() is not None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("vil op-\nridse de ideer", "vil opridse de ideer"),
        ("statusra\ufffepportering", "statusrapportering"),
        ("uddan\x02\nnelse", "uddannelse"),
        ("fælles klima-\nog energiplaner", "fælles klima- og energiplaner"),
        ("kultur-\neller fritidsliv", "kultur- eller fritidsliv"),
        ("SAG-\n2021-01954 nihj", "SAG-2021-01954 nihj"),
        ("KL-\nudspil", "KL-udspil"),
        ("SAG-2021-01954", "SAG-2021-01954"),
        ("side 1\x0cside 2", "side 1\n\nside 2"),
        ("bl\u00adød bin\x07destreg", "blød bindestreg"),
        ("Sj" + "a\u0308" + "lland", "Själland"),
        ("  for  meget   luft  ", "for meget luft"),
        ("en linje\nbrudt op\n\n\n\nnyt afsnit", "en linje brudt op\n\nnyt afsnit"),
        ("Punkter:\n- første\n- anden\n1. Tredje", "Punkter:\n- første\n- anden\n1. Tredje"),
        ("den\n19. april 2021", "den 19. april 2021"),
        # Contents set tight: an entry ends at its page number, whatever the next one opens
        # with; a date broken over two lines is no entry, nor a title ending in a number.
        (
            "2. Sager ........ 3\n3. e-Sundhed ........ 4",
            "2. Sager ........ 3\n3. e-Sundhed ........ 4",
        ),
        (
            "Punkt 2: Sager ..... 3\nPunkt 3: Klima ..... 4",
            "Punkt 2: Sager ..... 3\nPunkt 3: Klima ..... 4",
        ),
        ("2.1 Takster 3\n2.2 eHealth i kommunerne 4", "2.1 Takster 3\n2.2 eHealth i kommunerne 4"),
        (
            "2.3. Klima ........ 5\nTillægsdagsorden ........ 6",
            "2.3. Klima ........ 5\nTillægsdagsorden ........ 6",
        ),
        (
            "1. Referat fra mødet den\n3. april 2024 ... 2",
            "1. Referat fra mødet den 3. april 2024 ... 2",
        ),
        ("1. Referat fra mødet den\n3. april 2024 2", "1. Referat fra mødet den 3. april 2024 2"),
        ("3. Status for fase 2\nfor praksisplanen 7", "3. Status for fase 2 for praksisplanen 7"),
        ("a\r\nb", "a b"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalize_composes_danish_letters() -> None:
    decomposed = "a\u030a"  # a + combining ring = å
    assert normalize_text(f"p{decomposed}") == "på"


def test_strip_running_lines_removes_headers_footers_and_page_numbers() -> None:
    pages = [
        f"KKR Hovedstaden | 19-04-2021\n{body}\nSide {n} af 4"
        for n, body in enumerate(["Indstilling", "Baggrund", "Indstilling", "Beslutning"], 1)
    ]
    pages.append("Forside uden sidehoved\n7")
    stripped = strip_running_lines(pages)
    assert stripped[:4] == ["Indstilling", "Baggrund", "Indstilling", "Beslutning"]
    assert stripped[4] == "Forside uden sidehoved"


def test_a_running_line_sits_at_one_height_and_is_never_a_section_heading() -> None:
    """With the heights of the lines (a PDF's), a line recurring at the end of every page is
    dropped only where it sits at one height; a section heading is never dropped."""
    titles = ["Klima", "Trafik", "Sundhed", "Social", "Uddannelse"]
    pages = [
        f"{n}. {title}\nIndstilling\nTekst {n}\nGodkendt.\nReferat fra mødet"
        for n, title in enumerate(titles, 1)
    ]
    # (from the top, from the bottom) of each line; the third page is landscape (595 pt).
    sizes = [842.0, 842.0, 595.0, 842.0, 842.0]
    heights = [
        [(size - y, y) for y in (size - 82.0, size - 102.0, size - 122.0, 300.0 - 40 * n, 60.0)]
        for n, size in enumerate(sizes, 1)
    ]
    kept = [f"{n}. {title}\nIndstilling\nTekst {n}" for n, title in enumerate(titles, 1)]
    assert strip_running_lines(pages, heights) == [f"{page}\nGodkendt." for page in kept]
    # By text alone (no heights, or heights that do not pair with the lines) "Godkendt."
    # recurs in one place on every page; "Indstilling" is still kept as a section heading.
    for unpaired in (None, [[(82.0, 760.0)]] * 5):
        assert strip_running_lines(pages, unpaired) == kept


@pytest.mark.parametrize(
    ("cover", "starts_at", "place"),
    [
        # KL's covers of KKR agendas and minutes (the seed agenda of KKR Hovedstaden).
        (
            "DAGSORDEN 2021\n\nKKR HOVEDSTADEN\n\nDato: 19-04-2021 10:00\n\n"
            "Sted: Virtuelt via Teams",
            datetime(2021, 4, 19, 10, 0, tzinfo=CPH),
            "Virtuelt via Teams",
        ),
        # A municipal agenda system's labels on one line once normalised
        # (bronderslev.dk, Byrådet - Referat 29. januar 2020).
        (
            "Byrådet - Referat\n\nDato: 29. januar 2020 Lokale: Byrådssalen, Brønderslev Rådhus "
            "Tidspunkt: Kl. 19:00",
            datetime(2020, 1, 29, 19, 0, tzinfo=CPH),
            "Byrådssalen, Brønderslev Rådhus",
        ),
        # "Mødedato" with a weekday and no colon, the time under its own label (docplayer.dk).
        (
            "Referat\n\nMødedato Tirsdag den 13. december 2016 Starttidspunkt Kl. 16:00 "
            "Sluttidspunkt Kl. 18:00",
            datetime(2016, 12, 13, 16, 0, tzinfo=CPH),
            None,
        ),
        (
            "Mødedato: 8. december 2016 Mødetidspunkt: 17.00 Mødested: Medborgerhuset",
            datetime(2016, 12, 8, 17, 0, tzinfo=CPH),
            "Medborgerhuset",
        ),
        # No labels, the meeting named in the title line (KKR Nordjylland, 26 June 2015).
        (
            "Dagsorden til møde i KKR Nordjylland den 26. juni 2015 kl. 10.00\n\n1. Godkendelse",
            datetime(2015, 6, 26, 10, 0, tzinfo=CPH),
            None,
        ),
        (
            "KKR Sjælland\n\nMøde den 17. april 2024\n\nSted: Sorø",
            datetime(2024, 4, 17, tzinfo=CPH),
            "Sorø",
        ),
        # Prose on the cover names the meeting before: no meeting day of this one.
        (
            "REFERAT\n\nKKR SYDDANMARK\n\n1.1. Godkendelse af referat\n\nReferat af møde i KKR "
            "Syddanmark den 3. februar 2021 er udsendt til medlemmerne via Prepare og gjort "
            "tilgængelig på KKR Syddanmarks hjemmeside, og det indstilles at godkende det.",
            None,
            None,
        ),
        # A date under another label is not the meeting's.
        ("Dato for udsendelse: 10. april 2024\n\nDagsorden", None, None),
        # Found by review: the contents name the meeting before; "Udsendt dato" comes first;
        # the end time is given before the start.
        (
            "Dagsorden\n\nKKR Nordjylland\n\n1. Godkendelse af dagsorden\n"
            "2. Godkendelse af referat fra mødet den 12. marts 2024",
            None,
            None,
        ),
        # Covers whose lines normalising joined, or whose table lost the colon (second review).
        (
            "KKR Nordjylland Dagsorden til møde den 26. juni 2015 kl. 10.00",
            datetime(2015, 6, 26, 10, 0, tzinfo=CPH),
            None,
        ),
        (
            "Ekstraordinært møde i KKR Midtjylland den 5. maj 2020",
            datetime(2020, 5, 5, tzinfo=CPH),
            None,
        ),
        ("REFERAT\n\nDato 19-04-2021 10:00", datetime(2021, 4, 19, 10, 0, tzinfo=CPH), None),
        ("Udsendt dato 3. april 2024", None, None),
        (
            "Udsendt dato 3. april 2024\nMødedato: 17. april 2024\n"
            "Slut tid: kl. 15.00\nStarttidspunkt: kl. 10.00",
            datetime(2024, 4, 17, 10, 0, tzinfo=CPH),
            None,
        ),
        # The next meeting, named on the cover, is not this one's (KKR covers and minutes'
        # last point say "Næste møde"; a committee's minutes on regionsyddanmark.dk,
        # https://www.regionsyddanmark.dk/wm513874, list "8. Næste møde").
        ("Dagsorden\n\nKKR Sjælland\n\nNæste møde den 14. juni 2021", None, None),
        ("Dagsorden\nKKR Sjælland\nNæste mødedato: 14. juni 2021", None, None),
        (
            "Referat\nKKR Sjælland\nNæste mødedato: 14. juni 2021\nMødedato: 17. april 2021",
            datetime(2021, 4, 17, tzinfo=CPH),
            None,
        ),
        (
            "KKR Sjælland\nKommende møde den 14. juni 2021\nDagsorden til møde den 17. april 2021",
            datetime(2021, 4, 17, tzinfo=CPH),
            None,
        ),
        # The day under a time label, the place after it under "Tid og sted" (the minutes of
        # the municipal directors' network of the mid-Jutland region, docplayer.dk:
        # http://docplayer.dk/3028138-Referat-fra-moede-i-kommunaldirektoernetvaerket-i-den-midtjyske-region.html);
        # "Tid:" and "Sted:" on lines of their own, a weekday and a span of hours (invented).
        (
            "Referat fra møde i kommunaldirektørnetværket\nTid og sted: Fredag 14. oktober 2011, "
            "kl. 10.00-12.00, Mødelokale C, Medborgerhuset, Bindslevs Plads 5, Silkeborg\n"
            "Deltagere: Niels Højberg",
            datetime(2011, 10, 14, 10, 0, tzinfo=CPH),
            "Mødelokale C, Medborgerhuset, Bindslevs Plads 5, Silkeborg",
        ),
        (
            "Dagsorden\nKKR Midtjylland\nTid: Torsdag den 12. marts 2026 kl. 13.30 – 16.00\n"
            "Sted: Rådhuset, Torvet 1, Skive",
            datetime(2026, 3, 12, 13, 30, tzinfo=CPH),
            "Rådhuset, Torvet 1, Skive",
        ),
        (
            "Dagsorden\nKKR Hovedstaden\nMødetidspunkt: Mandag den 19. april 2021, kl. 10.00\n"
            "Mødested: Virtuelt via Teams",
            datetime(2021, 4, 19, 10, 0, tzinfo=CPH),
            "Virtuelt via Teams",
        ),
        (
            "Dagsorden\nKKR Hovedstaden\nDato og sted: 19. april 2021 kl. 10, Hillerød Rådhus",
            datetime(2021, 4, 19, 10, 0, tzinfo=CPH),
            "Hillerød Rådhus",
        ),
        # No label, no "møde ... den": a line under the title that is the day with a weekday or
        # a time (and the place after "i", as in Køge's minutes "Referat af møde i Klima- og
        # Planudvalget / Den 09.01.2020 kl. 13:00 i Tapperiet, Sdr. Badevej 1, 4600 Køge",
        # https://www.koege.dk/byraad-udvalg/Dagsordener-og-referater/cd8a5b84-fa5e-4f18-b535-db7e30b33444/EFCEF359-3E12-46AC-903F-C2991B73439B.aspx?agendaid=5265a62c-ee8f-42a5-9628-5aca9196aed6).
        (
            "Referat af møde i Klima- og Planudvalget\n"
            "Den 09.01.2020 kl. 13:00 i Tapperiet, Sdr. Badevej 1, 4600 Køge\n\nDeltagere:",
            datetime(2020, 1, 9, 13, 0, tzinfo=CPH),
            "Tapperiet, Sdr. Badevej 1, 4600 Køge",
        ),
        (
            "KKR HOVEDSTADEN\n\nDAGSORDEN\n\nMandag den 19. april 2021, kl. 10.00-12.00",
            datetime(2021, 4, 19, 10, 0, tzinfo=CPH),
            None,
        ),
        (
            "KKR HOVEDSTADEN\n\nReferat fra mødet\n\nMandag den 19. april 2021\n\nSted: Hillerød",
            datetime(2021, 4, 19, tzinfo=CPH),
            "Hillerød",
        ),
        # A bare date is when the document was written or sent, not the meeting's day.
        ("KKR HOVEDSTADEN\n\nDAGSORDEN\n\n10. april 2021", None, None),
        (
            "KKR HOVEDSTADEN\n\nDAGSORDEN\n\nMandag den 19. april 2021 holdt KKR et møde om "
            "trafik.",
            None,
            None,
        ),
        # Labels on lines of their own, their values under them (Region Syddanmark's minutes,
        # "Mødedato / 07-03-2019 kl. 14:00 - 17:00 / Mødested / Mødelokale 7",
        # https://www.regionsyddanmark.dk/wm513874), and "Lokation:" for the place.
        (
            "Referat\nMødedato\n07-03-2019 kl. 14:00 - 17:00\nMødested\nMødelokale 7\nDeltagere",
            datetime(2019, 3, 7, 14, 0, tzinfo=CPH),
            "Mødelokale 7",
        ),
        (
            "Referat\n\nMødedato 07-03-2019 kl. 14:00 - 17:00\n\nMødested Mødelokale 7",
            datetime(2019, 3, 7, 14, 0, tzinfo=CPH),
            "Mødelokale 7",
        ),
        (
            "Referat\n\nMødedato 7. marts 2019\n\nStedet er ikke fastlagt",
            datetime(2019, 3, 7, tzinfo=CPH),
            None,
        ),
        (
            "Dagsorden\nMødedato: 19. apr. 2021 kl. 9:30\nLokation: Rådhuset, mødelokale 2",
            datetime(2021, 4, 19, 9, 30, tzinfo=CPH),
            "Rådhuset, mødelokale 2",
        ),
        # The start under "Mødestart"/"Start", and after "fra" in a range.
        (
            "Referat\nMødedato: 17. april 2024\nMødestart: kl. 9.30\nMødeslut: kl. 12.30",
            datetime(2024, 4, 17, 9, 30, tzinfo=CPH),
            None,
        ),
        (
            "Dagsorden\nMøde den 19.04.2021\nStart kl. 9.30",
            datetime(2021, 4, 19, 9, 30, tzinfo=CPH),
            None,
        ),
        (
            "Dagsorden\nDato: 19. april 2021 fra kl. 10.00 til 12.00\nSted: Hillerød",
            datetime(2021, 4, 19, 10, 0, tzinfo=CPH),
            "Hillerød",
        ),
        # A time label's value opening with a time is only the time.
        ("Tidspunkt: kl. 10.00 den 19. april 2021", None, None),
    ],
)
def test_infer_meeting(cover: str, starts_at: datetime | None, place: str | None) -> None:
    meeting = infer_meeting(cover, None)
    if starts_at is None:
        assert meeting is None
    else:
        assert meeting is not None
        assert (meeting.starts_at, meeting.place) == (starts_at, place)


def test_a_meeting_document_without_a_day_is_dated_by_its_listing() -> None:
    undated = Document(
        url="https://www.kl.dk/media/1/dagsorden.pdf",
        kind=DocumentKind.AGENDA,
        title="Dagsorden KKR Sjælland",
        date=None,
        text="Dagsorden",
    )
    link = Link(url=undated.url, text="Dagsorden", date=date(2024, 4, 17))
    dated = with_listing_date(undated, link, Council.SJAELLAND)
    # Dated, so not held as undated; no meeting made of what may be a publication date.
    assert (dated.date, dated.meeting) == (date(2024, 4, 17), None)
    assert (
        with_listing_date(undated, Link(url=undated.url, text="", date=None), Council.SJAELLAND)
        == undated
    )
    own = replace(undated, date=date(2024, 4, 16))
    assert with_listing_date(own, link, Council.SJAELLAND).date == date(2024, 4, 16)
    # A news page that shows no date: the date beside its entry in the news list.
    news = replace(undated, kind=DocumentKind.NEWSLETTER, url="https://www.kl.dk/nyhed/x")
    assert with_listing_date(news, link, Council.SJAELLAND).date == date(2024, 4, 17)


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("Velkommen til KKR Sjælland 2022-2026", "Velkommen til KKR Sjælland 2022-2026"),
        ("Microsoft Word - Bilag 3 Resultatkontrakt 2024.docx", "Bilag 3 Resultatkontrakt 2024"),
        ("PowerPoint-præsentation", None),
        ("Untitled", None),
        ("Dokument1", None),
        ("dagsorden_kkr_2021_final", None),
        ("Microsoft Word - skabelon.dotx.docx", None),
        ("   ", None),
        ("123", None),
        ("PowerPoint Presentation", None),
        ("Præsentation1", None),
        ("Untitled-1", None),
        ("Dias 1", None),
    ],
)
def test_a_pdf_title_from_metadata_only_when_it_names_the_document(
    raw: str, title: str | None
) -> None:
    assert meta_title(raw) == title
