"""The metric objects and the functions the pipeline and the deliverer call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client.parser import text_string_to_metric_families

from notifier import metrics


@dataclass
class Summary:
    state: str = "ok"
    items_new: int = 0
    items_changed: int = 0
    errors: list[str] = field(default_factory=list)


def sample(name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    return 0.0


def test_polls_items_and_fetch_errors_are_counted_per_source() -> None:
    before = sample("notifier_polls_total", source="m-1", outcome="ok")
    metrics.record_poll("m-1", Summary(items_new=3, items_changed=1))
    metrics.record_poll("m-1", Summary(state="failed", errors=["a: 503", "b: timeout"]))
    assert sample("notifier_polls_total", source="m-1", outcome="ok") == before + 1
    assert sample("notifier_polls_total", source="m-1", outcome="failed") >= 1
    assert sample("notifier_items_total", source="m-1", change="new") >= 3
    assert sample("notifier_items_total", source="m-1", change="changed") >= 1
    assert sample("notifier_fetch_errors_total", source="m-1") >= 2


def test_deliveries_and_store_gauges() -> None:
    sent = sample("notifier_messages_sent_total")
    metrics.record_delivery(sent=4, failed=1)
    assert sample("notifier_messages_sent_total") == sent + 4
    assert sample("notifier_messages_failed_total") >= 1
    moment = datetime(2024, 5, 1, tzinfo=UTC)
    metrics.set_store_gauges(outbox_depth=7, last_success={"m-2": moment, "m-3": None})
    assert sample("notifier_outbox_depth") == 7
    assert sample("notifier_source_last_success_timestamp_seconds", source="m-2") == (
        moment.timestamp()
    )
    assert sample("notifier_source_last_success_timestamp_seconds", source="m-3") == 0
