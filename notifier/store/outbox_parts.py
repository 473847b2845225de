"""Message bodies stored in parts: the runs many messages share are kept once (``outbox_parts``),
and each message keeps its own bytes and a layout that puts the message together again.

A digest shared by a group of subscribers differs per subscriber only in its headers and the
few lines with their name and links (``shared_renders``); stored whole, 10,000 digests of
~100 KB wrote 1 GB per planning run, and storing it was a fifth of planning's CPU.

A layout is a JSON list of integers: a positive n takes the next n of the message's own bytes,
a negative -i puts in the shared part with id i. A row without a layout is the whole message.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.store.db import per_dialect
from notifier.store.schema import outbox, outbox_body_parts, outbox_parts


def split(
    body: bytes, shared: Sequence[bytes], ids: Mapping[bytes, int]
) -> tuple[bytes, list[int]]:
    """The message's own bytes and its layout, the shared runs (in the order they appear in the
    body) left out where they are found."""
    own: list[bytes] = []
    layout: list[int] = []
    at = 0
    for run in shared:
        found = _find(body, run, at)
        if found < 0:
            continue
        if found > at:
            own.append(body[at:found])
            layout.append(found - at)
        layout.append(-ids[run])
        at = found + len(run)
    if at < len(body):
        own.append(body[at:])
        layout.append(len(body) - at)
    return b"".join(own), layout


def as_text(layout: Sequence[int]) -> str:
    """A layout as the column holds it."""
    return json.dumps(layout, separators=(",", ":"))


def held(layout: Sequence[int]) -> set[int]:
    """The ids of the parts a layout puts in."""
    return {-n for n in layout if n < 0}


def _find(body: bytes, run: bytes, at: int) -> int:
    """``body.find(run, at)``, faster for long runs: looking for all of a 30 KB run makes
    ``find`` prepare all of it, each call (that was an eighth of digest planning's CPU)."""
    head = run[:64]
    found = body.find(head, at)
    while found >= 0 and not body.startswith(run, found):
        found = body.find(head, found + 1)
    return found


def assemble(own: bytes, layout: Sequence[int], parts: Mapping[int, bytes]) -> bytes:
    pieces: list[bytes] = []
    at = 0
    for n in layout:
        if n > 0:
            pieces.append(own[at : at + n])
            at += n
        else:
            pieces.append(parts[-n])
    if at != len(own):
        raise ValueError("a stored message's layout does not match its bytes")
    return b"".join(pieces)


@functools.lru_cache(maxsize=256)
def _digest(run: bytes) -> str:
    """A run's sha256. Alike messages hold the very same run objects, batch after batch of a
    digest run: each is hashed once (a lookup hashes the object once too; Python keeps a
    bytes object's hash)."""
    return hashlib.sha256(run).hexdigest()


@per_dialect
def _store_statement(dialect: ModuleType) -> Any:
    return dialect.insert(outbox_parts).on_conflict_do_nothing(index_elements=["digest"])


async def store(conn: AsyncConnection, runs: Iterable[bytes]) -> dict[bytes, int]:
    """Each distinct run stored once (kept if stored before) -> its part id."""
    digests = {run: _digest(run) for run in dict.fromkeys(runs)}
    if not digests:
        return {}
    await conn.execute(
        _store_statement(conn), [{"digest": d, "body": run} for run, d in digests.items()]
    )
    rows = await conn.execute(
        sa.select(outbox_parts.c.id, outbox_parts.c.digest).where(
            outbox_parts.c.digest.in_(list(digests.values()))
        )
    )
    ids = {row.digest: int(row.id) for row in rows}
    return {run: ids[digest] for run, digest in digests.items()}


async def whole(
    conn: AsyncConnection, rows: Iterable[tuple[int, bytes, str | None]]
) -> dict[int, bytes]:
    """(outbox id, stored bytes, layout) -> outbox id: the complete message."""
    found = [
        (key, bytes(own), None if layout is None else json.loads(layout))
        for key, own, layout in rows
    ]
    wanted = set().union(*(held(layout) for _key, _own, layout in found if layout))
    parts: dict[int, bytes] = {}
    if wanted:
        result = await conn.execute(
            sa.select(outbox_parts.c.id, outbox_parts.c.body).where(
                outbox_parts.c.id.in_(sorted(wanted))
            )
        )
        parts = {int(row.id): bytes(row.body) for row in result}
    return {
        key: own if layout is None else assemble(own, layout, parts) for key, own, layout in found
    }


async def link(conn: AsyncConnection, layouts: Mapping[int, Sequence[int] | None]) -> None:
    """Record which parts each of these messages (outbox id -> layout) holds, replacing what
    was recorded for them (a failed digest planned again)."""
    await conn.execute(
        outbox_body_parts.delete().where(outbox_body_parts.c.outbox_id.in_(list(layouts)))
    )
    rows = [
        {"outbox_id": key, "part_id": part}
        for key, layout in layouts.items()
        if layout is not None
        for part in held(layout)
    ]
    if rows:
        await conn.execute(outbox_body_parts.insert(), rows)


async def erase(conn: AsyncConnection, outbox_ids: sa.Select[tuple[int]]) -> None:
    """Erase the messages ``outbox_ids`` selects, with the parts no other message holds."""
    theirs = set(
        await conn.scalars(
            sa.select(outbox_body_parts.c.part_id).where(
                outbox_body_parts.c.outbox_id.in_(outbox_ids)
            )
        )
    )
    await conn.execute(outbox.delete().where(outbox.c.id.in_(outbox_ids)))
    if theirs:
        held = sa.exists().where(outbox_body_parts.c.part_id == outbox_parts.c.id)
        await conn.execute(
            outbox_parts.delete().where(outbox_parts.c.id.in_(sorted(theirs)), ~held)
        )
