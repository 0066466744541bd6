"""Turn event attributes and value objects into JSON-ready values (for views and the audit
trail): dataclasses become objects, ids and dates strings, money exact decimal strings."""

from __future__ import annotations

import contextlib
import dataclasses
import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


def plain(value: Any) -> Any:
    """A JSON-ready copy of `value` (None stays None)."""
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return str(value)


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
