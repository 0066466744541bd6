"""The unit of work every command shares: the aggregates it loads and changes, saved in one
atomic write, and the application base that opens, joins and commits it.

A command opens a unit with `self._changes()`, or joins the one already open (a decision's
block, an imported file's `unit_of_work()`); when the outermost unit ends, the events of all
its changed aggregates are written in one transaction, with the personal data kept apart
from them. If anything inside is refused, nothing at all is written.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError

from registry.commands.checkouts import AggregateCheckouts
from registry.domain import RegistryAggregate
from registry.domain.person import Person
from registry.errors import (
    AlreadyExists,
    ConcurrentChange,
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from registry.personal_data import PersonalDataChanges

A = TypeVar("A", bound=RegistryAggregate)


class UnitOfWork:
    """The aggregates a command (or a decision's or an import's block) loads and changes.

    A unit that writes (`exclusive`) takes each aggregate out of the aggregate cache instead
    of deep-copying it (registry/commands/checkouts.py): the instance is the unit's alone
    until the unit ends, and goes back to the cache only after its events are saved; a
    refused or failed unit drops it, so the cache never holds a change that was not written."""

    def __init__(self, app: UnitOfWorkApplication, exclusive: bool = False) -> None:
        self.app = app
        self.exclusive = exclusive
        self.aggregates: dict[UUID, RegistryAggregate] = {}
        self.refused: BaseException | None = None
        # Contact values and erasures, written in the same transaction as the events.
        self.personal_data = PersonalDataChanges()
        # How many events this unit saved (set at commit): an import reports its own count,
        # not the log's growth, which includes other writers' events.
        self.saved = 0
        # The recordings this unit saved (set at commit: each event with its position), and
        # what else to write in the events' transaction (an idempotency key's answer).
        self.recordings: list[Any] = []
        self.also_write: dict[str, Any] = {}
        # Ids this unit found no aggregate for (adding one of them needs no second look).
        self.absent: set[UUID] = set()
        # Aggregates created in this unit whose absence was not checked (id -> what, for
        # the ALREADY_EXISTS message if the save collides).
        self.created: dict[UUID, str] = {}
        self._caught_up = False

    def prefetch(self, ids: Iterable[UUID]) -> None:
        """Learn in one query which of `ids` have no aggregate yet, so that probing or
        adding them later in this unit asks the store nothing (an import's declarations)."""
        existing_ids = getattr(self.app.recorder, "existing_ids", None)
        if not self.exclusive or existing_ids is None:
            return
        checkouts = self.app.checkouts
        unknown = [
            i
            for i in dict.fromkeys(ids)
            if isinstance(i, UUID)
            and i not in self.aggregates
            and i not in self.absent
            and not checkouts.known(i)
        ]
        if unknown:
            found = existing_ids(unknown)
            self.absent.update(i for i in unknown if i not in found)

    def _take(self, aggregate_id: UUID) -> RegistryAggregate:
        if aggregate_id in self.absent:
            raise AggregateNotFoundError(aggregate_id)
        if not self._caught_up:
            self.app.checkouts.catch_up()
            self._caught_up = True
        return self.app.checkouts.take(aggregate_id)  # type: ignore[no-any-return]

    def get(self, aggregate_id: UUID, cls: type[A], field: str) -> A:
        """The aggregate `aggregate_id`, which must be a `cls` (NOT_FOUND naming `field`
        otherwise), with this unit's changes."""
        if not isinstance(aggregate_id, UUID):
            raise InvalidInput(f"{field} must be an id, not {aggregate_id!r}", field=field)
        found = self.aggregates.get(aggregate_id)
        if found is None:
            try:
                found = (
                    self._take(aggregate_id)
                    if self.exclusive
                    else self.app.checkouts.read(aggregate_id)
                )
            except AggregateNotFoundError:
                self.absent.add(aggregate_id)
                raise NotFound(
                    f"{field}: no {cls.__name__.lower()} with id {aggregate_id}", field=field
                ) from None
            self.aggregates[aggregate_id] = found
        if not isinstance(found, cls):
            raise NotFound(
                f"{field}: {aggregate_id} is {_a(type(found).__name__)}, not {_a(cls.__name__)}",
                field=field,
            )
        return found

    def find(self, aggregate_id: UUID, cls: type[A], field: str) -> A | None:
        """The aggregate, or None where there is none yet (a body's first meeting plan)."""
        try:
            return self.get(aggregate_id, cls, field)
        except NotFound:
            return None

    def person(self, person_id: UUID, field: str) -> Person:
        """The person `person_id`, or the record it was merged into (and so on)."""
        person = self.get(person_id, Person, field)
        seen = {person.id}
        while person.merged_into is not None and person.merged_into not in seen:
            seen.add(person.merged_into)
            person = self.get(person.merged_into, Person, field)
        return person

    def add(self, aggregate: A, what: str) -> A:
        """A new aggregate for this unit; ALREADY_EXISTS if it is known to be recorded.
        An id this registry knows nothing about is not looked up here (a round trip per
        command): its first event (version 1) collides with the stored one on the events
        table's unique (id, version), the whole unit is refused, and the commit answers with
        the same ALREADY_EXISTS."""
        if aggregate.id in self.aggregates or (
            aggregate.id not in self.absent and self.app.checkouts.known(aggregate.id)
        ):
            raise AlreadyExists(self._exists_message(aggregate.id, what), field="key")
        if aggregate.id not in self.absent:
            self.created[aggregate.id] = what
        self.aggregates[aggregate.id] = aggregate
        return aggregate

    @staticmethod
    def _exists_message(aggregate_id: UUID, what: str) -> str:
        return f"{what} is already recorded (id {aggregate_id})"

    def already_recorded(self) -> AlreadyExists | None:
        """After a refused save: ALREADY_EXISTS for the first aggregate this unit created
        that turns out to be recorded (looked up only on this failure path)."""
        for aggregate_id, what in self.created.items():
            if self.app.checkouts.exists(aggregate_id):
                return AlreadyExists(self._exists_message(aggregate_id, what), field="key")
        return None


def _a(noun: str) -> str:
    noun = noun.lower()
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


_current_unit: ContextVar[UnitOfWork | None] = ContextVar("registry_unit_of_work", default=None)


def in_order_of_happening(events: list[Any]) -> list[Any]:
    """Events of several aggregates merged by timestamp, each aggregate's kept in its own
    (version) order whatever the clock did."""
    by_aggregate: dict[UUID, list[Any]] = {}
    for e in events:
        by_aggregate.setdefault(e.originator_id, []).append(e)
    return list(heapq.merge(*by_aggregate.values(), key=lambda e: e.timestamp))


class UnitOfWorkApplication(Application):
    """The eventsourcing application whose commands share one unit of work: the base of
    every command set in registry/commands/ and of `Registry`, which composes them.

    The subclass that is instantiated sets `checkouts` (the aggregate cache) and
    `_listeners` (called after each write)."""

    checkouts: AggregateCheckouts
    _listeners: list[Callable[[int], None]]

    def _record(self, processing_event: Any) -> Any:
        # Store a unit's events in the order they happened, not aggregate by aggregate: a
        # decision is recorded before the changes it authorises, so a read model meets the
        # decision (and its conditions) first (projections/pending.py relies on it).
        processing_event.events = in_order_of_happening(processing_event.events)
        return super()._record(processing_event)

    def on_recorded(self, listener: Callable[[int], None]) -> None:
        """Call `listener(max notification id)` after each successful write."""
        self._listeners.append(listener)

    @contextmanager
    def _changes(self) -> Iterator[UnitOfWork]:
        outer = _current_unit.get()
        if outer is not None:
            try:
                yield outer
            except BaseException as error:
                # A command refused inside a decision may have changed an aggregate before
                # refusing; even if the caller catches the error, the whole unit is void.
                outer.refused = error
                raise
            return
        unit = UnitOfWork(self, exclusive=True)
        token = _current_unit.set(unit)
        try:
            yield unit
        finally:
            _current_unit.reset(token)
        self._commit(unit)

    def _commit(self, unit: UnitOfWork) -> None:
        if unit.refused is not None:
            raise InvalidTransition(
                f"a command in this unit of work was refused ({unit.refused}); nothing was written"
            ) from unit.refused
        if not any(a.pending_events for a in unit.aggregates.values()):
            self.checkouts.give_back(unit.aggregates.values())
            return
        try:
            extra = dict(unit.also_write)
            if unit.personal_data:
                extra["personal_data"] = unit.personal_data
            recordings = self._save_changed(unit.aggregates.values(), extra)
            unit.saved = len(recordings)
            unit.recordings = list(recordings)
            # Written: the changed instances are now the stored state.
            self.checkouts.give_back(unit.aggregates.values(), recordings)
        except IntegrityError:
            exists = unit.already_recorded()
            if exists is not None:
                raise exists from None
            raise ConcurrentChange(
                "another command changed the same entity at the same time; nothing was "
                "written, run the command again"
            ) from None
        positions = [r.notification.id for r in recordings if r.notification.id is not None]
        if positions:
            top = max(positions)
            for listener in list(self._listeners):
                listener(top)

    def _save_changed(self, aggregates: Iterable[RegistryAggregate], extra: dict[str, Any]) -> Any:
        """The library's `save` for the aggregates with pending events only, without its
        per-object `isinstance` checks against runtime protocols (about 35 us per aggregate,
        a fifth of a command's own time): every object here is an aggregate."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in aggregates:
            if aggregate.pending_events:
                processing_event.events.extend(aggregate.collect_events())
                processing_event.aggregates[aggregate.id] = aggregate
        processing_event.saved_kwargs.update(extra)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # Deprecated.
        return recordings

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """Run several commands as one atomic write (an imported minutes file): commands
        inside the block join it, and if any is refused or the block raises, nothing at all
        is written. The unit it yields tells, after the block, how many events it `saved`
        (0 when nested in an outer unit, which saves them)."""
        with self._changes() as unit:
            yield unit

    def _reading(self) -> UnitOfWork:
        """The open unit of work, or a unit that only reads (outside any)."""
        return _current_unit.get() or UnitOfWork(self)

    def get(self, aggregate_id: UUID, cls: type[A], field: str = "id") -> A:
        """Load one aggregate (for commands and tests; reads go to the projections). Inside
        a unit of work it includes the unit's changes not yet written."""
        return self._reading().get(aggregate_id, cls, field)
