"""Agenda and minutes layouts probed from real Danish agendas and minutes the other split tests
do not cover: each test renders paragraphs to a PDF, reads it back through extract() and
split_document() (the whole path a real document takes) and names where the layout was seen.
"""

from __future__ import annotations

import pytest

from notifier.extract.infer import infer_meeting
from notifier.split import Split
from tests.agenda_layouts import paragraphs_split

PROSE = (
    "Forvaltningen har udarbejdet et forslag, som har været drøftet med de berørte parter, og "
    "der lægges op til, at forslaget sendes videre til endelig behandling."
)


def text_pdf(paragraphs: list[str], *, kind: str = "referat") -> Split:
    """With a word processor's margins (2.5 cm): a line within 2 cm of a page's edge past the
    first page is taken for a running line."""
    return paragraphs_split(paragraphs, kind=kind, margin=25, width=160)


EGEBJERG = [
    ("89", "Kvartalsrapport vedrørende kommunens samlede budget", "i"),
    ("90", "Dallund Slot", "ii"),
    ("91", "Klage over afgørelse i Folkeoplysningsudvalget", "iii"),
    ("92", "Henvendelse fra et medlem af kommunalbestyrelsen", "iv"),
    ("93", "Årsberetning og regnskab 2001", "v"),
]


def test_contents_paged_in_roman_numerals_are_the_plan() -> None:
    # Egebjerg's minutes number their pages in Roman numerals, the contents too ("98. Analyse
    # af daginstitutionsstruktur...x", "Til behandling - for åbne døre...iii",
    # docplayer.dk/2007834). Such an entry had no page number: the part line between two
    # entries ran into the entry above, the contents were no plan, and the part line in the
    # body was read as the decision of the point before it.
    contents = ["Til efterretning - for åbne døre...i"]
    body = ["Til efterretning - for åbne døre"]
    for number, title, page in EGEBJERG:
        if number == "91":
            contents.append("Til behandling - for åbne døre...iii")
            body.append("Til behandling - for åbne døre")
        contents.append(f"{number}. {title}...{page}")
        body += [f"{number}. {title}", "Sagsid.: 02/1234", PROSE, "Beslutning", "Godkendt."]
    paragraphs = ["Kommunalbestyrelsen", "Referat", "Indholdsfortegnelse", "\n".join(contents)]
    split = text_pdf([*paragraphs, *body])
    assert [(i.number, i.title) for i in split.items] == [(n, t) for n, t, _ in EGEBJERG]
    assert [i.beslutning for i in split.items] == ["Godkendt."] * len(EGEBJERG)
    assert split.problems == ()


PARTS = ("LUKKET MØDE", "Lukket møde", "Åbent møde", "Til behandling - for lukkede døre")


@pytest.mark.parametrize("part", PARTS)
def test_a_part_line_for_the_closed_meeting_ends_the_point_before_it(part: str) -> None:
    # Municipal minutes numbered on through the year head the points heard behind closed doors
    # with a part line and go on numbering: Haderslev's "LUKKET MØDE" before "367." (docplayer.
    # dk/1357731), Egebjerg's "Til behandling - for lukkede døre" before "103." (docplayer.dk/
    # 2007834). Without contents the line was read as the decision's last line.
    titles = ["Valgsteder i kommunen", "Sammenhængende børnepolitik", "Salg af grund"]
    paragraphs = ["Byrådet", "Referat"]
    for number, title in enumerate(titles, 365):
        if number == 367:
            paragraphs.append(part)
        paragraphs += [f"{number}. {title}", "Sagsnr.: 07/1234", "Sagsfremstilling", PROSE]
        paragraphs += ["Beslutning", "Godkendt."]
    split = text_pdf(paragraphs)
    assert [(i.number, i.title) for i in split.items] == list(
        zip(["365", "366", "367"], titles, strict=True)
    )
    assert [i.beslutning for i in split.items] == ["Godkendt."] * 3


SIGNATURES = (
    ["Underskrifter:", "Jens Hansen (A)\nMette Holm (V)\nIb Jensen (C)"],
    ["Underskriftsblad", "Jens Hansen, formand", "Mette Holm, næstformand"],
    ["____________________\nJens Hansen\nFormand", "____________________\nMette Holm"],
    ["Referent: Inger Nielsen"],
)


@pytest.mark.parametrize("signatures", SIGNATURES)
def test_the_signatures_after_the_last_point_are_no_part_of_its_decision(
    signatures: list[str],
) -> None:
    # Municipal minutes end on the members' signatures (Holbæk's "Underskriftsark",
    # dagsordner.holbaek.dk agenda_473493; signing rules with the names under them) or the name
    # of who wrote them ("Referent ...", Business Region North Denmark's minutes under KKR
    # Nordjylland), with no "Mødet hævet" before: they were told as the last point's decision.
    titles = ["Budget 2025 for fællesudgifterne", "Udpegning til Erhvervshusets bestyrelse"]
    decisions = ["Godkendt.", "Udpeget:\nJens Hansen (A)\nMette Holm (V)"]
    paragraphs = ["Økonomiudvalget", "Referat"]
    for number, (title, decision) in enumerate(zip(titles, decisions, strict=True), 1):
        paragraphs += [f"{number}. {title}", f"Sagsnr.: 24/0{number}611", "Sagsfremstilling"]
        paragraphs += [PROSE, "Beslutning", decision]
    unsigned = text_pdf(paragraphs)
    split = text_pdf([*paragraphs, *signatures])
    assert [i.beslutning for i in split.items] == [i.beslutning for i in unsigned.items]
    assert "Mette Holm (V)" in (split.items[-1].beslutning or "")  # the decision's names stay
    assert not any(line in split.items[-1].text for line in ("Underskrift", "___", "Referent"))


def test_a_long_title_with_its_number_set_under_it_is_a_point() -> None:
    # Rødovre's titles run long ("Tillæg 1 til Lokalplan 145 Udvidelse af delområde F og G -
    # endelig vedtagelse", rk.dk/politik/kommunalbestyrelsen/visning/moede/KB-UID183461-1):
    # one of over 120 characters, wrapped onto a second line, was no title over its "Sag nr.",
    # and its point was lost inside the one before (reported as a point swallowed).
    long = (
        "Tillæg 1 til Lokalplan 145 Udvidelse af delområde F og G - endelig vedtagelse samt "
        "kommuneplantillæg nr. 12 for boligområdet ved Islevbro og den tilhørende miljøvurdering"
    )
    points = [("129", "Spørgetid"), ("130", long), ("131", "Anlægsbevilling til hockeybanen")]
    paragraphs = ["Kommunalbestyrelsen", "Referat"]
    for number, title in points:
        paragraphs += [title, f"Sag nr. {number}", "Sagens kerne", PROSE]
        paragraphs += ["Beslutning", "Godkendt."]
    split = text_pdf(paragraphs)
    assert [(i.number, i.title) for i in split.items] == points
    assert split.problems == ()


@pytest.mark.parametrize(
    ("cover", "place"),
    [
        # Region Midtjylland's Kontaktudvalg (rm.dk, dagsordner, SelectedMeetingId=790).
        (
            "Dagsorden\ntil mødet i Kontaktudvalget den 27. september 2011 kl. 10:00 i "
            "Regionsrådssalen, Regionshuset Viborg",
            "Regionsrådssalen, Regionshuset Viborg",
        ),
        # Thisted Byråd's minutes (docplayer.dk/28268022).
        (
            "REFERAT fra møde i Thisted Byråd den 27. marts 2007 kl. 19.00 i byrådssalen",
            "byrådssalen",
        ),
        # The day alone, no time, then the place.
        ("Dagsorden til møde i KKR Sjælland den 17. april 2024 i Sorø", "Sorø"),
        # Nothing after the day: no place.
        ("Dagsorden til møde i KKR Nordjylland den 26. juni 2015 kl. 10.00", None),
    ],
)
def test_the_place_after_the_meeting_day_in_a_title_line(cover: str, place: str | None) -> None:
    # Covers with no labels name the meeting, its day and time and then where it is held in
    # one line ("til mødet i Kontaktudvalget den 27. september 2011 kl. 10:00 i
    # Regionsrådssalen, ..."): the day and time were read, the place was lost.
    meeting = infer_meeting(cover, None)
    assert meeting is not None and meeting.starts_at is not None
    assert meeting.place == place


def test_where_the_case_was_treated_before_under_the_heading_is_no_part_of_the_title() -> None:
    # Ballerup's minutes list under each heading where the case was treated before, naming the
    # committee, the day and the point with "den" ("Økonomiudvalget den 25. oktober 2005, pkt.
    # 3", docplayer.dk/4018936): the lines were read as more of the title.
    titles = ["Ny styrelsesvedtægt - endelig vedtagelse", "Ændring af vedtægt for Folkeoplysning"]
    paragraphs = ["Kommunalbestyrelsen", "Referat"]
    for number, title in enumerate(titles, 2):
        paragraphs += [f"{number}. {title}"]
        paragraphs += [
            "Økonomiudvalget den 25. oktober 2005, pkt. 3\n"
            "Kommunalbestyrelsen den 31. oktober 2005, pkt. 3"
        ]
        paragraphs += [
            "Resumé",
            PROSE,
            "Indstilling",
            "Direktionen indstiller, at sagen godkendes.",
        ]
    split = text_pdf(paragraphs)
    assert [(i.number, i.title) for i in split.items] == list(zip(["2", "3"], titles, strict=True))
    assert [i.beslutning for i in split.items] == [None, None]


@pytest.mark.parametrize(
    "cover",
    [
        "Dagsorden til møde i KKR Nordjylland den 26. juni 2015 kl. 10.00 i forbindelse med "
        "KL's Topmøde",
        "Referat af møde i Byrådet den 4. marts 2024 kl. 17.00 i henhold til styrelsesloven",
        "Dagsorden til ekstraordinært møde i KKR Hovedstaden den 5. maj 2023 kl. 10.00 i stedet "
        "for mødet den 3. maj",
        "Møde den 5. maj 2023 kl. 10.00 i umiddelbar forlængelse af Økonomiudvalgets møde",
        "Dagsorden til møde i KKR Sjælland den 17. april 2024 i 2 timer",
        # The unlabelled day line under the title, as Køge's "Den 09.01.2020 kl. 13:00 i ...".
        "Referat af møde i Klima- og Planudvalget\nDen 9. januar 2020 kl. 13:00 i tilknytning "
        "til byrådets temamøde",
    ],
)
def test_a_phrase_with_i_after_the_meeting_day_is_no_place(cover: str) -> None:
    # "i" after the day and time opens a place ("i Regionsrådssalen", "i byrådssalen") or a
    # phrase that is none ("i forbindelse med", "i henhold til", "i stedet for"): the day and
    # time are the meeting's still, the phrase is no place to go to.
    meeting = infer_meeting(cover, None)
    assert meeting is not None and meeting.starts_at is not None
    assert meeting.place is None


@pytest.mark.parametrize(
    "ending",
    [
        ["Behandlet for lukkede døre"],  # the decision of a point heard behind closed doors
        ["Bilag", "Åben skole - evaluering 2023"],  # a bilag's name opening with "Åben"
        ["Bilag", "Lukket afdeling på plejecentret Solgården"],
    ],
)
def test_a_last_line_opening_like_a_part_line_stays_in_its_point(ending: list[str]) -> None:
    # Only the part lines themselves ("Lukket møde", "Til behandling - for lukkede døre") end
    # the point before them; a line that opens or ends with the same words is the point's.
    paragraphs = ["Byrådet", "Referat"]
    titles = ["Valgsteder i kommunen", "Evaluering af skolereformen", "Salg af grund"]
    for number, title in enumerate(titles, 365):
        paragraphs += [f"{number}. {title}", "Sagsnr.: 07/1234", "Sagsfremstilling", PROSE]
        paragraphs += ["Beslutning", "Godkendt.", *(ending if number == 366 else [])]
    split = text_pdf(paragraphs)
    assert [i.title for i in split.items] == titles
    assert split.items[1].text.endswith(ending[-1])


@pytest.mark.parametrize(
    "after",
    [
        # A rule of underscores set as a divider before a note added to the minutes.
        [
            "____________________",
            "Enhedslisten ønskede følgende tilført referatet: Enhedslisten kan ikke støtte "
            "forslaget, da det forringer serviceniveauet.",
        ],
        # "Underskrift" heading what the decision says of the signing.
        ["Underskrift", "Aftalen underskrives af borgmesteren på kommunens vegne."],
    ],
)
def test_a_signing_line_with_text_under_it_is_the_last_points(after: list[str]) -> None:
    # Signatures are names under a label or a rule; a sentence under one is the point's own.
    paragraphs = ["Økonomiudvalget", "Referat"]
    for number, title in enumerate(["Budget 2025 for fællesudgifterne", "Eventuelt"], 1):
        paragraphs += [f"{number}. {title}", f"Sagsnr.: 24/0{number}611", "Sagsfremstilling"]
        paragraphs += [PROSE, "Beslutning", "Godkendt."]
    split = text_pdf([*paragraphs, *after])
    assert (split.items[-1].beslutning or "").endswith(after[-1])
