"""How often Python's cycle collector runs in the service's processes.

Ingesting a document makes tens of thousands of short-lived container objects (text lines,
matches, rows, events), and Python's default collects its youngest generation after every 700
new ones. Over the bench's ingest rounds (bench/ingest.py, gc.callbacks) that was about 90
young and 8 middle collections a round, 5.6% of the round's CPU; after every 10,000 it is 7
young ones, 1.9%, for 3 MB more peak memory. The older generations keep their default ratios,
so full collections stay as rare as they were relative to young ones (digest planning freezes
what it keeps, see digest_runner).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def collect_less() -> None:
    """Collect the youngest generation after YOUNG_THRESHOLD new objects, not 700."""
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
