"""The read path's short cut from a statement to result objects (issue 13).

`Db.rows` is general: it rewrites the statement's parameters and schema prefix on every
call, converts every parameter, and copies each row into a dict, and the read models then
parse ids, dates and times from the dicts. On a lookup that returns 15 rows that costs
several times the query. Here:

- a statement is compiled once per (dialect, schema) and kept;
- rows come back as the driver's tuples (positional, in the SELECT's order);
- ids, dates and times are parsed through bounded caches: the same body, person, decision
  and day recur in nearly every answer, so most conversions are a dict look-up;
- result objects are built without the frozen dataclass's per-field `object.__setattr__`.

The results are the same objects, equal field for field to what the general path builds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID

from psycopg.rows import tuple_row

from projections.sql import POSTGRES, Db

T = TypeVar("T")

_COMPILED: dict[tuple[str, str, str], str] = {}
_CACHE_LIMIT = 100_000


def compiled(db: Db, statement: str) -> str:
    """`statement` in the store's dialect and schema (rewritten once, then looked up)."""
    key = (statement, db.dialect, db.schema)
    text = _COMPILED.get(key)
    if text is None:
        if len(_COMPILED) > 1000:  # pragma: no cover - statements are a fixed set
            _COMPILED.clear()
        text = _COMPILED[key] = db.sql(statement)
    return text


def tuples(db: Db, statement: str, params: Mapping[str, Any]) -> list[Sequence[Any]]:
    """Rows of `statement` as positional tuples. `params` must already be in the store's
    types (see `param`); the statement is compiled once."""
    text = compiled(db, statement)
    if db.dialect == POSTGRES:
        cursor = db.cursor
        factory = cursor.row_factory
        cursor.row_factory = tuple_row
        try:
            cursor.execute(text, params, prepare=True)
            return cursor.fetchall()
        finally:
            cursor.row_factory = factory
    cursor = getattr(db.cursor, "sqlite_cursor", db.cursor)
    cursor.execute(text, params)
    return cursor.fetchall()  # sqlite3.Row: positional access as a tuple's


def param(db: Db, value: Any) -> Any:
    return db.param(value)


class _Cache(dict):
    """A bounded memo of one conversion (cleared whole when full: the working set of ids
    and days an API process sees is small, and a miss only costs the conversion)."""

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, key: Any) -> Any:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        value = self[key] = self.convert(key)
        return value


def _to_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _to_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return date.fromisoformat(str(value)[:10])


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


_UUIDS = _Cache(_to_uuid)
_DATES = _Cache(_to_date)
_TIMES = _Cache(_to_datetime)

#: Conversions for result columns: `uuid[x]`, `day[x]`, `time[x]` (x not None).
uuid = _UUIDS
day = _DATES
time = _TIMES


def new(cls: type[T], fields: dict[str, Any]) -> T:
    """An instance of the (frozen) dataclass `cls` with `fields`, every field given."""
    obj = object.__new__(cls)
    object.__setattr__(obj, "__dict__", fields)
    return obj


__all__ = ["compiled", "day", "new", "param", "time", "tuples", "uuid"]
