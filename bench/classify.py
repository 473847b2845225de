"""Quality and speed of the topic classifier on the hand-labelled set.

    python bench/classify.py [--split dev|holdout|all] [--data FILE.jsonl] [--topics FILE]

--data defaults to tests/data/classify_dev.jsonl; tests/data/classify_holdout2.jsonl is a second
held-out set written before the lexicon was broadened (all its items are split "holdout").

Prints per-topic precision, recall and F1, macro-F1, and items per second on one core.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from notifier.classify import Classifier
from notifier.topics import load_topics

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "classify_dev.jsonl"


def load_items(split: str, data: Path = DATA) -> list[dict[str, object]]:
    items = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line]
    return [i for i in items if split == "all" or i["split"] == split]


def evaluate(
    classifier: Classifier, items: list[dict[str, object]]
) -> dict[str, tuple[float, float, float]]:
    """Per topic: (precision, recall, F1) of the predicted topic sets against the gold sets."""
    ids = [t.id for t in classifier.topics]
    counts = {t: [0, 0, 0] for t in ids}  # true pos, false pos, false neg
    for item in items:
        matches = classifier.classify(title=str(item["title"]), text=str(item["text"]))
        predicted = {m.topic for m in matches}
        gold = set(item["topics"])  # type: ignore[call-overload]
        for topic in ids:
            counts[topic][0] += topic in predicted and topic in gold
            counts[topic][1] += topic in predicted and topic not in gold
            counts[topic][2] += topic not in predicted and topic in gold
    scores = {}
    for topic, (tp, fp, fn) in counts.items():
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[topic] = (precision, recall, f1)
    return scores


def speed(classifier: Classifier, items: list[dict[str, object]], seconds: float = 2.0) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for item in items:
            classifier.classify(title=str(item["title"]), text=str(item["text"]))
        done += len(items)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "holdout", "all"], default="dev")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--topics", type=Path, default=ROOT / "config" / "topics.toml")
    args = parser.parse_args()
    classifier = Classifier(load_topics(args.topics))
    items = load_items(args.split, args.data)
    scores = evaluate(classifier, items)
    print(f"{len(items)} items ({args.data.name}, {args.split}), topics {classifier.version}")
    print(f"{'topic':24} {'P':>5} {'R':>5} {'F1':>5}")
    for topic, (p, r, f) in scores.items():
        print(f"{topic:24} {p:5.2f} {r:5.2f} {f:5.2f}")
    macro = sum(f for _, _, f in scores.values()) / len(scores)
    print(f"{'macro-F1':24} {macro:17.3f}")
    mean_chars = sum(len(str(i["title"])) + len(str(i["text"])) for i in items) / len(items)
    print(f"speed: {speed(classifier, items):,.0f} items/s (one core, mean {mean_chars:.0f} chars)")


if __name__ == "__main__":
    main()
