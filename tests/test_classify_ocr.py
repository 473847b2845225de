"""OCR and lost-diacritic damage from real documents classifies as the clean text does.

tests/data/ocr_real.jsonl holds passages as they came out of OCR or a page that lost æ/ø/å
(seed 004, the scanned KKR Sjælland brochure; a page without diacritics), each beside the same
passage with the letters restored by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from notifier.classify import Classifier, fold

ROOT = Path(__file__).resolve().parent.parent
ROWS = [
    json.loads(line)
    for line in (ROOT / "tests" / "data" / "ocr_real.jsonl").read_text("utf-8").splitlines()
]


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_damaged_passage_gets_the_clean_topics(classifier: Classifier, row: dict[str, Any]) -> None:
    damaged = classifier.classify(title=row["title"], text=row["text"])
    clean = classifier.classify(title=row["clean_title"], text=row["clean_text"])
    assert clean
    assert [m.topic for m in damaged] == [m.topic for m in clean]


def words(text: str) -> list[str]:
    return text.replace("-\n", "").split()


# What folding leaves as it is: OCR look-alikes of æ, ø and å (a, e, d). It does not guess at
# them in the text; long terms are generated with them instead.
LOOK_ALIKES = {
    ("Bide", "Både"),
    ("afgerende", "afgørende"),
    ("beskaftigelse", "beskæftigelse"),
    ("beskaftigelsen", "beskæftigelsen"),
    ("erhvervsomrddet,", "erhvervsområdet,"),
    ("erhvervssammensatningen", "erhvervssammensætningen"),
    ("milje", "miljø"),
    ("milje-", "miljø-"),
    ("ndr", "når"),
    ("omrddet.", "området."),
    ("sundhedsomrddet.", "sundhedsområdet."),
}


def test_damaged_words_fold_like_clean_ones() -> None:
    """Word by word, folding repairs doubled or OCR'd æ ("Sjeelland", "Sjzelland",
    "sammenhcengende", "bosztninger"), ae/oe/aa, "pd"/"p3" for "på" and lost rings and strokes
    ("Kobenhavn", "storrelse"); only the look-alikes are left."""
    left = set()
    for row in ROWS:
        damaged = words(f"{row['title']} {row['text']}")
        clean = words(f"{row['clean_title']} {row['clean_text']}")
        assert len(damaged) == len(clean), row["id"]
        left |= {(d, c) for d, c in zip(damaged, clean, strict=True) if fold(d) != fold(c)}
    assert left == LOOK_ALIKES
