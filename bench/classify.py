"""Quality and speed of the topic classifier on the labelled sets.

    python bench/classify.py [--topics FILE] [--folds K] [--seed N]
    python bench/classify.py --data FILE.jsonl [--split dev|holdout|cv|final|all]

Without --data it prints, in turn: the hand-written dev set (split dev and holdout), the second
held-out set, and the real set (tests/data/classify_real.jsonl, see tests/data/LABELLING.md):

- real set, k-fold cross-validation. Folds are grouped by page address (all items of one page in
  one fold, pages shuffled with --seed), so no fold is scored on a page it has seen. The lexicon
  itself is hand-written and fits nothing, so its pooled k-fold score equals its score on the
  whole set; what the folds add is the spread between folds, and an honest test of the one
  data-driven knobs worth fitting, each chosen on the training folds only and scored on the
  held-back fold: a per-topic score threshold ("fitted thresholds"), and the classifier's
  RELATIVE_MIN (the share of the best topic's score a second topic must reach), to show how far
  the shipped value is from what the folds would pick.
- real set, final slice: rows with split "final" (a fifth of the pages, chosen by a hash of the
  address before any prediction was looked at) are never used to decide a rule or a term.
- the unseen sets: classify_unseen.jsonl (all rows, each batch looked at after it was scored)
  and classify_unseen2.jsonl, classify_unseen3.jsonl and classify_unseen4.jsonl, by split: their
  `cv` rows were looked at after the blind score, their `final` rows (sha256 of the address
  divisible by 5) only ever measured.

Blind figures (the lexicon as it stood before each batch of real rows was looked at: lexicon-2
on the first 53 rows, lexicon-3 on rows r168-r382, lexicon-4 with topics version
642506a8c6879f3b on rows r463-r529, macro-F1 0.963; lexicon-4 with topics version
5de7a76e979e55a6 on classify_unseen2.jsonl, macro-F1 0.893, its final rows 0.965; lexicon-5
with topics version a5b95e053d82edc7 on classify_unseen3.jsonl, 0.909, its final rows 0.958;
lexicon-5 with topics version 282eee1c4550a5ab on classify_unseen4.jsonl, 0.833, its cv rows
0.820, its final rows 0.736): see
tests/data/LABELLING.md.

Prints per-topic precision, recall and F1, macro-F1, and items per second on one core.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from notifier.classify import Classifier
from notifier.models import TopicMatch
from notifier.topics import load_classifier

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "tests" / "data"
DEV = DATA_DIR / "classify_dev.jsonl"
HOLDOUT2 = DATA_DIR / "classify_holdout2.jsonl"
REAL = DATA_DIR / "classify_real.jsonl"
UNSEEN = DATA_DIR / "classify_unseen.jsonl"
UNSEEN2 = DATA_DIR / "classify_unseen2.jsonl"
UNSEEN3 = DATA_DIR / "classify_unseen3.jsonl"
UNSEEN4 = DATA_DIR / "classify_unseen4.jsonl"

Item = dict[str, object]
# None: the topic is neither in the gold labels nor predicted, so it has no score here.
Scores = dict[str, tuple[float, float, float] | None]
Predict = Callable[[Item], set[str]]


def load_items(split: str, data: Path = DEV) -> list[Item]:
    items = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line]
    return [i for i in items if split == "all" or i.get("split") == split]


def gold(item: Item) -> set[str]:
    topics = item["topics"]
    assert isinstance(topics, list)
    return {str(topic) for topic in topics}


def lexicon(classifier: Classifier) -> Predict:
    return lambda item: {
        m.topic for m in classifier.classify(title=str(item["title"]), text=str(item["text"]))
    }


def counts(topics: Sequence[str], items: Sequence[Item], predict: Predict) -> dict[str, list[int]]:
    """Per topic: [true pos, false pos, false neg]."""
    table = {t: [0, 0, 0] for t in topics}
    for item in items:
        predicted, expected = predict(item), gold(item)
        for topic, row in table.items():
            row[0] += topic in predicted and topic in expected
            row[1] += topic in predicted and topic not in expected
            row[2] += topic not in predicted and topic in expected
    return table


def scores(table: dict[str, list[int]]) -> Scores:
    result: Scores = {}
    for topic, (tp, fp, fn) in table.items():
        if not tp + fp + fn:
            result[topic] = None
            continue
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[topic] = (precision, recall, f1)
    return result


def evaluate(classifier: Classifier, items: list[Item]) -> Scores:
    """Per topic: (precision, recall, F1) of the predicted topic sets against the gold sets."""
    return scores(counts([t.id for t in classifier.topics], items, lexicon(classifier)))


def macro(result: Scores) -> float:
    """Mean F1 over the topics that occur (in gold or prediction)."""
    defined = [row[2] for row in result.values() if row is not None]
    return sum(defined) / len(defined) if defined else 0.0


def folds(items: Sequence[Item], k: int, seed: int) -> list[list[Item]]:
    """k groups of whole pages (by url), pages shuffled with the seed, sizes balanced greedily."""
    pages: dict[str, list[Item]] = {}
    for item in items:
        pages.setdefault(str(item["url"]), []).append(item)
    order = sorted(pages)
    random.Random(seed).shuffle(order)
    order.sort(key=lambda url: -len(pages[url]))  # stable: big pages first, ties stay shuffled
    groups: list[list[Item]] = [[] for _ in range(k)]
    for url in order:
        min(groups, key=len).extend(pages[url])
    return groups


def fitted_thresholds(classifier: Classifier, train: Sequence[Item]) -> dict[str, float]:
    """Per topic, the score threshold (from the scores seen in training) that maximises F1."""
    topics = [t.id for t in classifier.topics]
    seen = [
        (gold(item), {m.topic: m.score for m in classify_all(classifier, item)}) for item in train
    ]
    chosen = {}
    for topic in topics:
        candidates = sorted({s[topic] for _, s in seen if topic in s} | {0.0})
        best = (-1.0, 0.0)
        for threshold in candidates:
            tp = sum(topic in g and s.get(topic, -1) >= threshold for g, s in seen)
            fp = sum(topic not in g and s.get(topic, -1) >= threshold for g, s in seen)
            fn = sum(topic in g and s.get(topic, -1) < threshold for g, s in seen)
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            best = max(best, (f1, -threshold))
        chosen[topic] = -best[1]
    return chosen


def classify_all(classifier: Classifier, item: Item) -> tuple[TopicMatch, ...]:
    """Every topic with evidence and its score, before the classifier's own cut-offs."""
    return classifier.scored(title=str(item["title"]), text=str(item["text"]))


def cross_validate(
    classifier: Classifier, items: Sequence[Item], k: int, seed: int
) -> tuple[Scores, list[float], Scores]:
    """Pooled per-topic scores of the lexicon, its per-fold macro-F1, and the fitted variant."""
    topics = [t.id for t in classifier.topics]
    plain = {t: [0, 0, 0] for t in topics}
    fitted = {t: [0, 0, 0] for t in topics}
    per_fold = []
    groups = folds(items, k, seed)
    for index, test in enumerate(groups):
        if not test:
            continue
        train = [item for j, group in enumerate(groups) if j != index for item in group]
        fold_table = counts(topics, test, lexicon(classifier))
        per_fold.append(macro(scores(fold_table)))
        for topic, row in fold_table.items():
            plain[topic] = [a + b for a, b in zip(plain[topic], row, strict=True)]
        thresholds = fitted_thresholds(classifier, train)

        def predict(item: Item, thresholds: dict[str, float] = thresholds) -> set[str]:
            return {
                m.topic for m in classify_all(classifier, item) if m.score >= thresholds[m.topic]
            }

        for topic, row in counts(topics, test, predict).items():
            fitted[topic] = [a + b for a, b in zip(fitted[topic], row, strict=True)]
    return scores(plain), per_fold, scores(fitted)


RELATIVE_GRID = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)


def fitted_relative_min(
    classifier: Classifier, items: Sequence[Item], k: int, seed: int
) -> tuple[Scores, list[float]]:
    """Pooled scores when each held-back fold uses the RELATIVE_MIN best on its training folds."""
    topics = [t.id for t in classifier.topics]
    pooled = {t: [0, 0, 0] for t in topics}
    chosen = []
    groups = folds(items, k, seed)
    for index, test in enumerate(groups):
        if not test:
            continue
        train = [item for j, group in enumerate(groups) if j != index for item in group]
        best = max(
            RELATIVE_GRID,
            key=lambda rel: (
                macro(
                    scores(
                        counts(
                            topics,
                            train,
                            lexicon(
                                Classifier(
                                    classifier.topics,
                                    procedural_titles=classifier.procedural_titles,
                                    relative_min=rel,
                                )
                            ),
                        )
                    )
                ),
                -rel,
            ),
        )
        chosen.append(best)
        fitted = Classifier(
            classifier.topics, procedural_titles=classifier.procedural_titles, relative_min=best
        )
        for topic, row in counts(topics, test, lexicon(fitted)).items():
            pooled[topic] = [a + b for a, b in zip(pooled[topic], row, strict=True)]
    return scores(pooled), chosen


def show(title: str, result: Scores) -> None:
    print(title)
    print(f"  {'topic':24} {'P':>5} {'R':>5} {'F1':>5}")
    for topic, row in result.items():
        if row is None:
            print(f"  {topic:24} {'-':>5} {'-':>5} {'-':>5}")
        else:
            print(f"  {topic:24} {row[0]:5.2f} {row[1]:5.2f} {row[2]:5.2f}")
    print(f"  {'macro-F1':24} {macro(result):17.3f}")


def speed(classifier: Classifier, items: list[Item], seconds: float = 2.0) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for item in items:
            classifier.classify(title=str(item["title"]), text=str(item["text"]))
        done += len(items)
    return done / (time.perf_counter() - start)


def real_set(classifier: Classifier, k: int, seed: int) -> None:
    items = load_items("all", REAL)
    cv = [i for i in items if i.get("split") != "final"]
    final = [i for i in items if i.get("split") == "final"]
    print(f"\nreal set: {len(items)} items ({len(cv)} cv, {len(final)} final slice)")
    plain, per_fold, fitted = cross_validate(classifier, cv, k, seed)
    spread = statistics.pstdev(per_fold) if len(per_fold) > 1 else 0.0
    show(
        f"{k}-fold CV by page (seed {seed}), lexicon: per-fold macro-F1 "
        f"{statistics.mean(per_fold):.3f} ± {spread:.3f}",
        plain,
    )
    show(f"{k}-fold CV, thresholds fitted on the training folds", fitted)
    relative, chosen = fitted_relative_min(classifier, cv, k, seed)
    picks = ", ".join(f"{value:g}" for value in chosen)
    show(
        f"{k}-fold CV, RELATIVE_MIN fitted on the training folds (picked {picks}; "
        f"shipped {classifier.relative_min:g})",
        relative,
    )
    show("final slice, lexicon", evaluate(classifier, final))
    show("whole real set, lexicon", evaluate(classifier, items))


def unseen_sets(classifier: Classifier) -> None:
    """The sets of real rows collected to probe text the lexicon had not seen."""
    items = load_items("all", UNSEEN)
    show(f"\n{len(items)} items ({UNSEEN.name}, all)", evaluate(classifier, items))
    for data in (UNSEEN2, UNSEEN3, UNSEEN4):
        items = load_items("all", data)
        print(f"\n{data.name}: {len(items)} items")
        for split in ("cv", "final", "all"):
            chosen = [i for i in items if split == "all" or i.get("split") == split]
            show(f"{len(chosen)} items ({data.name}, {split})", evaluate(classifier, chosen))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--split", choices=["dev", "holdout", "cv", "final", "all"], default="all")
    parser.add_argument("--topics", type=Path, default=ROOT / "config" / "topics.toml")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    classifier = load_classifier(args.topics)
    print(f"topics {classifier.version}")
    if args.data:
        items = load_items(args.split, args.data)
        show(f"{len(items)} items ({args.data.name}, {args.split})", evaluate(classifier, items))
        return
    for split in ("dev", "holdout"):
        items = load_items(split, DEV)
        show(f"{len(items)} items ({DEV.name}, {split})", evaluate(classifier, items))
    items = load_items("all", HOLDOUT2)
    show(f"{len(items)} items ({HOLDOUT2.name})", evaluate(classifier, items))
    real_set(classifier, args.folds, args.seed)
    unseen_sets(classifier)
    items = load_items("all", DEV)
    mean_chars = sum(len(str(i["title"])) + len(str(i["text"])) for i in items) / len(items)
    print(
        f"\nspeed: {speed(classifier, items):,.0f} items/s (one core, mean {mean_chars:.0f} chars)"
    )


if __name__ == "__main__":
    main()
