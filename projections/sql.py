"""A thin, dialect-aware wrapper over a DB-API cursor: one SQL text for both stores.

Statements use `:name` parameters and `{s}` for the PostgreSQL schema prefix. On SQLite,
dates, datetimes and ids are stored as ISO text (fixed-width UTC for datetimes, so text order
is time order); on PostgreSQL as date, timestamptz and text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any
from uuid import UUID

_PARAM = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

SQLITE = "sqlite"
POSTGRES = "postgres"


def sqlite_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# Rewritten statement texts, by (prefix, dialect, text): each text is rewritten once.
_REWRITTEN: dict[tuple[str, str, str], str] = {}
_REWRITTEN_MAX = 8192


def _to_text(value: Any) -> Any:
    return str(value)


_UUID_TEXT: dict[UUID, str] = {}


def uuid_text(value: UUID) -> str:
    """`str(value)`, remembered: the same ids recur across a batch's rows, and formatting an
    id costs several times a dictionary look-up."""
    text = _UUID_TEXT.get(value)
    if text is None:
        if len(_UUID_TEXT) >= 65536:
            _UUID_TEXT.clear()
        text = _UUID_TEXT[value] = str(value)
    return text


_TIMESTAMPS: dict[datetime, str] = {}


def _sqlite_datetime(value: datetime) -> str:
    # An event's timestamp is written to several tables (and closes versions): once each.
    text = _TIMESTAMPS.get(value)
    if text is None or value.tzinfo is None:
        if len(_TIMESTAMPS) >= 65536:
            _TIMESTAMPS.clear()
        text = sqlite_timestamp(value)
        if value.tzinfo is not None:  # equal aware datetimes are the same instant
            _TIMESTAMPS[value] = text
    return text


def _sqlite_date(value: date) -> str:
    return value.isoformat()


# Conversions by exact type (a subclass falls back to `Db.param`): ids and money as text;
# on SQLite also dates and datetimes (see the module's docstring).
_POSTGRES_CONVERT: dict[type, Any] = {UUID: uuid_text, Decimal: _to_text}
_SQLITE_CONVERT: dict[type, Any] = {
    **_POSTGRES_CONVERT,
    datetime: _sqlite_datetime,
    date: _sqlite_date,
}
_PLAIN = (str, int, float, bool, bytes, type(None))
_SCALARS = frozenset(_PLAIN)


class Db:
    """Executes dialect-neutral statements on one cursor (inside the caller's transaction)."""

    def __init__(self, cursor: Any, dialect: str, schema: str = "public") -> None:
        if not _IDENTIFIER.match(schema):
            raise ValueError(f"unsafe schema name {schema!r}")
        self.cursor = cursor
        self.dialect = dialect
        self.schema = schema
        self._prefix = f'"{schema}".' if dialect == POSTGRES else ""
        self._convert = _POSTGRES_CONVERT if dialect == POSTGRES else _SQLITE_CONVERT
        # PostgreSQL: set while the connection is in pipeline mode (see `pipeline`).
        self.pipelined = False

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        """PostgreSQL: send the statements run inside without waiting for each one's answer
        (one round trip for all, at the end); statements whose rows are read must not run
        inside. Elsewhere: nothing."""
        if self.dialect != POSTGRES:
            yield
            return
        with self.cursor.connection.pipeline():
            self.pipelined = True
            try:
                yield
            finally:
                self.pipelined = False

    def sql(self, statement: str) -> str:
        key = (self._prefix, self.dialect, statement)
        rewritten = _REWRITTEN.get(key)
        if rewritten is None:
            rewritten = statement.replace("{s}", self._prefix)
            if self.dialect == POSTGRES:
                rewritten = _PARAM.sub(r"%(\1)s", rewritten)
            if len(_REWRITTEN) >= _REWRITTEN_MAX:
                _REWRITTEN.clear()
            _REWRITTEN[key] = rewritten
        return rewritten

    def param(self, value: Any) -> Any:
        if isinstance(value, UUID):
            return str(value)
        if isinstance(value, Decimal):
            return str(value)
        if self.dialect == SQLITE:
            if isinstance(value, datetime):
                return sqlite_timestamp(value)
            if isinstance(value, date):
                return value.isoformat()
        return value

    def convert(self, value: Any) -> Any:
        """`param`, with the common types looked up by their exact type."""
        kind = type(value)
        if kind in _SCALARS:
            return value
        to = self._convert.get(kind)
        return to(value) if to is not None else self.param(value)

    def execute(self, statement: str, params: Mapping[str, Any] | None = None) -> Any:
        convert = self.convert
        converted = {k: convert(v) for k, v in params.items()} if params else {}
        self.cursor.execute(self.sql(statement), converted)
        return self.cursor

    def execute_many(self, statement: str, rows: Iterable[Mapping[str, Any]]) -> None:
        """One statement for many parameter sets (SQLite: in process; PostgreSQL: psycopg
        pipelines them, one round trip for all)."""
        convert = self.convert
        params = [{k: convert(v) for k, v in row.items()} for row in rows]
        if params:
            self.cursor.executemany(self.sql(statement), params)

    def rows(self, statement: str, params: Mapping[str, Any] | None = None) -> list[dict]:
        return [dict(r) for r in self.execute(statement, params).fetchall()]

    def one(self, statement: str, params: Mapping[str, Any] | None = None) -> dict | None:
        row = self.execute(statement, params).fetchone()
        return dict(row) if row is not None else None

    def insert(self, table: str, values: Mapping[str, Any]) -> None:
        columns = ", ".join(values)
        placeholders = ", ".join(f":{c}" for c in values)
        self.execute(f"INSERT INTO {{s}}{table} ({columns}) VALUES ({placeholders})", values)

    def insert_many(self, table: str, rows: list[Mapping[str, Any]], chunk: int = 0) -> None:
        """Insert rows with the same columns, in order (so serial ids follow the list): on
        PostgreSQL one COPY, on SQLite one prepared statement run for every row."""
        if not rows:
            return
        columns = list(rows[0])
        # Column by column: most columns hold only plain values and are taken as they are.
        converted = []
        for column in columns:
            values = list(map(itemgetter(column), rows))
            if not _SCALARS.issuperset(map(type, values)):
                values = list(map(self.convert, values))
            converted.append(values)
        rows_out = list(zip(*converted, strict=True))
        names = ", ".join(columns)
        if self.dialect == POSTGRES and self.pipelined:
            # A small batch: INSERTs sent in the pipeline with the batch's other statements
            # (COPY cannot be pipelined, and takes a round trip of its own).
            placeholders = ", ".join("%s" for _ in columns)
            self.cursor.executemany(
                f"INSERT INTO {self._prefix}{table} ({names}) VALUES ({placeholders})", rows_out
            )
            return
        if self.dialect == POSTGRES:
            with self.cursor.copy(f"COPY {self._prefix}{table} ({names}) FROM STDIN") as copy:
                for row in rows_out:
                    copy.write_row(row)
            return
        placeholders = ", ".join("?" for _ in columns)
        self.cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows_out)

    def script(self, statements: Iterable[str]) -> None:
        for statement in statements:
            self.cursor.execute(self.sql(statement))


def in_list(values: Iterable[Any], prefix: str = "p") -> tuple[str, dict[str, Any]]:
    """Placeholders and parameters for `column IN (...)`: each distinct value once, in a
    stable order (None left out). The placeholders are empty when there is no value."""
    distinct = sorted({v for v in values if v is not None}, key=str)
    params = {f"{prefix}{n}": v for n, v in enumerate(distinct)}
    return ", ".join(f":{p}" for p in params), params


def known_at_clause(db: Db) -> str:
    """The versions recorded at `:t`: recorded by then and not yet replaced (a NULL
    `recorded_to` is the current version)."""
    if db.dialect == POSTGRES:
        return "tstzrange(recorded_from, recorded_to, '[)') @> :t::timestamptz"
    return "recorded_from <= :t AND (recorded_to IS NULL OR recorded_to > :t)"


def as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    return date.fromisoformat(str(value)[:10])


def as_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
