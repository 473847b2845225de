"""An agenda stays an agenda though its points have something under a decision heading that is
no decision of its meeting: what an agenda's template prints under its empty "Beslutning", or
the decision of a committee that treated the case before, undated. Read through
extract_split() as the service reads them; the wording is invented, in the layouts of municipal
agendas (a cover naming the body, points with Resume / Sagsfremstilling / Indstilling). Each
failed before the change it was written for: more than half of the points seemed to record a
decision, and the agenda was taken for its minutes (its points told as decided, a new document
beside the stored agenda).
"""

from __future__ import annotations

import pytest

from notifier.models import DocumentKind
from tests.test_kind_from_decisions import _pdf, _points

COVER = ["Byrådet", "Dagsorden", "Dato: 29. januar 2020"]
RECOMMENDS = ["Indstilling", "Direktionen indstiller, at planen godkendes."]

SLOTS = {
    # the bilag listed under the empty heading, with no "Bilag" heading of their own
    "bilag": ["Beslutning", "Bilag 1: Notat om planen", "Bilag 2: Kort over området"],
    "files": ["Beslutning", "Notat om planen.pdf"],
    # a note that the decision is written at the meeting
    "placeholder": ["Beslutning", "(udfyldes på mødet)"],
    # what the point asks for, set under the heading
    "asks": ["Beslutning", "Til godkendelse"],
    # the wording proposed for the decision
    "proposal": ["Beslutning", "Forslag: At planen godkendes."],
}


@pytest.mark.parametrize("slot", sorted(SLOTS))
def test_what_an_agenda_prints_under_an_empty_decision_is_no_decision(slot: str) -> None:
    document, split = _pdf([*COVER, *_points([*RECOMMENDS, *SLOTS[slot]])])
    assert document.kind is DocumentKind.AGENDA
    assert document.title == "Dagsorden 29. januar 2020"
    assert len(split.items) == 3


COMMITTEES = [
    ["Økonomiudvalgets beslutning", "Anbefales."],
    ["Økonomiudvalgets beslutning: Anbefales."],
    ["Beslutning i Økonomiudvalget", "Anbefales."],
]


@pytest.mark.parametrize("decided", COMMITTEES)
def test_a_committee_s_undated_decision_in_the_council_s_agenda_is_no_record_of_it(
    decided: list[str],
) -> None:
    # The committee's decision before the council's meeting, set with no day: the Byråd's
    # agenda carries it, the cover names the Byråd.
    document, _ = _pdf([*COVER, *_points([*RECOMMENDS, *decided])])
    assert document.kind is DocumentKind.AGENDA


@pytest.mark.parametrize(
    ("body", "decided"),
    [
        ("Økonomiudvalget", ["Økonomiudvalgets beslutning: Anbefales."]),
        ("Byrådet", ["Byrådets beslutning", "Godkendt."]),
        ("Byrådet", ["Beslutning i Byrådet", "Godkendt."]),
    ],
)
def test_the_decisions_of_the_body_the_cover_names_are_its_minutes(
    body: str, decided: list[str]
) -> None:
    # Still: the body's own decisions, undated, under "Dagsorden og referat".
    cover = [body, "Dagsorden og referat", "Dato: 29. januar 2020"]
    document, split = _pdf([*cover, *_points([*RECOMMENDS, *decided])])
    assert document.kind is DocumentKind.MINUTES
    assert [item.beslutning for item in split.items] == [decided[-1].split(": ")[-1]] * 3
