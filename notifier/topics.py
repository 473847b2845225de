"""Reads topic definitions (``config/topics.toml``) into Topic values.

The file is the secretariat's to edit: one table per topic, keyed by the topic id::

    [sundhed]
    name = "Sundhed"
    description = "Sundhedsaftaler, det nære sundhedsvæsen, ..."

    [sundhed.terms]
    "sundhedsaftale*" = 3      # '*' at the end: any ending (inflections, compounds)
    "*sundhed*" = 2            # '*' at the start too: also inside a compound
    "rar" = 3                  # no '*': the whole word only

A weight says how strongly a term speaks for the topic (negative: against it, for a context in
which the topic's other terms mislead); a term of weight 1 or less is a hint that never makes a
topic on its own (see notifier.classify). A top-level ``procedural_titles`` list names the
standing agenda points ("Eventuelt", "Godkendelse af dagsorden*") that get no topic whatever
words they contain, with the same '*' rules as terms. Every problem is
reported as ``<path>: <topic id>.<field>: <problem>`` so the person editing knows where to look.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

from notifier.classify import Classifier
from notifier.errors import ConfigError
from notifier.models import Topic

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# A term: letters, digits, spaces, hyphens, apostrophes, dots; '*' only at either end.
_TERM = re.compile(r"^\*?[\w][\w .'’/&-]*\*?$")
_FIELDS = {"name", "description", "terms"}
MAX_WEIGHT = 10.0


PROCEDURAL = "procedural_titles"


def load_topics(path: Path) -> list[Topic]:
    """Read and validate a topics file; raise ConfigError naming the topic and field at fault."""
    data = _read(path)
    topics = [
        _topic(path, topic_id, table) for topic_id, table in data.items() if topic_id != PROCEDURAL
    ]
    if not topics:
        raise ConfigError(f"{path}: no topics defined")
    return topics


def load_procedural_titles(path: Path) -> tuple[str, ...]:
    """The file's ``procedural_titles`` (none when it has no such list)."""
    titles = _read(path).get(PROCEDURAL, [])
    if not isinstance(titles, list):
        raise ConfigError(f"{path}: {PROCEDURAL}: must be a list of titles")
    for title in titles:
        if not isinstance(title, str) or not _TERM.match(title.strip()) or "**" in title:
            raise ConfigError(
                f"{path}: {PROCEDURAL}: {title!r} is not a valid title ('*' only at the start "
                "or end)"
            )
    return tuple(title.strip() for title in titles)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: topics file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _topic(path: Path, topic_id: str, table: Any) -> Topic:
    def fail(field: str, problem: str) -> ConfigError:
        return ConfigError(f"{path}: {topic_id}.{field}: {problem}")

    if not _ID.match(topic_id):
        raise fail("id", "use lowercase letters, digits and '_', starting with a letter")
    if not isinstance(table, dict):
        raise fail("id", "must be a table ([topic_id] with name and terms)")
    for key in table:
        if key not in _FIELDS:
            raise fail(key, f"unknown field (allowed: {', '.join(sorted(_FIELDS))})")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "missing or empty")
    description = table.get("description", "")
    if not isinstance(description, str):
        raise fail("description", "must be a string")
    terms = table.get("terms")
    if not isinstance(terms, dict) or not terms:
        raise fail("terms", 'missing or empty (a table of "term" = weight)')
    checked: dict[str, float] = {}
    for term, weight in terms.items():
        if not _TERM.match(term) or "**" in term:
            raise fail("terms", f"{term!r} is not a valid term ('*' only at the start or end)")
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise fail("terms", f"{term!r}: weight must be a number, not {weight!r}")
        if not math.isfinite(weight) or weight == 0 or abs(weight) > MAX_WEIGHT:
            raise fail("terms", f"{term!r}: weight must be non-zero and within ±{MAX_WEIGHT:g}")
        checked[term] = float(weight)
    return Topic(id=topic_id, name=name.strip(), description=description.strip(), terms=checked)


def load_classifier(path: Path) -> Classifier:
    """The classifier of a topics file: its topics and its procedural titles."""
    return Classifier(load_topics(path), procedural_titles=load_procedural_titles(path))
