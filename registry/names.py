"""The names under which the registry holds organisations, bodies, agreements and funds,
whatever key each was registered under, so that a name declared or referred to in a minutes
file finds what the registry already holds (docs/minutes-format.md, "Identity").

The index is read from the event log itself (registrations and renames, by topic) and kept per
Registry, caught up incrementally: the first lookup reads every registration once, later ones
only the events recorded since (and the last thousand positions again, for a transaction that
committed a lower position late). It sees only committed events, as the importer does; two
imports running at once that declare the same new name under different keys can still both
register it (the lookup and the write are not one transaction).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from registry.domain.agreement import Agreement
from registry.domain.body import Body
from registry.domain.fund import Fund
from registry.domain.organisation import Organisation
from registry.errors import NotFound
from registry.ids import normalise

CLASSES: dict[str, type] = {
    "organisation": Organisation,
    "body": Body,
    "agreement": Agreement,
    "fund": Fund,
}
_TOPICS = {
    get_topic(Organisation.Registered): "organisation",
    get_topic(Organisation.Renamed): "organisation",
    get_topic(Body.Registered): "body",
    get_topic(Agreement.Registered): "agreement",
    get_topic(Fund.Established): "fund",
}
_BATCH = 1000
_LOOK_BACK = 1000  # log positions re-read on each catch-up


@dataclass(frozen=True)
class Held:
    """Something the registry holds under a name: its id, current name and owners (a body's
    owner organisations, an agreement's parties; none for an organisation or a fund)."""

    kind: str
    id: UUID
    name: str
    owners: frozenset[UUID]

    def describe(self) -> str:
        return f"{self.name!r} (id {self.id})"


def _name_of(event: Any) -> str | None:
    return getattr(event, "name", None) or getattr(event, "title", None)


class NameIndex:
    """Names (normalised) to the ids of one kind that were ever registered or renamed so."""

    def __init__(self, registry: Any) -> None:
        self._registry = registry
        self._position = 0
        self._top = -1  # the log's last position at the last catch-up
        self._names: dict[tuple[str, str], set[UUID]] = {}
        self._lock = threading.Lock()

    def _catch_up(self) -> None:
        recorder = self._registry.recorder
        top = recorder.max_notification_id() or 0
        if top == self._top:
            return  # nothing recorded since the last catch-up
        # On PostgreSQL a transaction can commit a lower position after a higher one was
        # read: look back a little each time (names are a set, a second read adds nothing).
        start = max(1, self._position - _LOOK_BACK + 1)
        while True:
            found = recorder.select_notifications(start, _BATCH, topics=list(_TOPICS))
            for n in found:
                event = self._registry.mapper.to_domain_event(n)
                name = _name_of(event)
                if name:
                    key = (_TOPICS[n.topic], normalise(name))
                    self._names.setdefault(key, set()).add(n.originator_id)
                self._position = max(self._position, n.id)
            if len(found) < _BATCH:
                break
            start = found[-1].id + 1
        self._top = top

    def held(self, kind: str, name: str) -> list[Held]:
        """What the registry holds of `kind` under `name` now (case and spacing ignored)."""
        looked = _LOOKED.get()
        with self._lock:
            if looked is None or id(self) not in looked:
                self._catch_up()
                if looked is not None:
                    looked.add(id(self))
            ids = sorted(self._names.get((kind, normalise(name)), set()), key=str)
        found = []
        for i in ids:
            try:
                entity = self._registry.get(i, CLASSES[kind])
            except NotFound:  # pragma: no cover - registrations are never removed
                continue
            current = _name_of(entity) or ""
            if normalise(current) != normalise(name):
                continue  # renamed since
            found.append(Held(kind, i, current, frozenset(_owners(kind, entity))))
        return found


def _owners(kind: str, entity: Any) -> Iterable[UUID]:
    if kind == "body":
        return entity.owner_organisation_ids
    if kind == "agreement":
        return (UUID(p) for p in entity.party_ids)
    return ()


_INDEXES: weakref.WeakKeyDictionary[Any, NameIndex] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


_LOOKED: ContextVar[set[int] | None] = ContextVar("names_looked", default=None)


@contextmanager
def one_look() -> Iterator[None]:
    """Within the block, each index reads the log at most once (an import's file is read
    against one moment of the registry, not one per name)."""
    token = _LOOKED.set(set())
    try:
        yield
    finally:
        _LOOKED.reset(token)


def names_of(registry: Any) -> NameIndex:
    """The name index of `registry` (one per Registry object)."""
    with _GUARD:
        index = _INDEXES.get(registry)
        if index is None:
            index = _INDEXES[registry] = NameIndex(registry)
        return index
