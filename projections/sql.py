"""A thin, dialect-aware wrapper over a DB-API cursor: one SQL text for both stores.

Statements use `:name` parameters and `{s}` for the PostgreSQL schema prefix. On SQLite,
dates, datetimes and ids are stored as ISO text (fixed-width UTC for datetimes, so text order
is time order); on PostgreSQL as date, timestamptz and text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

_PARAM = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

SQLITE = "sqlite"
POSTGRES = "postgres"


def sqlite_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class Db:
    """Executes dialect-neutral statements on one cursor (inside the caller's transaction)."""

    def __init__(self, cursor: Any, dialect: str, schema: str = "public") -> None:
        if not _IDENTIFIER.match(schema):
            raise ValueError(f"unsafe schema name {schema!r}")
        self.cursor = cursor
        self.dialect = dialect
        self.schema = schema

    def sql(self, statement: str) -> str:
        prefix = f'"{self.schema}".' if self.dialect == POSTGRES else ""
        statement = statement.replace("{s}", prefix)
        if self.dialect == POSTGRES:
            return _PARAM.sub(r"%(\1)s", statement)
        return statement

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

    def execute(self, statement: str, params: Mapping[str, Any] | None = None) -> Any:
        converted = {k: self.param(v) for k, v in (params or {}).items()}
        self.cursor.execute(self.sql(statement), converted)
        return self.cursor

    def rows(self, statement: str, params: Mapping[str, Any] | None = None) -> list[dict]:
        return [dict(r) for r in self.execute(statement, params).fetchall()]

    def one(self, statement: str, params: Mapping[str, Any] | None = None) -> dict | None:
        row = self.execute(statement, params).fetchone()
        return dict(row) if row is not None else None

    def insert(self, table: str, values: Mapping[str, Any]) -> None:
        columns = ", ".join(values)
        placeholders = ", ".join(f":{c}" for c in values)
        self.execute(f"INSERT INTO {{s}}{table} ({columns}) VALUES ({placeholders})", values)

    def insert_many(self, table: str, rows: list[Mapping[str, Any]], chunk: int = 200) -> None:
        """Insert rows with the same columns, `chunk` rows per statement."""
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            columns = list(part[0])
            values = ", ".join(
                "(" + ", ".join(f":{c}_{n}" for c in columns) + ")" for n in range(len(part))
            )
            params = {f"{c}_{n}": row[c] for n, row in enumerate(part) for c in columns}
            self.execute(f"INSERT INTO {{s}}{table} ({', '.join(columns)}) VALUES {values}", params)

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
