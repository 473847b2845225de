"""Build the zlib preset dictionaries of ``notifier/store/column_types.py`` (run once per new
dictionary; never rebuild a shipped one: values packed with it must stay readable).

    python scripts/pack_dictionaries.py OUT_DIR

- ``text``: the phrases real KKR prose repeats most (word 1- to 4-grams of the labelled kl.dk
  items in tests/data, weighted by length x repeats), the most useful last, where zlib reaches
  them with the shortest distances. Items sharing any 40-character run with the demo site's
  documents (which ``bench/disk.py`` stores) are left out, so the bench measures the dictionary
  on text it was not made from.
- ``json``: the shape of the store's JSON (event payloads, topic lists): field names, councils,
  kinds and topic ids, and the topic terms of config/topics.toml, as ``json.dumps`` writes them.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest import fixtures  # noqa: E402

from notifier import extract  # noqa: E402
from notifier.models import Council, DocumentKind  # noqa: E402

SIZE = 32 * 1024  # zlib's window: a dictionary longer than this is cut from the front
SHINGLE = 40


def _shingles(text: str) -> set[str]:
    flat = " ".join(text.split())
    return {flat[i : i + SHINGLE] for i in range(max(0, len(flat) - SHINGLE))}


def text_dictionary() -> bytes:
    demo: set[str] = set()
    for url, body, content_type, council in fixtures():
        document = extract.extract(body, url=url, content_type=content_type, council=council)
        demo |= _shingles(document.text)
    texts = []
    for name in ("classify_real", "classify_dev"):
        for line in (ROOT / "tests" / "data" / f"{name}.jsonl").read_text().splitlines():
            row = json.loads(line)
            text = f"{row.get('title', '')}\n{row.get('text', '')}"
            if not _shingles(text) & demo:
                texts.append(text)
    counts: Counter[str] = Counter()
    for text in texts:
        words = text.split()
        for n in range(1, 5):
            for i in range(len(words) - n + 1):
                counts[" ".join(words[i : i + n])] += 1
    ranked = sorted(
        ((len(p) * (c - 1), p) for p, c in counts.items() if c >= 3 and len(p) >= 4),
        reverse=True,
    )
    chosen: list[str] = []
    size = 0
    for _score, phrase in ranked:
        if any(phrase in kept for kept in chosen):
            continue
        if size + len(phrase.encode()) + 1 > SIZE:
            break
        chosen.append(phrase)
        size += len(phrase.encode()) + 1
    return " ".join(reversed(chosen)).encode()


def json_dictionary() -> bytes:
    topics = tomllib.loads((ROOT / "config" / "topics.toml").read_text())
    topics = {key: value for key, value in topics.items() if isinstance(value, dict)}
    terms = [term for topic in topics.values() for term in topic.get("terms", {})]
    shapes: list[dict[str, object]] = [
        {"topic": topic, "score": 1.0, "evidence": []} for topic in topics
    ] + [
        {
            "item_id": 1,
            "version_id": 1,
            "council": "",
            "document_id": 1,
            "document_url": "https://www.kl.dk/",
            "document_title": "",
            "document_kind": "",
            "document_date": "",
            "number": "",
            "title": "",
            "case_number": "SAG-20",
            "procedural": False,
            "topics": [],
            "content_hash": "",
            "meeting_starts_at": "",
            "meeting_place": "",
            "old": None,
            "decides_item_id": None,
            "decides_title": None,
            "baseline": False,
        },
        {
            "document_id": 1,
            "council": "",
            "url": "https://www.kl.dk/",
            "title": "",
            "kind": "",
            "date": "",
            "content_type": "application/pdf",
            "review": [],
        },
        {
            "meeting_id": 1,
            "council": "",
            "day": "",
            "starts_at": "",
            "place": "",
            "document_url": "",
            "document_kind": "",
            "reason": None,
        },
    ]
    words = [json.dumps(v) for v in (*Council, *DocumentKind)]
    words += [
        json.dumps(f"KKR {name}")
        for name in ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")
    ]
    parts = [f'{{"term":{json.dumps(term)},"matched":' for term in terms]
    parts += ['"where":"title"}', '"where":"text"}', '"where":"indstilling"}', *words] + [
        json.dumps(s, separators=(",", ":")) for s in shapes
    ]
    return ",".join(parts).encode()[-SIZE:]


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    (out / "pack_text.zdict").write_bytes(text_dictionary())
    (out / "pack_json.zdict").write_bytes(json_dictionary())


if __name__ == "__main__":
    main()
