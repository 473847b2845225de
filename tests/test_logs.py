from __future__ import annotations

import io
import json
import logging
import sys
from datetime import date

from notifier.logs import JsonFormatter, configure


def _record(**extra: object) -> logging.LogRecord:
    logger = logging.getLogger("notifier.test")
    return logger.makeRecord(
        "notifier.test", logging.WARNING, __file__, 1, "polled %s", ("x",), None, extra=extra
    )


def test_one_json_object_with_the_extra_fields() -> None:
    line = JsonFormatter().format(_record(source="hovedstaden-nyheder", items_new=3))
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "notifier.test"
    assert entry["message"] == "polled x"
    assert entry["source"] == "hovedstaden-nyheder"
    assert entry["items_new"] == 3
    assert entry["time"].endswith("+00:00")
    assert "\n" not in line


def test_values_json_cannot_encode_become_strings() -> None:
    entry = json.loads(JsonFormatter().format(_record(day=date(2024, 6, 20), text="Sjælland")))
    assert entry["day"] == "2024-06-20"
    assert entry["text"] == "Sjælland"


def test_exceptions_stay_on_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), exc_info=sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exception"]


def test_configure_routes_the_root_logger() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure("debug", stream=stream)
        logging.getLogger("notifier.service").info("started", extra={"sources": 5})
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert entry["message"] == "started"
    assert entry["sources"] == 5
