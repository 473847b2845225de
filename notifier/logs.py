"""Structured logs: one JSON object per line, for `notifier run` and whatever collects its output.

Each line holds time, level, logger and message, plus every field passed as ``extra=`` (such as
``source``), so a log pipeline can filter by source or state without parsing the message.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # default=str: an odd extra (a datetime, a Path) must not lose the whole line.
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str, *, stream: TextIO = sys.stderr) -> None:
    """Send every logger's records, as JSON lines, to ``stream``; replaces earlier handlers."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn and apscheduler bring their own handlers; let their records reach ours instead.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "apscheduler"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # One line per HTTP request to our own web app is noise next to the poll logs.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # httpx logs every request and APScheduler every job run at INFO; the pipeline and the
    # digests already log one line per poll and per round.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
