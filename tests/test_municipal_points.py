"""Agenda and minutes points as municipal agenda systems and other councils set them.

Each test takes generated KL-style documents (tests/agenda_layouts.py), changes the one thing
the layout it names does otherwise, renders them to PDF and reads them back through extract()
and split_document(), so the whole path a real document takes is run. Each names where the
layout was seen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import pytest

from notifier.extract import extract
from notifier.models import DocumentKind, Item
from notifier.split import Split, point_summary, split_document
from tests.agenda_layouts import (
    Block,
    Meeting,
    Point,
    Section,
    meeting,
    paragraphs_split,
    render,
)

SEEDS = range(24)


def split_pdf(drawn: Meeting) -> Split:
    kind = "dagsorden" if drawn.kind == "agenda" else "referat"
    url = f"https://www.kl.dk/media/{drawn.seed}/{kind}.pdf"
    document = extract(render(drawn).pdf, url=url, content_type=None)
    assert document.kind == (
        DocumentKind.AGENDA if drawn.kind == "agenda" else DocumentKind.MINUTES
    )
    return split_document(document)


def text_pdf(paragraphs: list[str], *, kind: str = "referat") -> Split:
    return paragraphs_split(paragraphs, kind=kind)


def edited(drawn: Meeting, change: Callable[[Point], Point]) -> Meeting:
    """The meeting with every point changed, in the body and the table of contents alike."""
    plan = []
    for heading in drawn.plan:
        if heading.point is None:
            plan.append(heading)
            continue
        point = change(heading.point)
        plan.append(replace(heading, title=point.title, point=point))
    return replace(drawn, plan=tuple(plan))


def squeeze(text: str | None) -> str | None:
    return re.sub(r"\s+", " ", text).strip() if text is not None else None


def found(items: list[Item]) -> list[tuple[str | None, ...]]:
    return [(i.number, i.title, i.case_number, squeeze(i.beslutning)) for i in items]


def truth(drawn: Meeting) -> list[tuple[str | None, ...]]:
    return [(p.number, p.title, p.case, squeeze(p.beslutning)) for p in drawn.points]


MARKS = ("{} (Åben)", "{} (Lukket)", "{} - Lukket punkt", "Lukket sag: {}", "{} (Åbent punkt)")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_mark_of_an_open_or_closed_point_is_no_part_of_its_title(seed: int) -> None:
    # Municipal agenda systems mark in the title whether a point is heard in public: "Budget
    # 2022 (Åben)", "(Lukket)", "Salg af grund - Lukket punkt", and Egebjerg's "103. Lukket
    # sag: Tandpleje for børn og unge under 18 år" (docplayer.dk/2007834). It says how the
    # meeting treats the point, not what it is about, and was kept in the title.
    drawn = meeting(seed)
    marks = iter(MARKS * 20)
    marked = edited(drawn, lambda p: replace(p, title=next(marks).format(p.title), toc_title=None))
    split = split_pdf(marked)
    assert found(split.items) == truth(drawn)
    assert split.problems == ()


PROSE = (
    "Forvaltningen har udarbejdet et forslag, som har været drøftet med de berørte parter, og "
    "der lægges op til, at forslaget sendes videre til endelig behandling."
)


def test_a_line_that_marks_the_point_open_is_no_line_of_its_title() -> None:
    # "Åbent punkt" / "Lukket punkt" set on a line of its own between the heading and the case
    # number was read as the title's second line: "Salg af grund Lukket punkt".
    points = [
        ("1", "Godkendelse af dagsorden", "Åbent punkt", "21/00001"),
        ("2", "Budget 2022 for kommunens institutioner", "Åbent punkt", "21/12345"),
        ("3", "Salg af grund", "Lukket punkt", "21/12399"),
    ]
    paragraphs = ["Dagsorden"]
    for number, title, mark, case in points:
        paragraphs += [f"{number}. {title}", mark, f"Sagsnr. {case}", "Indstilling", PROSE]
    split = text_pdf(paragraphs, kind="dagsorden")
    assert [(i.number, i.title, i.case_number) for i in split.items] == [
        (number, title, case) for number, title, _, case in points
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_case_number_after_sag_alone(seed: int) -> None:
    # Municipal journal numbers set after "Sag" alone ("Sag 306-2009-600"), where others write
    # "Sag nr." or "Sag:": the line was no case number, so it ran into the title.
    drawn = meeting(seed)
    numbers = iter(range(600, 700))

    def filed(point: Point) -> Point:
        return replace(point, case=f"306-2009-{next(numbers)}") if point.case else point

    plain = edited(drawn, filed)
    labelled = edited(plain, lambda p: replace(p, case=f"Sag {p.case}") if p.case else p)
    split = split_pdf(labelled)
    assert found(split.items) == truth(plain)
    assert split.problems == ()


@pytest.mark.parametrize("seed", SEEDS)
def test_a_sentence_about_the_agenda_at_the_end_of_a_point_is_its_text(seed: int) -> None:
    # "Dagsorden blev godkendt" (kk.dk's lokaludvalg minutes: "Dagsorden blev godkendt som
    # udsendt"), "Det indstilles, at dagsordenen godkendes.": the last line of the point before
    # a heading was taken for a part line ("Lukket dagsorden") because it names the agenda, and
    # so cut off: the decision of "Godkendelse af dagsorden" was lost. Without contents, where
    # the body's headings are the plan.
    drawn = meeting(seed)
    drawn = replace(drawn, style=replace(drawn.style, toc="none"))
    label = "Beslutning" if drawn.kind == "minutes" else "Indstilling"
    line = (
        "Dagsorden blev godkendt"
        if drawn.kind == "minutes"
        else "Det indstilles, at dagsorden godkendes."
    )

    def last(point: Point) -> Point:
        kept = tuple(s for s in point.sections if s.label != label)
        return replace(point, sections=(*kept, Section(label, (Block((line,)),))))

    split = split_pdf(edited(drawn, last))
    assert [i.number for i in split.items] == [p.number for p in drawn.points]
    assert [squeeze(i.beslutning or i.indstilling) for i in split.items] == [line] * len(
        split.items
    )


def minutes(seed: int) -> Meeting:
    return meeting(seed, kind="minutes")


def relabelled(drawn: Meeting, label: Callable[[int], str]) -> Meeting:
    """The minutes with each point's Beslutning headed `label(n)` (n counts the points)."""
    count = iter(range(40, 100))

    def change(point: Point) -> Point:
        n = next(count)
        # Run in, the label is set with a colon of its own: "...: Godkendt."
        heading = label(n)
        sections = tuple(
            replace(s, label=heading.rstrip(":") if s.run_in else heading)
            if s.label == "Beslutning"
            else s
            for s in point.sections
        )
        return replace(point, sections=sections)

    return edited(drawn, change)


COMMITTEE = (
    "Kultur- og Idrætsudvalget, 03-04-2019, pkt. {}",  # roskilde.dk, kultur-og-idraetsudvalget
    "Økonomiudvalget, 18. september 2019, pkt. {}:",  # rk.dk, Kommunalbestyrelsen 24-09-2019
)


@pytest.mark.parametrize("heading", COMMITTEE)
@pytest.mark.parametrize("seed", SEEDS)
def test_a_decision_headed_by_the_committee_the_day_and_the_point(seed: int, heading: str) -> None:
    # Roskilde's minutes head the decision "Kultur- og Idrætsudvalget, 03-04-2019, pkt. 44",
    # Rødovre's "Økonomiudvalget, 18. september 2019, pkt. 153:", with no "Beslutning": the
    # decision was read as the end of the section before it, and the point had none.
    drawn = minutes(seed)
    split = split_pdf(relabelled(drawn, heading.format))
    assert found(split.items) == truth(drawn)
    assert split.problems == ()


CHAINS = (
    ("Økonomiudvalget, 10-04-2019, pkt. {}", "Byrådet, 24-04-2019, pkt. {}"),
    ("Beslutning i Økonomiudvalget den 10-04-2019", "Beslutning i Byrådet den 24-04-2019"),
)


@pytest.mark.parametrize("chain", CHAINS)
@pytest.mark.parametrize("seed", SEEDS)
def test_the_decision_is_the_last_body_s(seed: int, chain: tuple[str, str]) -> None:
    # A council's minutes give the committees' decisions on the case before the council's own
    # (Rødovre: "Teknik- og Miljøudvalget, 10. september 2019, pkt. 65: Anbefales.", then
    # "Økonomiudvalget, ...: Indstilles godkendt.", then the decision). The decisions were
    # joined into one, and two "Beslutning i ..." headings were reported as a point swallowed.
    drawn = minutes(seed)
    earlier, own = chain

    def committee_first(point: Point) -> Point:
        sections = []
        for n, section in enumerate(point.sections):
            if section.label == "Beslutning":
                recommended = Block(("Anbefales.",))
                sections.append(Section(earlier.format(n + 10), (recommended,)))
                section = replace(section, label=own.format(n + 90))
            sections.append(section)
        return replace(point, sections=tuple(sections))

    split = split_pdf(edited(drawn, committee_first))
    assert found(split.items) == truth(drawn)
    assert split.problems == ()


def test_one_body_s_decisions_of_two_points_in_one_are_a_point_swallowed() -> None:
    # The same body's decision of the same day twice in one point is a point swallowed, as two
    # "Beslutning" are, though the point numbers differ.
    paragraphs = ["Referat", "Pkt. 1", "Beslutninger om dagsordenen", "Sagsnr. 295848"]
    paragraphs += ["Økonomiudvalget, 16-01-2019, pkt. 1", "Godkendt.", "Orientering om Musicon"]
    paragraphs += [
        "Sagsnr. 283288",
        "Økonomiudvalget, 16-01-2019, pkt. 2",
        "Taget til efterretning.",
    ]
    split = text_pdf(paragraphs)
    assert [i.number for i in split.items] == ["1"]
    assert split.problems == ("1 has Beslutning twice: a point swallowed?",)


RECORD = ("Konklusion", "Referat:", "Referat")


@pytest.mark.parametrize("word", RECORD)
@pytest.mark.parametrize("seed", SEEDS)
def test_minutes_that_head_the_decision_with_another_word(seed: int, word: str) -> None:
    # Minutes that write "Konklusion" or "Referat:" where others write "Beslutning" (the
    # minutes of networks and boards under the KKR): the decision was read as the end of the
    # section before it (an Indstilling holding what was decided), and the point had none.
    drawn = minutes(seed)
    split = split_pdf(relabelled(drawn, lambda _: word))
    assert found(split.items) == truth(drawn)
    for item, point in zip(split.items, drawn.points, strict=True):
        assert squeeze(item.indstilling) == squeeze(point.indstilling)
        assert point.beslutning is not None
        assert point.beslutning not in squeeze(point_summary(item.text, item.beslutning) or "")


ANALYSIS = Section("Konklusion", (Block(("Analysen viser, at kapaciteten rækker til 2030.",)),))


@pytest.mark.parametrize("seed", SEEDS)
def test_a_conclusion_inside_the_text_is_no_decision(seed: int) -> None:
    # Agendas use the words otherwise: the "Konklusion" of an analysis inside the
    # Sagsfremstilling is its text, in agendas always, in minutes where it stands between two
    # other sections (the Beslutning is then headed as such).
    drawn = meeting(seed)

    def concluded(point: Point) -> Point:
        labels = [s.label for s in point.sections]
        if "Sagsfremstilling" not in labels or "Baggrund" not in labels:
            return point
        at = labels.index("Baggrund") + 1
        return replace(point, sections=(*point.sections[:at], ANALYSIS, *point.sections[at:]))

    for document in (drawn, relabelled(drawn, lambda _: "Referat:")):
        split = split_pdf(edited(document, concluded))
        assert found(split.items) == truth(drawn)
        for item, point in zip(split.items, drawn.points, strict=True):
            assert squeeze(item.indstilling) == squeeze(point.indstilling)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_title_set_again_under_its_heading_is_said_once(seed: int) -> None:
    # Holbæk's agendas and minutes (dagsordner.holbaek.dk, agenda_473493) set the title again
    # under the numbered heading, with no case number between ("49. Godkendelse af dagsorden
    # til mødet den 4. juni 2020", then "Godkendelse af dagsorden til mødet den 4. juni 2020",
    # then "Sagsgang og sagstype"): the title was read twice over.
    drawn = meeting(seed)

    def repeated(point: Point) -> Point:
        again = Section("", (Block((point.title,)),))
        return replace(point, case=None, sections=(again, *point.sections))

    plain = edited(drawn, lambda p: replace(p, case=None))
    split = split_pdf(edited(drawn, repeated))
    assert found(split.items) == truth(plain)


TEMPLATE = (
    ("Beslutningskompetence", "Økonomiudvalget"),  # roskilde.dk, rk.dk
    ("Sagens kerne", "Lokalplantillægget udvider det samlede lokalplanområde."),  # rk.dk
    ("Problemstilling", "Arbejdet skal give lokaludvalgene bedre vilkår."),  # kk.dk
    ("Konsekvenser", "Der er en klar sammenhæng mellem indstillingen og konsekvenserne."),
    ("Risikovurdering", "Der er ingen væsentlige risici."),  # edagsorden.regionh.dk
    ("Sagsforløb", "BY"),  # bronderslev.dk
)


@pytest.mark.parametrize(("heading", "text"), TEMPLATE)
@pytest.mark.parametrize("seed", range(8))
def test_a_municipal_template_s_section_ends_the_indstilling(
    seed: int, heading: str, text: str
) -> None:
    # Municipal templates head sections KL's does not: Roskilde's "Beslutningskompetence" right
    # after the Indstilling, Rødovre's "Sagens kerne", Region Hovedstaden's "Konsekvenser" and
    # "Risikovurdering". Unknown, the heading and its text were read as the Indstilling's end.
    drawn = meeting(seed)

    def after_indstilling(point: Point) -> Point:
        sections = []
        for section in point.sections:
            sections.append(section)
            if section.label == "Indstilling":
                sections.append(Section(heading, (Block((text,)),)))
        return replace(point, sections=tuple(sections))

    split = split_pdf(edited(drawn, after_indstilling))
    assert found(split.items) == truth(drawn)
    assert [squeeze(i.indstilling) for i in split.items] == [
        squeeze(p.indstilling) for p in drawn.points
    ]


@pytest.mark.parametrize(
    "absent", ["Fraværende: Jens Hansen (V)", "Afbud: Mette Holm (A)", "Fraværende med afbud:"]
)
def test_who_was_absent_set_tight_under_the_decision_is_no_part_of_it(absent: str) -> None:
    # Roskilde's minutes set "Fraværende: ..." on the line right under the decision, with no
    # gap: the two lines were joined into one paragraph, and the note was told as decided.
    titles = ["Budget 2025 for fællesudgifterne", "Status for klimaplanen"]
    paragraphs = ["Referat"]
    for n, title in enumerate(titles, 1):
        paragraphs += [f"{n}. {title}", f"SAG-2024-0{n}611", "Indstilling"]
        paragraphs += ["Det indstilles, at sagen godkendes.", "Beslutning", f"Godkendt.\n{absent}"]
    result = text_pdf(paragraphs)
    assert [item.number for item in result.items] == ["1", "2"]
    assert [item.beslutning for item in result.items] == ["Godkendt.", "Godkendt."]


@pytest.mark.parametrize("kind", ["dagsorden", "referat"])
def test_a_list_of_the_committees_that_treated_the_case_before_heads_no_decision(kind: str) -> None:
    # Municipal templates list where a case was treated before ("Sagen har tidligere været
    # behandlet:", then "Økonomiudvalget, 10-04-2019, pkt. 12"): set so, a committee's decision
    # heading (Roskilde's), the list made the Baggrund's text after it the point's decision, in
    # an agenda too, and the excerpt lost it.
    paragraphs = ["Dagsorden" if kind == "dagsorden" else "Referat"]
    paragraphs += ["1. Ny skolestruktur i kommunen", "Sagsnr. 283288", "Baggrund"]
    paragraphs += [
        "Sagen har tidligere været behandlet:",
        "Økonomiudvalget, 10-04-2019, pkt. 12",
        "Byrådet, 24-04-2019, pkt. 99",
        "Forvaltningen har siden udarbejdet et forslag til ny skolestruktur, som nu sendes i "
        "høring hos skolebestyrelserne.",
        "Indstilling",
        "Det indstilles, at forslaget sendes i høring.",
    ]
    split = text_pdf(paragraphs, kind=kind)
    [item] = split.items
    assert item.beslutning is None
    assert item.indstilling == "Det indstilles, at forslaget sendes i høring."
    assert "forslag til ny skolestruktur" in point_summary(item.text)


def test_a_conclusion_in_minutes_that_head_decisions_beslutning_is_no_decision() -> None:
    # Minutes heading their decisions "Beslutning" may hold a point without one (an
    # orientation) whose text ends on an analysis's "Konklusion": it was read as the decision,
    # and the excerpt lost it.
    paragraphs = ["Referat", "1. Analyse af det specialiserede socialområde", "Sagsnr. 283288"]
    paragraphs += [
        "Baggrund",
        "KL har gennemført en analyse af udgifterne på det specialiserede socialområde.",
        "Sagsfremstilling",
        "Analysen viser, at udgifterne er steget med 12 pct. siden 2019.",
        "Konklusion",
        "Analysen peger på, at kommunerne bør samarbejde mere om de specialiserede tilbud.",
        "2. Praktikpladser",
        "Sagsnr. 283289",
        "Beslutning",
        "Fordelingen blev godkendt.",
    ]
    split = text_pdf(paragraphs)
    assert [(i.number, i.beslutning) for i in split.items] == [
        ("1", None),
        ("2", "Fordelingen blev godkendt."),
    ]
    assert "samarbejde mere" in point_summary(split.items[0].text)


def test_a_numbered_list_with_consequences_run_in_holds_no_points() -> None:
    # Region Hovedstaden heads a section "Konsekvenser"; run in under the items of a numbered
    # list in the Sagsfremstilling ("2. Takst efter forbrug", then "Konsekvenser: ..."), it
    # confirmed the item as point 2, which swallowed the real point 2.
    paragraphs = ["Dagsorden", "1. Ny takstmodel for specialtilbud", "Sagsnr. 283288"]
    paragraphs += ["Sagsfremstilling", "Arbejdsgruppen foreslår to modeller:"]
    paragraphs += [
        "1. Fast takst for alle kommuner",
        "Konsekvenser: Taksten stiger for de små kommuner, mens de store betaler mindre.",
        "2. Takst efter forbrug",
        "Konsekvenser: Taksten følger forbruget, og ingen betaler for andres pladser.",
        "Indstilling",
        "Det indstilles, at KKR drøfter modellerne.",
        "2. Eventuelt",
        "Sagsnr. 283289",
        "Indstilling",
        "Det indstilles, at KKR drøfter eventuelle emner.",
    ]
    split = text_pdf(paragraphs, kind="dagsorden")
    assert [(i.number, i.title) for i in split.items] == [
        ("1", "Ny takstmodel for specialtilbud"),
        ("2", "Eventuelt"),
    ]
    assert split.problems == ()


def test_a_part_line_naming_what_its_points_ask_for_ends_the_point_before() -> None:
    # "Tillægsdagsorden – sager til godkendelse" names a part of the agenda: "godkendelse" is
    # no verb of a sentence about the agenda ("Dagsorden blev godkendt"), and the line was read
    # as the end of the Indstilling above it.
    paragraphs = ["Dagsorden", "1. Praktikpladser", "Sagsnr. 283288", "Indstilling"]
    paragraphs += ["Det indstilles, at fordelingen godkendes."]
    paragraphs += ["Tillægsdagsorden – sager til godkendelse", "2. Salg af grund"]
    paragraphs += ["Sagsnr. 283289", "Indstilling", "Det indstilles, at grunden sælges."]
    split = text_pdf(paragraphs, kind="dagsorden")
    assert [i.indstilling for i in split.items if i.number] == [
        "Det indstilles, at fordelingen godkendes.",
        "Det indstilles, at grunden sælges.",
    ]
