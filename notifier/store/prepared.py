"""The statements every poll runs, and those storing a new document, run on SQLite's own
connection.

Every poll of a source, changed or not, takes the source's lease, reads its row and its newest
documents, and at its end gives the lease back and updates the row; a new document adds its
row, its items and their versions, full-text rows and events: about a dozen statements, each
on a few indexed rows. SQLite runs each in microseconds; SQLAlchemy's execution of one (an
execution context, a result, a greenlet hop per driver call) costs about 100 us, which made
SQLAlchemy most of the database cost of an idle poll and of an ingest (bench/README.md,
"ingest and idle poll").

A ``Prepared`` statement is still a Core statement, compiled by SQLAlchemy (once per dialect and
set of columns) and with its types' own bind and result processors; on SQLite it runs on the
connection of the caller's transaction, through ``sqlite_inline``'s cursor (so large or slow
work still goes to a thread, as any statement's), on other databases through SQLAlchemy as any
statement. Either way the caller gets plain rows (mappings by the statement's column names, or
its RETURNING columns') and the row count.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.store import sqlite_inline

Row = Mapping[Any, Any]  # by column name; SQLAlchemy's RowMapping is one too
Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class Outcome:
    rows: Sequence[Row]
    rowcount: int

    def first(self) -> Row | None:
        return self.rows[0] if self.rows else None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    compiled: sa.engine.Compiled
    names: tuple[str, ...]  # the bind parameters in the order of the SQL's "?"
    named: frozenset[str]
    pick: Callable[[Mapping[str, Any]], list[Any]]  # the values of ``names``, in order
    binds: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, processor) where there is one
    keys: tuple[str, ...]  # the result's column names, in order
    results: tuple[Processor, ...]


class Prepared:
    """A Core statement run straight on SQLite's connection (see the module's docstring)."""

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        # By the dialect's settings (the SQL and the conversions follow them), then by the
        # parameters given: engines alike share them, so a process compiles a statement once
        # however many engines it opens (a CLI command, the bench, the tests each open fresh
        # ones; compiling was ~5% of an ingest round of the bench's fresh engine).
        self._compiled: dict[Hashable, dict[tuple[str, ...], _Compiled]] = {}

    async def execute(
        self, conn: AsyncConnection, parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> Outcome:
        """Run with one set of parameters, or with several (an executemany; a statement with
        RETURNING gives every execution's rows, in order on SQLite only)."""
        single = isinstance(parameters, Mapping)
        batch: list[Mapping[str, Any]] = (
            [parameters] if isinstance(parameters, Mapping) else list(parameters)
        )
        if not batch:
            return Outcome(rows=[], rowcount=0)
        # Outside a transaction SQLAlchemy begins one first; the driver would commit at once.
        if conn.dialect.name != "sqlite" or not conn.in_transaction():
            result = await conn.execute(self.statement, batch[0] if single else batch)
            rows = result.mappings().all() if result.returns_rows else []
            return Outcome(rows=rows, rowcount=result.rowcount)
        compiled = self._compile(conn.dialect, tuple(batch[0]))
        values = [self._values(compiled, given) for given in batch]
        assert conn.sync_connection is not None  # in a transaction (above)
        # sqlite_inline's cursor: large or slow work still goes to a thread, as any statement's.
        cursor = sqlite_inline.cursor(conn.sync_connection.connection)
        fetched: list[Any] = []
        rowcount = 0
        try:
            if len(values) == 1:
                await cursor.execute(compiled.sql, values[0])
                if compiled.keys:
                    fetched = await cursor.fetchall()
                elif cursor.description:  # a textual SELECT: its columns are not known here
                    raise ValueError(f"not for a prepared statement: {compiled.sql}")
                rowcount = cursor.rowcount  # as SQLAlchemy's: -1 for a SELECT
            elif compiled.keys:
                # One row at a time when rows come back (SQLite's executemany returns none),
                # a large batch in a thread as an executemany's.
                fetched, rowcount = await cursor.execute_each(compiled.sql, values)
            else:
                await cursor.executemany(compiled.sql, values)
                rowcount = cursor.rowcount
        except sqlite3.Error as exc:
            raise sa.exc.DBAPIError.instance(
                compiled.sql, values, exc, sqlite3.Error, dialect=conn.dialect
            ) from exc
        finally:
            await cursor.close()
        return Outcome(rows=[self._row(compiled, row) for row in fetched], rowcount=rowcount)

    def _compile(self, dialect: Dialect, columns: tuple[str, ...]) -> _Compiled:
        made = self._compiled.setdefault(_settings(dialect), {})
        found = made.get(columns)
        if found is None:
            # An UPDATE's or INSERT's SQL depends on the columns given values.
            compiled = self.statement.compile(dialect=dialect, column_keys=list(columns))
            names = tuple(compiled.positiontup or ())
            processors = [_bind_processor(compiled.binds[name].type, dialect) for name in names]
            binds = tuple((n, p) for n, p in enumerate(processors) if p is not None)
            # A DML statement's rows are its RETURNING columns (none without).
            selected = getattr(self.statement, "selected_columns", None)
            if selected is None:
                selected = compiled.effective_returning or ()
            keys = tuple(column.key for column in selected)
            results = tuple(_result_processor(column.type, dialect) for column in selected)
            if len(set(keys)) < len(keys) or compiled.post_compile_params:
                # Rows by name would lose a column; an expanding IN is rendered per execution.
                raise ValueError(f"not for a prepared statement: {compiled.string}")
            found = made[columns] = _Compiled(
                sql=compiled.string,
                compiled=compiled,
                names=names,
                named=frozenset(names),
                pick=_picker(names),
                binds=binds,
                keys=keys,
                results=results,
            )
        return found

    def _values(self, compiled: _Compiled, given: Mapping[str, Any]) -> list[Any]:
        """The positional values of one execution, through the types' bind processors."""
        try:
            # Every value given, as usual; else SQLAlchemy merges the statement's own values.
            merged: Mapping[str, Any] = (
                given
                if compiled.named <= given.keys()
                else compiled.compiled.construct_params(dict(given)) or {}
            )
            values = compiled.pick(merged)
            for position, process in compiled.binds:
                values[position] = process(values[position])
            return values
        except Exception as exc:  # a value the type refuses, as SQLAlchemy would report it
            raise sa.exc.StatementError(str(exc), compiled.sql, dict(given), exc) from exc

    @staticmethod
    def _row(compiled: _Compiled, row: Sequence[Any]) -> Row:
        return {
            key: value if process is None else process(value)
            for key, value, process in zip(compiled.keys, row, compiled.results, strict=True)
        }


def _settings(dialect: Dialect) -> Hashable:
    """What of a dialect a compiled statement depends on: its kind, its parameter style, the
    database's version (known once connected: statements are compiled in a transaction) and
    the options that change the types' conversions."""
    return (
        type(dialect),
        dialect.paramstyle,
        dialect.server_version_info,
        getattr(dialect, "native_datetime", None),
        getattr(dialect, "_json_serializer", None),
        getattr(dialect, "_json_deserializer", None),
    )


def _picker(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], list[Any]]:
    """The values of ``names`` from a mapping, as a new list: one C call per execution (this
    runs for every row of every statement a poll stores)."""
    if not names:
        return lambda _given: []
    if len(names) == 1:
        [name] = names
        return lambda given: [given[name]]
    get = operator.itemgetter(*names)
    return lambda given: list(get(given))


# A type's processors for a dialect are those of its dialect-specific implementation (SQLite's
# DATETIME parses its text; the generic DateTime would hand the text over as it is).
def _bind_processor(type_: sa.types.TypeEngine[Any], dialect: Dialect) -> Processor:
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _result_processor(type_: sa.types.TypeEngine[Any], dialect: Dialect) -> Processor:
    return type_.dialect_impl(dialect).result_processor(dialect, None)
