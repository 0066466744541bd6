"""The facts a minutes file states, and the small helpers their builders share.

A fact is one thing the registry records from the file: a declared person, the meeting, a
decision, one appointment, one allocation... Each has the path of its entry in the file, an
identity that stays the same between two versions of the file (so a changed file can be
compared fact by fact), the attributes that a correction may change, and the provenance its
events will carry (source item, authorising decision, note). Each concept builds its facts and
records them in its own module (registry/importing/concepts/); registry/importing/building.py
builds a whole file's.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from registry.dates import within_of
from registry.importing.problems import Problem
from registry.values import Actor, Context, sek

DEFAULT_ACTOR = "minutes import"


@dataclass(frozen=True)
class Resolved:
    """What a reference in the file names: its kind, id and name."""

    kind: str
    id: UUID
    name: str


@dataclass(frozen=True)
class DecisionInfo:
    """The decision a fact belongs to; effects take their defaults from it."""

    id: UUID
    body_id: UUID
    decided_on: date
    item: str
    ordinal: int
    identity: tuple[Any, ...]
    decided_on_unknown: bool = False  # `date_not_after`: decided_on is the latest it can be
    decided_precision: str | None = None  # "month" or "year": decided_on is its last day

    def default_date(self) -> str | None:
        """The date an effect takes when it gives none: the day decided, or the month or
        year when that is all the document gives; None when only a bound is known."""
        if self.decided_precision is not None:
            return within_of(self.decided_on, self.decided_precision).text
        return None if self.decided_on_unknown else self.decided_on.isoformat()


@dataclass
class Fact:
    kind: str
    path: str
    identity: tuple[Any, ...]
    attrs: dict[str, Any]
    entry: dict[str, Any]
    context: Context
    refs: dict[str, Any] = field(default_factory=dict)
    decision: DecisionInfo | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Document:
    """A validated file with its facts (or the problems that stop it being imported)."""

    data: dict[str, Any]
    facts: list[Fact]
    problems: list[Problem]
    body_id: UUID | None
    held_on: date
    document: str
    actor: Actor | None = None  # who writes (None: the file's recorded_by, as before)


#: How an imported document's stored content stands for a contact value: the ref of the
#: value kept apart in personal_data (the value never enters the event log).
STORED_PREFIX = "personal-data:"


def stored_ref(value: Any) -> UUID | None:
    """The ref a stored content's contact field stands for, or None for a plain value."""
    if isinstance(value, str) and value.startswith(STORED_PREFIX):
        with contextlib.suppress(ValueError):
            return UUID(value[len(STORED_PREFIX) :])
    return None


def note_of(*parts: str | None) -> str | None:
    notes = [p.strip() for p in parts if p and p.strip()]
    return "; ".join(notes) if notes else None


def as_text(value: Any) -> Any:
    """Attributes as plain values, so two versions of a file compare equal when they say the
    same thing (ids and dates as text, amounts exact)."""
    if isinstance(value, UUID | date):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, list | tuple):
        return [as_text(v) for v in value]
    return value


def amount_of(value: Any, field_name: str) -> Decimal:
    if isinstance(value, float):
        value = str(value)
    if isinstance(value, str):
        value = value.replace(" ", "").replace("\u00a0", "")
    return sek(value, field_name)


def id_of(resolved: Resolved | None) -> str | None:
    """The id of what a reference resolved to, as text; None when it names nothing."""
    return str(resolved.id) if resolved is not None else None


def day(value: str | None) -> date | None:
    """A date the file gives as text, or None when it gives none."""
    return date.fromisoformat(value) if value is not None else None
