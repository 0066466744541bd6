"""Turn event attributes and value objects into JSON-ready values (for views and the audit
trail): dataclasses become objects, ids and dates strings, money exact decimal strings.

Every event goes through here during a catch-up, so the common types are looked up by their
exact type first and each dataclass's field names are read once."""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson

from projections.sql import uuid_text

_SCALARS = frozenset({str, int, float, bool, type(None)})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    names = _FIELDS.get(kind)
    if names is None:
        if not dataclasses.is_dataclass(kind):
            return None
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def plain(value: Any) -> Any:
    """A JSON-ready copy of `value` (None stays None)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is UUID:
        return uuid_text(value)
    if kind is list or kind is tuple:
        return [plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if (names := _field_names(kind)) is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, Mapping):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return str(value)


_CANONICAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _is_uuid_text(value: str) -> str | None:
    if _CANONICAL_ID.fullmatch(value):  # already as str(UUID(value)) would write it
        return value
    if len(value) == 36 and value.count("-") == 4:
        with contextlib.suppress(ValueError):
            return str(UUID(value))
    return None


def plain_with_ids(value: Any, found: set[str]) -> Any:
    """`plain(value)`, also adding to `found` every id it mentions (as `uuids_in` of the
    result would: ids, and id-shaped strings, anywhere but in mapping keys)."""
    kind = type(value)
    if kind is str:
        if len(value) == 36 and (text := _is_uuid_text(value)) is not None:
            found.add(text)
        return value
    if kind in _SCALARS:
        return value
    if kind is UUID:
        text = uuid_text(value)
        found.add(text)
        return text
    if kind is list or kind is tuple:
        return [plain_with_ids(v, found) for v in value]
    if (names := _field_names(kind)) is not None and not isinstance(value, enum.Enum):
        return {name: plain_with_ids(getattr(value, name), found) for name in names}
    if isinstance(value, Mapping):
        return {str(plain(k)): plain_with_ids(v, found) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return [plain_with_ids(v, found) for v in value]
    result = plain(value)  # enums, subclasses of the scalars, dates, money, the rest
    if isinstance(result, str) and (text := _is_uuid_text(result)) is not None:
        found.add(text)
    return result


def uuids_in(value: Any) -> set[str]:
    """Every id mentioned anywhere inside a plain value (for "which events touched X")."""
    found: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, str) and len(v) == 36 and v.count("-") == 4:
            with contextlib.suppress(ValueError):
                found.add(str(UUID(v)))
        elif isinstance(v, dict):
            for item in v.values():
                walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)

    walk(value)
    return found


def dumps(value: Any) -> str:
    """A plain value as JSON text with sorted keys (for the views' and the audit trail's
    columns, read back with `json.loads`), with orjson: several times faster than `json.dumps`
    on a catch-up. What orjson refuses (an int beyond 64 bits, a non-text key, a lone
    surrogate) goes through `json.dumps` as before."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
