"""Pure: subscriber lists as files. Reads what secretariats have (CSV with commas or
semicolons, UTF-8 with or without BOM or Windows-1252 as Danish Excel saves it, Danish column
names; or TOML) and writes CSV that reads back to the same subscribers.

Every problem is tied to its line (CSV) or table (TOML); one bad line never spoils another: each
physical line is parsed on its own, so an unterminated quote costs that line only.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from notifier.errors import SubscriberError
from notifier.models import Subscriber

COLUMNS = (
    "email",
    "name",
    "topics",
    "councils",
    "frequency",
    "state",
    "created_at",
    "confirmed_at",
    "unsubscribed_at",
    "keywords",
    "excluded",
    "paused_until",
    "first_digest",
)
ALIASES = {
    "e-mail": "email",
    "mail": "email",
    "e-mailadresse": "email",
    "navn": "name",
    "emner": "topics",
    "emne": "topics",
    "kkr": "councils",
    "råd": "councils",
    "hyppighed": "frequency",
    "status": "state",
    "ord": "keywords",
    "egne ord": "keywords",
    "søgeord": "keywords",
    "udelad": "excluded",
    "pause": "paused_until",
    "pause til": "paused_until",
}
_DELIMITERS = (";", ",", "\t")


@dataclass(frozen=True, kw_only=True)
class Row:
    where: str  # "line 3" or "subscribers[2]", for messages
    fields: dict[str, object]


def read(data: bytes, *, toml: bool = False) -> tuple[list[Row], list[str]]:
    """The rows of a file and the problems of the lines that could not be read."""
    text = _decode(data)
    return _read_toml(text) if toml else _read_csv(text)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise SubscriberError("not a text file (it holds NUL bytes): save it as CSV or TOML")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Danish Excel saves "CSV (semikolonsepareret)" in Windows-1252.
        return data.decode("cp1252", errors="replace")


def _read_toml(text: str) -> tuple[list[Row], list[str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SubscriberError(f"not valid TOML: {exc}") from None
    entries = data.get("subscribers", [])
    if not isinstance(entries, list):
        raise SubscriberError("expected [[subscribers]] tables")
    rows, problems = [], []
    for number, entry in enumerate(entries, start=1):
        where = f"subscribers[{number}]"
        if isinstance(entry, dict):
            rows.append(Row(where=where, fields={_column(k): v for k, v in entry.items()}))
        else:
            problems.append(f"{where}: not a table")
    return rows, problems


def _read_csv(text: str) -> tuple[list[Row], list[str]]:
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip()), None)
    if start is None:
        raise SubscriberError("the file is empty")
    header_line = lines[start]
    delimiter = max(_DELIMITERS, key=header_line.count)
    header = [_column(name) for name in _cells(header_line, delimiter)]
    if "email" not in header:
        raise SubscriberError("the first line must name the columns, including email")
    rows, problems = [], []
    for number, line in enumerate(lines[start + 1 :], start=start + 2):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            cells = _cells(line, delimiter)
        except csv.Error as exc:
            problems.append(f"{where}: cannot be read as CSV ({exc})")
            continue
        if len(cells) > len(header):
            problems.append(f"{where}: {len(cells)} values for {len(header)} columns")
            continue
        fields = {name: value for name, value in zip(header, cells, strict=False) if value.strip()}
        rows.append(Row(where=where, fields=dict(fields)))
    return rows, problems


def _cells(line: str, delimiter: str) -> list[str]:
    [cells] = list(csv.reader([line], delimiter=delimiter, strict=True))
    return cells


def _column(name: object) -> str:
    key = str(name).strip().lstrip("\ufeff").lower()
    return ALIASES.get(key, key)


def write(people: Sequence[Subscriber]) -> str:
    """CSV with every column ``read`` takes back; lists (ids, words) are ``;``-separated."""
    out: list[str] = []

    class _Lines:
        def write(self, line: str) -> None:
            out.append(line)

    writer = csv.writer(_Lines(), lineterminator="\n")
    writer.writerow(COLUMNS)
    for person in people:
        writer.writerow(
            [
                person.email,
                person.name,
                ";".join(person.topics),
                ";".join(person.councils),
                person.frequency.value,
                person.state.value,
                _time(person.created_at),
                _time(person.confirmed_at),
                _time(person.unsubscribed_at),
                ";".join(person.keywords),
                ";".join(person.excluded),
                person.paused_until.isoformat() if person.paused_until else "",
                "1" if person.first_digest else "",
            ]
        )
    return "".join(out)


def _time(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""
