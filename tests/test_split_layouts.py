"""Generated agendas and minutes, PDF bytes -> extract() -> split_document(): every point back.

tests/agenda_layouts.py draws each document from a seed and knows what it contains; see its
docstring for the layouts. A document is rendered and extracted once per session.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from itertools import pairwise

import pytest

from notifier.extract import extract
from notifier.models import Document, DocumentKind
from notifier.split import Split, split_document
from tests.agenda_layouts import (
    Meeting,
    Point,
    Rendered,
    deeper,
    meeting,
    render,
    retitled,
    tight,
    without,
)

SEEDS = range(240)


def squeeze(text: str | None) -> str | None:
    """Line breaks are layout, not content: compare texts with whitespace folded."""
    return re.sub(r"\s+", " ", text).strip() or None if text is not None else None


@cache
def extracted(seed: int) -> tuple[Meeting, Rendered, Document]:
    drawn = meeting(seed)
    rendered = render(drawn)
    return drawn, rendered, read(drawn, rendered)


def read(drawn: Meeting, rendered: Rendered | None = None) -> Document:
    kind = "dagsorden" if drawn.kind == "agenda" else "referat"
    pdf = (rendered or render(drawn)).pdf
    return extract(pdf, url=f"https://www.kl.dk/media/{drawn.seed}/{kind}.pdf", content_type=None)


def fields(point: Point) -> tuple[str | None, ...]:
    return (
        point.number,
        squeeze(point.title),
        point.case,
        squeeze(point.indstilling),
        squeeze(point.beslutning),
    )


def found(split: Split) -> list[tuple[str | None, ...]]:
    return [
        (i.number, i.title, i.case_number, squeeze(i.indstilling), squeeze(i.beslutning))
        for i in split.items
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_point_comes_back(seed: int) -> None:
    drawn, _, document = extracted(seed)
    assert document.kind == (
        DocumentKind.AGENDA if drawn.kind == "agenda" else DocumentKind.MINUTES
    )
    split = split_document(document)
    assert found(split) == [fields(point) for point in drawn.points]
    assert split.problems == ()
    assert len({item.key for item in split.items}) == len(split.items)
    running = drawn.running_texts()
    for item, point in zip(split.items, drawn.points, strict=True):
        text = squeeze(item.text) or ""
        position = 0
        for paragraph in point.prose():  # all of the point's text, in order
            at = text.find(squeeze(paragraph) or "", position)
            assert at >= 0, (item.number, paragraph)
            position = at
        assert not any(line in item.text for line in running)
        if point.initials:
            assert f"{point.case} {point.initials}" not in item.text
            assert item.text.startswith(f"{point.case}\n")


def test_the_generated_set_covers_the_layouts() -> None:
    """The claims of agenda_layouts.py hold over the seeds the suite runs."""
    seen: Counter[str] = Counter()
    for seed in SEEDS:
        drawn = meeting(seed)
        style = drawn.style
        numbers = [h.number for h in drawn.plan if h.number]
        majors = [int(n.split(".")[0]) for n in numbers]
        seen[drawn.kind] += 1
        seen[f"toc {style.toc}"] += 1
        seen["toc pages lie"] += style.toc in ("leaders", "tabs") and style.pages_lie
        seen["gap between groups"] += any(b > a + 1 for a, b in pairwise(majors))
        seen["restart"] += any(h.number == "" for h in drawn.plan)
        seen["point without group"] += any("." not in p.number for p in drawn.points)
        seen["two-line heading"] += any(len(p.title) > 70 for p in drawn.points)
        seen["heading lines apart"] += style.heading_loose
        seen["iso date header"] += bool(
            style.header and re.search(r"\d{4}-\d\d-\d\d", style.header)
        )
        seen["page number"] += bool(style.footer and "{page}" in style.footer)
        seen["table"] += any(
            b.kind == "table" for p in drawn.points for s in p.sections for b in s.blocks
        )
        seen["numbered list"] += any(
            b.kind == "numbered" for p in drawn.points for s in p.sections for b in s.blocks
        )
        seen["toc title differs"] += any(p.toc_title for p in drawn.points)
        seen["initials"] += any(p.initials for p in drawn.points)
    assert seen["agenda"] >= 100 and seen["minutes"] >= 100
    for feature in (
        "toc leaders", "toc tabs", "toc list", "toc none", "toc pages lie", "gap between groups",
        "restart", "point without group", "two-line heading", "heading lines apart",
        "iso date header", "page number", "table", "numbered list", "toc title differs",
        "initials",
    ):  # fmt: skip
        assert seen[feature] >= 10, feature


def test_points_run_over_page_breaks() -> None:
    """Many points run over a page break, so the suite tests the joining of pages too."""
    spanning = [len(extracted(seed)[1].spanning) for seed in SEEDS]
    assert sum(spanning) >= 2 * len(SEEDS)
    assert sum(count > 0 for count in spanning) >= len(SEEDS) * 3 // 4


TOC_SEEDS = [s for s in SEEDS if meeting(s).style.toc in ("leaders", "tabs")][:12]


@pytest.mark.parametrize("seed", TOC_SEEDS)
def test_a_point_missing_from_the_body_is_a_problem(seed: int) -> None:
    drawn = meeting(seed)
    lost = drawn.points[len(drawn.points) // 2]
    broken = without(drawn, lost.number)
    split = split_document(read(broken))
    assert any(
        problem.startswith("ToC lists ") and lost.number in problem.split(" not found")[0]
        for problem in split.problems
    ), split.problems
    assert found(split) == [fields(point) for point in broken.points]


def _gapped() -> list[tuple[int, str]]:
    """Seeds without a table of contents and a group of three or more points: the middle one."""
    chosen = []
    for seed in SEEDS:
        drawn = meeting(seed)
        if drawn.style.toc != "none":
            continue
        numbers = [p.number for p in drawn.points]
        for number in numbers:
            major, _, minor = number.partition(".")
            if minor == "2" and f"{major}.3" in numbers:
                chosen.append((seed, number))
                break
    return chosen[:6]


@pytest.mark.parametrize(("seed", "number"), _gapped())
def test_without_toc_a_gap_inside_a_group_is_a_problem(seed: int, number: str) -> None:
    major = number.split(".")[0]
    split = split_document(read(without(meeting(seed), number)))
    assert f"numbering skips {number} (between {major}.1 and {major}.3)" in split.problems


def _deepened(seed: int) -> bool:
    """Whether a seed's layout can be drawn one level deeper as it is: with a table of contents,
    or numbered without gaps (1, 2, 3, and again after a part line). One level down, without
    contents, a gap between groups is one inside a group, which is the sign of a lost point."""
    drawn = meeting(seed)
    if drawn.style.toc != "none":
        return True
    following = 1
    for heading in drawn.plan:
        major = int(heading.number.split(".")[0]) if heading.number else 0
        if heading.number and major not in (following - 1, following):
            return False
        following = major + 1
    return True


@pytest.mark.parametrize("seed", [seed for seed in SEEDS if _deepened(seed)][::8])
def test_three_levels_of_numbering_come_back(seed: int) -> None:
    # The layouts again, one level deeper: under a group heading that opens the plan ("2.
    # Sager" above "2.3. Regionalpolitiske sager" above "2.3.1."), or with no heading of one
    # level at all.
    original = meeting(seed)
    for drawn in (deeper(original, "2", "Sager til behandling"), deeper(original, "5", None)):
        split = split_document(read(drawn))
        assert found(split) == [fields(point) for point in drawn.points]
        assert split.problems == ()


LOWER_CASE = (
    "e-Sundhed og digitale løsninger i kommunerne",
    "eHealth i det nære sundhedsvæsen",
    "it-understøttelse af det tværkommunale samarbejde",
)


@pytest.mark.parametrize("seed", TOC_SEEDS)
def test_titles_opening_in_lower_case_in_tight_contents_come_back(seed: int) -> None:
    drawn = meeting(seed)
    numbers = [point.number for point in drawn.points if point.case][1::2]
    drawn = tight(retitled(drawn, dict(zip(numbers, LOWER_CASE, strict=False))))
    split = split_document(read(drawn))
    assert found(split) == [fields(point) for point in drawn.points]
    assert split.problems == ()
