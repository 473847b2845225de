"""ms per document for each fixture: HTML with selectolax (ours) and trafilatura, PDFs with
pypdfium2 (ours) and, when installed, pypdf and pdfminer.six for comparison; for agendas and
minutes also split_document() on the extracted text; and what the service pays per document:
extract + split in-process against the same through the bounded extraction worker process
(pickling and a pipe round trip added).

With --generated N, also N generated agenda/minutes PDFs (tests/agenda_layouts.py): how many
of their points come back exactly (number, title, case number, Indstilling, Beslutning), how
many documents report problems, and the time to extract and split them.

    /work/venv/bin/python bench/extract.py [--rounds N] [--generated N] [--start SEED]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notifier.extract import extract
from notifier.extract.html import read_html
from notifier.extract.pdf import read_pdf
from notifier.extract.worker import ExtractWorker, document
from notifier.split import split_document

SITE = Path(__file__).resolve().parents[1] / "notifier" / "demo_data" / "site"
LOOP = asyncio.new_event_loop()
WORKER = ExtractWorker(timeout=30, memory_mb=256)


def service_candidates(body: bytes, url: str) -> dict[str, Callable[[], object]]:
    def in_worker() -> object:
        job = WORKER.document(body, url=url, content_type=None, council=None)
        return LOOP.run_until_complete(job)

    return {
        "extract+split": lambda: document(body, url, None, None),
        "in worker": in_worker,
    }


def timed(function: Callable[[], object], rounds: int) -> float:
    function()  # warm-up: imports, caches
    start = time.perf_counter()
    for _ in range(rounds):
        function()
    return (time.perf_counter() - start) * 1000 / rounds


def html_candidates(body: bytes) -> dict[str, Callable[[], object]]:
    candidates: dict[str, Callable[[], object]] = {
        "selectolax": lambda: read_html(body, None),
        "extract()": lambda: extract(body, url="https://www.kl.dk/x/", content_type=None),
    }
    try:
        import trafilatura

        text = body.decode("utf-8", errors="replace")
        candidates["trafilatura"] = lambda: trafilatura.extract(text, with_metadata=True)
    except ImportError:
        pass
    return candidates


def pdf_candidates(body: bytes) -> dict[str, Callable[[], object]]:
    document = extract(body, url="https://www.kl.dk/x.pdf", content_type=None)
    candidates: dict[str, Callable[[], object]] = {
        "pypdfium2": lambda: read_pdf(body),
        "extract()": lambda: extract(body, url="https://www.kl.dk/x.pdf", content_type=None),
        "split_document()": lambda: split_document(document),
    }
    try:
        import io

        import pypdf

        candidates["pypdf"] = lambda: [
            p.extract_text() for p in pypdf.PdfReader(io.BytesIO(body)).pages
        ]
    except ImportError:
        pass
    try:
        import io

        from pdfminer.high_level import extract_text

        candidates["pdfminer"] = lambda: extract_text(io.BytesIO(body))
    except ImportError:
        pass
    return candidates


def squeeze(text: str | None) -> str | None:
    return re.sub(r"\s+", " ", text).strip() if text else None


def generated(count: int, start: int) -> None:
    from tests.agenda_layouts import meeting, render

    points = right = documents = flawless = with_problems = 0
    render_s = extract_s = split_s = 0.0
    for seed in range(start, start + count):
        drawn = meeting(seed)
        began = time.perf_counter()
        pdf = render(drawn).pdf
        rendered = time.perf_counter()
        document = extract(pdf, url=f"https://www.kl.dk/{drawn.kind}.pdf", content_type=None)
        extracted = time.perf_counter()
        split = split_document(document)
        render_s += rendered - began
        extract_s += extracted - rendered
        split_s += time.perf_counter() - extracted
        expected = [
            (p.number, squeeze(p.title), p.case, squeeze(p.indstilling), squeeze(p.beslutning))
            for p in drawn.points
        ]
        got = {
            (i.number, i.title, i.case_number, squeeze(i.indstilling), squeeze(i.beslutning))
            for i in split.items
        }
        exact = sum(point in got for point in expected)
        points += len(expected)
        right += exact
        documents += 1
        with_problems += bool(split.problems)
        flawless += not split.problems and exact == len(expected) == len(split.items)
    print(
        f"generated seeds {start}..{start + count - 1}: {right}/{points} points exactly right "
        f"({100 * right / max(points, 1):.2f} %), {flawless}/{documents} documents flawless, "
        f"{with_problems} with problems"
    )
    print(
        f"per document: render {1000 * render_s / documents:.1f} ms, extract "
        f"{1000 * extract_s / documents:.1f} ms, split_document {1000 * split_s / documents:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--generated", type=int, default=0)
    parser.add_argument("--start", type=int, default=0)
    args = parser.parse_args()
    manifest = json.loads((SITE / "manifest.json").read_text())
    totals: dict[str, list[float]] = {}
    for path, facts in sorted(manifest.items()):
        body = (SITE / path).read_bytes()
        is_pdf = facts["content_type"] == "application/pdf"
        candidates = pdf_candidates(body) if is_pdf else html_candidates(body)
        url = "https://www.kl.dk/x.pdf" if is_pdf else "https://www.kl.dk/x/"
        candidates |= service_candidates(body, url)
        rounds = max(1, args.rounds // 4) if is_pdf else args.rounds
        results = {name: timed(function, rounds) for name, function in candidates.items()}
        pages = f" ({facts['pages']} pages)" if "pages" in facts else ""
        shown = "  ".join(f"{name} {ms:7.2f} ms" for name, ms in results.items())
        print(f"{path.removesuffix('/index.html')[-58:]:58}{pages:11} {shown}")
        for name, ms in results.items():
            key = f"{'pdf' if is_pdf else 'html'} {name}"
            totals.setdefault(key, []).append(ms)
    print()
    for key, values in totals.items():
        print(f"mean {key:22} {sum(values) / len(values):7.2f} ms/document")
    if args.generated:
        print()
        generated(args.generated, args.start)
    WORKER.close()


if __name__ == "__main__":
    main()
