"""The quality gate on real pages it was not written from: clean text must pass, damage be held.

tests/data/quality_real.jsonl holds real public pages (municipal and regional agendas and
minutes, news, lists of members, tables of figures, legal text, pages that lost æ/ø/å in a few
words) as stored copies give them, each with the verdict a reader gives it: ``clean`` or
``damaged`` (a text layer made of letters spaced apart, as OCR and some PDFs give it). A held
clean page is real news told to nobody; a passed damaged page mails garbage.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from notifier.quality import ocr_damage

DATA = Path(__file__).resolve().parent / "data" / "quality_real.jsonl"
ROWS: list[dict[str, Any]] = [
    json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()
]


def pieces(text: str, size: int = 60) -> list[str]:
    """The text cut at blank lines into pieces of about ``size`` words or more: what a
    newsletter section or an agenda point of the page would hold."""
    out: list[str] = []
    current: list[str] = []
    for part in re.split(r"\n\s*\n", text):
        current.append(part)
        if sum(len(re.findall(r"[^\W\d_]+", p)) for p in current) >= size:
            out.append("\n\n".join(current))
            current = []
    if current:
        out.append("\n\n".join(current))
    return out


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_real_page_gets_its_verdict(row: dict[str, Any]) -> None:
    if row["verdict"] == "damaged":
        assert ocr_damage(row["text"]) is not None
        return
    for text in (row["text"], *pieces(row["text"])):
        assert ocr_damage(text) is None, text[:200]
