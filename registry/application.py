"""The application service: every command the registry accepts, with typed arguments.

Commands load aggregates, call their methods (where the invariants live) and save all the
changed aggregates in one atomic write. A decision and the changes it authorises share one
unit of work:

    with registry.decide(body_id, date(2020, 2, 7), "9", DecisionKind.APPROVED, text, ctx) as d:
        registry.replace_member(styrgrupp, patrik, Appointment(annika, Role.MEMBER, start=...),
                                d.context)

If anything inside the block is refused, nothing at all is written.
"""

from __future__ import annotations

import dataclasses
import heapq
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from registry.application_cache import AggregateCheckouts
from registry.application_lifecycle import LIFECYCLE_VALUE_TYPES, LifecycleCommands
from registry.application_mandates import MANDATE_VALUE_TYPES, MandateCommands
from registry.application_plans import PLAN_VALUE_TYPES, PlanningCommands
from registry.chain import ChainStore
from registry.config import StoreSettings, settings_from_environment
from registry.dates import PartialDate, Precision, within_of
from registry.domain import RegistryAggregate
from registry.domain.agreement import Agreement, EntryIntoForce, check_start
from registry.domain.assignment import Assignment
from registry.domain.body import Body, Membership, Seat, membership_id_for, seat_id_for
from registry.domain.decision import Condition, Decision, DeferredTo, Statement
from registry.domain.fund import Allocation, Fund, allocation_id_for
from registry.domain.imported import ImportedDocument
from registry.domain.meeting import AgendaItem, Attendee, Meeting
from registry.domain.organisation import Organisation
from registry.domain.person import ContactCommitment, Person
from registry.domain.seats import MEMBER_ROLES, SEAT_ROLES, choose_seat
from registry.domain.serving import ServingDeputy
from registry.domain.vote import Ballot, StatementAuthors, Vote, parse_vote_choice, vote_id_for
from registry.errors import (
    AlreadyExists,
    ConcurrentChange,
    EndBeforeStart,
    InvalidInput,
    InvalidTransition,
    NotAMember,
    NotFound,
)
from registry.ids import natural_id, normalise
from registry.personal_data import (
    Erasure,
    PersonalDataChanges,
    PersonalDatum,
    StoredValue,
    check_kind,
    check_value,
    commitment,
    new_salt,
)
from registry.recorders import recorder_topic
from registry.store_setup import setup_lock
from registry.values import (
    Context,
    DecisionKind,
    HolderKind,
    Role,
    StatementKind,
    check_period,
    parse_role,
    register_value_transcodings,
    require_text,
    sek,
)

A = TypeVar("A", bound=RegistryAggregate)

VALUE_TYPES: list[type] = [
    Membership,
    Seat,
    ServingDeputy,
    Condition,
    Statement,
    DeferredTo,
    EntryIntoForce,
    Allocation,
    Attendee,
    AgendaItem,
    ContactCommitment,
    *PLAN_VALUE_TYPES,
    *MANDATE_VALUE_TYPES,
    StatementAuthors,
    Vote,
    Ballot,
    *LIFECYCLE_VALUE_TYPES,
]

#: Contact details given to a command: kind (email, phone, address) to value, or a list of
#: (kind, value) pairs when a person has two of a kind.
ContactValues = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True)
class Appointment:
    """What a command says about a membership: who, in which role, from when, for whom.

    `start` None with `start_not_after` set means "member before that date"."""

    person_id: UUID
    role: Role | str | None = None  # None: member (or, for a replacement, the outgoing role)
    start: date | None = None
    start_not_after: date | None = None
    end: date | None = None
    seat_id: UUID | None = None
    on_behalf_of: UUID | None = None
    deputy_for: UUID | None = None
    note: str | None = None
    # Instead of `seat_id`: the seat by label (and number), matched as registry.domain.seats
    # says; `seat_unknown` when the source does not say which of several seats it is.
    seat_label: str | None = None
    seat_number: int | None = None
    seat_unknown: bool = False


@dataclass(frozen=True)
class SeatSpec:
    """Seats to define: `count` places with one label ("3 från hälso- och sjukvården"), for
    ordinary members or (`role` deputy) for ersättare."""

    label: str
    count: int = 1
    on_behalf_of: UUID | None = None
    note: str | None = None
    role: Role | str | None = None


@dataclass(frozen=True)
class DecisionHandle:
    """The decision being recorded; its `context` authorises the changes made with it."""

    id: UUID
    context: Context


class _UnitOfWork:
    """The aggregates a command (or a decision's or an import's block) loads and changes.

    A unit that writes (`exclusive`) takes each aggregate out of the aggregate cache instead
    of deep-copying it (registry/application_cache.py): the instance is the unit's alone until
    the unit ends, and goes back to the cache only after its events are saved; a refused or
    failed unit drops it, so the cache never holds a change that was not written."""

    def __init__(self, app: Registry, exclusive: bool = False) -> None:
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

    def add(self, aggregate: A, what: str) -> A:
        """A new aggregate for this unit; ALREADY_EXISTS if it is known to be recorded.
        An id this registry knows nothing about is not looked up here (a round trip per
        command): its first event (version 1) collides with the stored one on the events
        table's unique (id, version), the whole unit is refused, and `_commit` answers with
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


_current_unit: ContextVar[_UnitOfWork | None] = ContextVar("registry_unit_of_work", default=None)


def in_order_of_happening(events: list[Any]) -> list[Any]:
    """Events of several aggregates merged by timestamp, each aggregate's kept in its own
    (version) order whatever the clock did."""
    by_aggregate: dict[UUID, list[Any]] = {}
    for e in events:
        by_aggregate.setdefault(e.originator_id, []).append(e)
    return list(heapq.merge(*by_aggregate.values(), key=lambda e: e.timestamp))


class Registry(LifecycleCommands, PlanningCommands, MandateCommands, Application):
    """The decision and mandate registry (the write side)."""

    name = "Registry"
    # Every stored event gets its hash-chain link in the same transaction (registry/chain.py).
    # Only the write-cost benchmark turns this off, to measure what the chain costs.
    chained = True

    def __init__(self, settings: StoreSettings | None = None) -> None:
        self.settings = settings or settings_from_environment()
        env = self.settings.eventsourcing_env()
        # The recorder that writes, in the events' own transaction, their hash-chain links
        # and the personal data kept apart from them.
        env["APPLICATION_RECORDER_TOPIC"] = recorder_topic(self.settings.is_postgres, self.chained)
        # The library creates its tables here; processes started together take turns.
        with setup_lock(self.settings):
            super().__init__(env=env)
            if self.chained:
                # A store written before the chain existed gets its chain built once.
                self.chain.ensure_chain()
        self._listeners: list[Callable[[int], None]] = []
        self._lock = threading.Lock()
        self.checkouts = AggregateCheckouts(self.repository, self.recorder)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_value_transcodings(transcoder, VALUE_TYPES)

    # -- plumbing -----------------------------------------------------------------------

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
    def _changes(self) -> Iterator[_UnitOfWork]:
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
        unit = _UnitOfWork(self, exclusive=True)
        token = _current_unit.set(unit)
        try:
            yield unit
        finally:
            _current_unit.reset(token)
        self._commit(unit)

    def _commit(self, unit: _UnitOfWork) -> None:
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
    def unit_of_work(self) -> Iterator[_UnitOfWork]:
        """Run several commands as one atomic write (an imported minutes file): commands
        inside the block join it, and if any is refused or the block raises, nothing at all
        is written. The unit it yields tells, after the block, how many events it `saved`
        (0 when nested in an outer unit, which saves them)."""
        with self._changes() as unit:
            yield unit

    @property
    def chain(self) -> ChainStore:
        """The hash chain next to the events (links, checkpoints, raw stored events)."""
        recorder = self.recorder
        if not isinstance(recorder, ChainStore):
            raise TypeError("this registry was built without the hash chain")
        return recorder

    def max_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def get(self, aggregate_id: UUID, cls: type[A], field: str = "id") -> A:
        """Load one aggregate (for commands and tests; reads go to the projections). Inside
        a unit of work it includes the unit's changes not yet written."""
        return (_current_unit.get() or _UnitOfWork(self)).get(aggregate_id, cls, field)

    # -- organisations and persons -----------------------------------------------------

    def register_organisation(
        self,
        name: str,
        kind: str,
        context: Context,
        key: str | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """Register a region, kommun, kommunalförbund or SKR. Id from `key` (default: name)."""
        name = require_text(name, "name")
        with self._changes() as unit:
            org = Organisation(
                key=key or name,
                name=name,
                kind=require_text(kind, "kind"),
                effective_date=effective_date,
                context=context,
            )
            unit.add(org, f"the organisation {name!r}")
        return org.id

    def rename_organisation(
        self, organisation_id: UUID, name: str, effective_date: date | None, context: Context
    ) -> None:
        with self._changes() as unit:
            unit.get(organisation_id, Organisation, "organisation_id").rename(
                name, effective_date, context
            )

    def register_person(
        self,
        name: str,
        context: Context,
        title: str | None = None,
        party: str | None = None,
        organisation_id: UUID | None = None,
        key: str | None = None,
        contact: ContactValues | None = None,
    ) -> UUID:
        """Register a person. Id from `key` (default: name, plus organisation if given).
        `contact` values (email, phone, address) are kept apart from the events, which hold
        only commitments to them (see registry/personal_data.py)."""
        name = require_text(name, "name")
        with self._changes() as unit:
            if organisation_id is not None:
                unit.get(organisation_id, Organisation, "organisation_id")
            person = Person(
                key=key or f"{name}|{organisation_id or ''}",
                name=name,
                title=title,
                party=party,
                organisation_id=organisation_id,
                effective_date=None,
                context=context,
            )
            unit.add(person, f"the person {name!r}")
            if contact:
                self._add_contact(unit, person, contact, context)
        return person.id

    def add_contact_details(
        self,
        person_id: UUID,
        contact: ContactValues,
        context: Context,
        refs: Mapping[str, UUID] | None = None,
    ) -> list[UUID]:
        """Record contact values of a person (kept apart; the event holds commitments). A
        value the person already has, unredacted, is not recorded twice. `refs` may fix the
        ref of a kind (the importer does, to keep a file's stored form stable). Returns the
        refs of the values, new or already held."""
        with self._changes() as unit:
            person = unit.get(person_id, Person, "person_id")
            return self._add_contact(unit, person, contact, context, refs or {})

    def _add_contact(
        self,
        unit: _UnitOfWork,
        person: Person,
        contact: ContactValues,
        context: Context,
        refs: Mapping[str, UUID] | None = None,
    ) -> list[UUID]:
        pairs = list(contact.items() if isinstance(contact, Mapping) else contact)
        held = self._live_values(unit, person)
        new: list[ContactCommitment] = []
        result: list[UUID] = []
        for i, (kind, value) in enumerate(pairs):
            check_kind(kind, f"contact[{i}].kind")
            value = check_value(kind, value)
            known = held.get((kind, value))
            if known is not None:
                result.append(known)
                continue
            ref = (refs or {}).get(kind) or uuid.uuid4()
            if any(c.ref == ref for c in [*person.contact_details, *new]):
                raise InvalidInput(f"{kind}: the ref {ref} is already used", field=kind)
            salt = new_salt()
            unit.personal_data.added.append(PersonalDatum(ref, person.id, kind, value, salt))
            new.append(ContactCommitment(ref, kind, commitment(value, salt)))
            held[(kind, value)] = ref
            result.append(ref)
        if new:
            person.add_contact_details(tuple(new), context)
        return result

    def _live_values(self, unit: _UnitOfWork, person: Person) -> dict[tuple[str, str], UUID]:
        """(kind, value) of the person's unredacted details, including this unit's own."""
        live = {c.ref: c for c in person.live_contact_details()}
        found = {
            (v.kind, v.value): ref
            for ref, v in self.personal_data(live).items()
            if v.value is not None
        }
        for d in unit.personal_data.added:
            if d.person_id == person.id:
                found[(d.kind, d.value)] = d.ref
        return found

    def contact_ref(self, person_id: UUID, kind: str, value: str) -> UUID | None:
        """The ref of an unredacted contact value the person (or the record it was merged
        into) already holds, if any."""
        try:
            person = self._person(_current_unit.get() or _UnitOfWork(self), person_id, "person_id")
        except NotFound:
            return None
        return self._live_values(_UnitOfWork(self), person).get((kind, value.strip()))

    def personal_data(self, refs: Iterable[UUID]) -> dict[UUID, StoredValue]:
        """The kept-apart rows of these refs (value and salt None once redacted)."""
        return self.recorder.select_personal_data(refs)  # type: ignore[attr-defined]

    def redact_contact_details(
        self,
        person_id: UUID,
        decision: str,
        reason: str,
        context: Context,
        kinds: Sequence[str] = (),
        refs: Sequence[UUID] = (),
    ) -> list[UUID]:
        """Destroy contact values by a disposal decision (gallringsbeslut): every unredacted
        detail of the given `kinds`, and the given `refs`. A `Person.Redacted` event records
        the decision, the reason, who and which details; the values and salts are erased
        from personal_data in the same transaction. The events, which hold only
        commitments, stay as they were. Returns the refs redacted."""
        for i, kind in enumerate(kinds):
            check_kind(kind, f"fields[{i}]")
        if not kinds and not refs:
            raise InvalidInput(
                "name the fields (email, phone, address) or refs to redact", field="fields"
            )
        with self._changes() as unit:
            person = unit.get(person_id, Person, "person_id")
            chosen = list(refs)
            for kind in kinds:
                of_kind = [c.ref for c in person.live_contact_details() if c.kind == kind]
                if not of_kind:
                    raise InvalidInput(
                        f"{person.name} has no {kind} left to redact", field="fields"
                    )
                chosen.extend(of_kind)
            redacted = person.redact(chosen, decision, reason, context)
            # The erasure carries the event's own time, so the row and the event agree.
            at = person.pending_events[-1].timestamp
            unit.personal_data.erasures.append(
                Erasure(tuple(c.ref for c in redacted), decision.strip(), at)
            )
        return [c.ref for c in redacted]

    def add_name_variant(
        self, person_id: UUID, variant: str, context: Context, note: str | None = None
    ) -> None:
        with self._changes() as unit:
            unit.get(person_id, Person, "person_id").add_name_variant(variant, context, note)

    def merge_persons(
        self, duplicate_id: UUID, survivor_id: UUID, reason: str, context: Context
    ) -> None:
        """Two records found to be one person: `duplicate_id` resolves to `survivor_id`."""
        with self._changes() as unit:
            duplicate = unit.get(duplicate_id, Person, "duplicate_id")
            survivor = self._person(unit, survivor_id, "survivor_id")
            duplicate.merge_into(survivor.id, reason, context)
            survivor.absorb(duplicate, reason, context)

    def _person(self, unit: _UnitOfWork, person_id: UUID, field: str) -> Person:
        person = unit.get(person_id, Person, field)
        seen = {person.id}
        while person.merged_into is not None and person.merged_into not in seen:
            seen.add(person.merged_into)
            person = unit.get(person.merged_into, Person, field)
        return person

    # -- bodies and memberships ---------------------------------------------------------

    def register_body(
        self,
        name: str,
        kind: str,
        context: Context,
        key: str | None = None,
        parent_body_id: UUID | None = None,
        owner_organisation_ids: Sequence[UUID] = (),
        mandate: str | None = None,
        term_start: date | None = None,
        term_end: date | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """Register a body (samrådsorgan, chefsgrupp, styrgrupp, utskott, nämnd)."""
        name = require_text(name, "name")
        check_period(term_start, term_end, f"the term of {name!r}")
        with self._changes() as unit:
            if parent_body_id is not None:
                unit.get(parent_body_id, Body, "parent_body_id")
            for i, org_id in enumerate(owner_organisation_ids):
                unit.get(org_id, Organisation, f"owner_organisation_ids[{i}]")
            body = Body(
                key=key or name,
                name=name,
                kind=require_text(kind, "kind"),
                parent_body_id=parent_body_id,
                owner_organisation_ids=tuple(owner_organisation_ids),
                mandate=mandate,
                term_start=term_start,
                term_end=term_end,
                effective_date=effective_date or term_start,
                context=context,
            )
            unit.add(body, f"the body {name!r}")
        return body.id

    def define_seats(
        self,
        body_id: UUID,
        seats: Sequence[SeatSpec],
        context: Context,
        effective_date: date | None = None,
    ) -> list[UUID]:
        """Define seats, filled later or vacant ("1 skolchef – utses")."""
        with self._changes() as unit:
            body = unit.get(body_id, Body, "body_id")
            defined: list[Seat] = []
            for i, spec in enumerate(seats):
                if spec.count < 1:
                    raise InvalidInput(f"seats[{i}].count must be at least 1", field="count")
                if spec.on_behalf_of is not None:
                    unit.get(spec.on_behalf_of, Organisation, f"seats[{i}].on_behalf_of")
                taken = sum(1 for s in body.seats.values() if s.label == spec.label)
                for n in range(spec.count):
                    defined.append(
                        Seat(
                            seat_id=seat_id_for(body.id, spec.label, taken + n + 1),
                            label=require_text(spec.label, f"seats[{i}].label"),
                            on_behalf_of=spec.on_behalf_of,
                            note=spec.note,
                            role=_seat_role(spec.role, f"seats[{i}].role"),
                            ordinal=taken + n + 1,
                        )
                    )
            body.define_seats(tuple(defined), effective_date, context)
        return [s.seat_id for s in defined]

    def _membership(self, unit: _UnitOfWork, body: Body, a: Appointment, field: str) -> Membership:
        person = self._person(unit, a.person_id, f"{field}.person_id")
        role = parse_role(a.role or Role.MEMBER, f"{field}.role")
        if a.on_behalf_of is not None:
            unit.get(a.on_behalf_of, Organisation, f"{field}.on_behalf_of")
        deputy_for = None
        if a.deputy_for is not None:
            deputy_for = self._person(unit, a.deputy_for, f"{field}.deputy_for").id
        lower = a.start or a.start_not_after
        if lower is None:
            raise InvalidInput(
                f"{field}: {person.name}'s membership needs a start date or start_not_after",
                field=f"{field}.start",
            )
        seat_id = a.seat_id
        if seat_id is None and body.seats:
            seat_id = choose_seat(
                body,
                label=a.seat_label,
                number=a.seat_number,
                role=role,
                on_behalf_of=a.on_behalf_of,
                deputy_for=deputy_for,
                lower=lower,
                end=a.end,
                seat_unknown=a.seat_unknown,
                field=field,
            )
        elif seat_id is None and a.seat_label is not None:
            raise NotFound(
                f"{body.name} has no seats defined (no {a.seat_label!r})",
                field=f"{field}.seat",
            )
        return Membership(
            membership_id=membership_id_for(body.id, person.id, role, lower),
            person_id=person.id,
            person_name=person.name,
            role=role,
            start=a.start,
            start_not_after=a.start_not_after,
            end=a.end,
            seat_id=seat_id,
            on_behalf_of=a.on_behalf_of,
            deputy_for=deputy_for,
            note=a.note,
        )

    def appoint(self, body_id: UUID, appointment: Appointment, context: Context) -> UUID:
        """Appoint one person to a body in a role; returns the membership id."""
        return self.appoint_many(body_id, [appointment], context)[0]

    def appoint_many(
        self, body_id: UUID, appointments: Sequence[Appointment], context: Context
    ) -> list[UUID]:
        """ "A och B kompletterar gruppen": several appointments, all or none."""
        with self._changes() as unit:
            body = unit.get(body_id, Body, "body_id")
            ids = []
            for i, a in enumerate(appointments):
                membership = self._membership(unit, body, a, f"appointments[{i}]")
                body.appoint(membership, context)
                ids.append(membership.membership_id)
        return ids

    def end_membership(
        self, body_id: UUID, membership_id: UUID, end: date, context: Context
    ) -> None:
        """End a membership; `end` is the first day it no longer holds."""
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id").end_membership(membership_id, end, context)

    def replace_member(
        self,
        body_id: UUID,
        outgoing_person_id: UUID,
        incoming: Appointment,
        context: Context,
    ) -> UUID:
        """ "C ersätter D" on `incoming.start`: D's membership ends and C's begins that day."""
        with self._changes() as unit:
            body = unit.get(body_id, Body, "body_id")
            outgoing = self._person(unit, outgoing_person_id, "outgoing_person_id")
            if incoming.start is None:
                raise InvalidInput("incoming.start: a replacement needs its date", field="start")
            candidates = [m for m in body.memberships_of(outgoing.id) if m.holds_on(incoming.start)]
            role = incoming.role
            if role is None and len(candidates) == 1:
                role = candidates[0].role
            # The incoming member takes the outgoing one's seat unless another is named.
            unseated = incoming.seat_id is None and incoming.seat_label is None
            membership = self._membership(
                unit,
                body,
                Appointment(**{**incoming.__dict__, "role": role, "seat_unknown": unseated}),
                "incoming",
            )
            body.replace(outgoing.id, outgoing.name, membership, context)
        return membership.membership_id

    def correct_membership(
        self,
        body_id: UUID,
        membership_id: UUID,
        corrected: Appointment,
        reason: str,
        context: Context,
    ) -> None:
        """Correct a wrongly recorded membership (dates, role, seat...) with a reason."""
        with self._changes() as unit:
            body = unit.get(body_id, Body, "body_id")
            if membership_id not in body.memberships:
                raise NotFound(
                    f"{body.name} has no membership {membership_id}", field="membership_id"
                )
            if corrected.seat_id is None and corrected.seat_label is None:
                # A correction that names no seat leaves the membership without one.
                corrected = dataclasses.replace(corrected, seat_unknown=True)
            membership = self._membership(unit, body, corrected, "corrected")
            membership = Membership(**{**membership.__dict__, "membership_id": membership_id})
            body.correct_membership(membership, reason, context)

    def retract_membership(
        self, body_id: UUID, membership_id: UUID, reason: str, context: Context
    ) -> None:
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id").retract_membership(membership_id, reason, context)

    # -- meetings and decisions ---------------------------------------------------------

    def hold_meeting(
        self,
        body_id: UUID,
        held_on: date,
        context: Context,
        time: str | None = None,
        place: str | None = None,
        present: Sequence[UUID | Attendee] = (),
        absent: Sequence[UUID | Attendee] = (),
        chair_id: UUID | None = None,
        secretary_id: UUID | None = None,
        items: Sequence[AgendaItem] = (),
        sequence: int = 1,
        additional_secretary_ids: Sequence[UUID] = (),
    ) -> UUID:
        """Record a meeting from its approved minutes. An attendee is a person id, or an
        `Attendee` with the name as the list prints it and a note on what the minutes leave
        unclear about them. Minutes kept
        by several secretaries name the first as `secretary_id`, the others in
        `additional_secretary_ids`."""
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id")

            def attendees(given: Sequence[UUID | Attendee], field: str) -> tuple[Attendee, ...]:
                found = []
                for i, a in enumerate(given):
                    pid, note = (a.person_id, a.note) if isinstance(a, Attendee) else (a, None)
                    person = self._person(unit, pid, f"{field}[{i}]")
                    # The name as the list prints it, when given, beside the link to the
                    # person (a variant spelling stays as printed); else the registered name.
                    printed = a.name.strip() if isinstance(a, Attendee) and a.name else ""
                    found.append(Attendee(person.id, printed or person.name, note))
                return tuple(found)

            for i, item in enumerate(items):
                require_text(item.title, f"items[{i}].title")
                for j, pid in enumerate(item.presenter_ids):
                    self._person(unit, pid, f"items[{i}].presenter_ids[{j}]")
            for field, pid in (("chair_id", chair_id), ("secretary_id", secretary_id)):
                if pid is not None:
                    self._person(unit, pid, field)
            if additional_secretary_ids and secretary_id is None:
                raise InvalidInput(
                    "additional_secretary_ids: name the first secretary as secretary_id",
                    field="secretary_id",
                )
            secretaries: set[UUID] = set()
            if secretary_id is not None:
                secretaries.add(self._person(unit, secretary_id, "secretary_id").id)
            for i, pid in enumerate(additional_secretary_ids):
                field = f"additional_secretary_ids[{i}]"
                person = self._person(unit, pid, field)
                if person.id in secretaries:
                    raise InvalidInput(
                        f"{field}: {person.name} is named as secretary twice", field=field
                    )
                secretaries.add(person.id)
            meeting = Meeting(
                body_id=body_id,
                held_on=held_on,
                sequence=sequence,
                time=time,
                place=place,
                present=attendees(present, "present"),
                absent=attendees(absent, "absent"),
                chair_id=chair_id,
                secretary_id=secretary_id,
                items=tuple(items),
                effective_date=held_on,
                context=context,
                additional_secretary_ids=tuple(additional_secretary_ids),
            )
            unit.add(meeting, f"the meeting of {held_on}")
            self._held_as_planned(unit, meeting, context)
        return meeting.id

    def record_serving_deputies(
        self, meeting_id: UUID, serving: Sequence[tuple[UUID, UUID, str | None]], context: Context
    ) -> None:
        """Record the tjänstgörande ersättare of a meeting: (deputy, member served for, note).
        The member must hold a member's place in the body on the meeting's day."""
        with self._changes() as unit:
            meeting = unit.get(meeting_id, Meeting, "meeting_id")
            body = unit.get(meeting.body_id, Body, "body_id")
            found = []
            for i, (deputy_id, member_id, note) in enumerate(serving):
                deputy = self._person(unit, deputy_id, f"serving[{i}].person")
                member = self._person(unit, member_id, f"serving[{i}].serving_for")
                if not any(
                    m.role in MEMBER_ROLES and m.holds_on(meeting.held_on)
                    for m in body.memberships_of(member.id)
                ):
                    raise NotAMember(
                        f"{deputy.name} serves for {member.name}, who is not recorded as a "
                        f"member of {body.name} on {meeting.held_on}; record the membership "
                        "(in background, start_not_after, when its start is not known)",
                        field=f"serving[{i}].serving_for",
                    )
                found.append(ServingDeputy(deputy.id, deputy.name, member.id, member.name, note))
            meeting.record_serving(tuple(found), context)

    @contextmanager
    def decide(
        self,
        body_id: UUID,
        decided_on: date,
        item: str,
        kind: DecisionKind | str,
        text: str,
        context: Context,
        meeting_id: UUID | None = None,
        conditions: Sequence[str] = (),
        statements: Sequence[Statement] = (),
        ordinal: int = 1,
        decided_on_unknown: bool = False,
        deferred_to: DeferredTo | None = None,
        decided_precision: str | None = None,
    ) -> Iterator[DecisionHandle]:
        """Record a decision; commands run inside the block are authorised by it and saved
        with it in one transaction. `decided_on_unknown`: the source does not give the date,
        and `decided_on` is the latest it can have been. `decided_precision` ("month",
        "year"): the source gives only that much of the date, and `decided_on` is the last day
        of that month or year."""
        try:
            kind = DecisionKind(kind)
        except ValueError:
            allowed = ", ".join(k.value for k in DecisionKind)
            raise InvalidInput(f"kind {kind!r} is not one of {allowed}", field="kind") from None
        if decided_precision not in (None, Precision.DAY):
            within = within_of(decided_on, decided_precision)
            if not decided_on_unknown or within.latest != decided_on:
                raise InvalidInput(
                    f"a decision known only to the {decided_precision} has decided_on the last "
                    f"day of it ({within.latest}) and decided_on_unknown",
                    field="date",
                )
            decided_precision = str(Precision(decided_precision))
        else:
            decided_precision = None
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id")
            if meeting_id is not None:
                if decided_on_unknown:
                    raise InvalidInput(
                        "a decision taken at a meeting has the meeting's date; "
                        "decided_on_unknown is for a decision whose date the source does not give",
                        field="meeting_id",
                    )
                unit.get(meeting_id, Meeting, "meeting_id")
            decision = Decision(
                body_id=body_id,
                decided_on=decided_on,
                item=require_text(item, "item"),
                ordinal=ordinal,
                meeting_id=meeting_id,
                kind=kind,
                text=require_text(text, "text"),
                conditions=tuple(
                    Condition(
                        natural_id("condition", f"{decided_on}|{item}|{ordinal}", i),
                        require_text(c, f"conditions[{i}]"),
                    )
                    for i, c in enumerate(conditions)
                ),
                effective_date=None if decided_on_unknown else decided_on,
                context=context,
                decided_on_unknown=decided_on_unknown,
                deferred_to=deferred_to,
                decided_precision=decided_precision,
            )
            day = f"unknown date (not after {decided_on})" if decided_on_unknown else decided_on
            if decided_precision:
                day = f"{within_of(decided_on, decided_precision)}"
            unit.add(decision, f"decision {ordinal} on item {item!r} of {day}")
            for s in statements:
                decision.record_statement(s, context)
            yield DecisionHandle(decision.id, context.authorised_by(decision.id))

    def record_decision(self, *args: Any, **kwargs: Any) -> UUID:
        """A decision without effects on other aggregates (same arguments as `decide`)."""
        with self.decide(*args, **kwargs) as handle:
            return handle.id

    def record_statement(
        self,
        decision_id: UUID,
        person_name: str,
        kind: StatementKind | str,
        text: str,
        context: Context,
        person_id: UUID | None = None,
        authors: StatementAuthors | None = None,
        vote_id: UUID | None = None,
    ) -> None:
        """A reservation or särskilt uttalande on a decision. `authors`: made by several
        members or a party group ("X m.fl. (V)"); `vote_id`: the vote its authors lost."""
        with self._changes() as unit:
            decision = unit.get(decision_id, Decision, "decision_id")
            if person_id is not None:
                person_id = self._person(unit, person_id, "person_id").id
            if authors is not None:
                ids = tuple(
                    self._person(unit, p, f"authors[{i}]").id if p is not None else None
                    for i, p in enumerate(authors.person_ids)
                )
                authors = dataclasses.replace(authors, person_ids=ids)
                if person_id is None and ids:
                    person_id = ids[0]
            decision.record_statement(
                Statement(person_id, person_name, StatementKind(kind), text, authors, vote_id),
                context,
            )

    def record_vote(
        self,
        decision_id: UUID,
        context: Context,
        question: str | None = None,
        yes: int | None = None,
        no: int | None = None,
        abstain: int | None = None,
        ballots: Sequence[Ballot] = (),
        note: str | None = None,
    ) -> UUID:
        """A votering on a decision: the counts (ja, nej, avstår) and, where the minutes give
        them, the members' votes."""
        with self._changes() as unit:
            decision = unit.get(decision_id, Decision, "decision_id")
            checked = []
            for i, b in enumerate(ballots):
                if b.person_id is not None:
                    b = dataclasses.replace(
                        b, person_id=self._person(unit, b.person_id, f"ballots[{i}].person").id
                    )
                checked.append(dataclasses.replace(b, choice=parse_vote_choice(b.choice, i)))
            ordinal = len(decision.votes) + 1
            vote = Vote(
                vote_id=vote_id_for(decision_id, ordinal),
                ordinal=ordinal,
                question=question.strip() if question and question.strip() else None,
                yes=yes,
                no=no,
                abstain=abstain,
                ballots=tuple(checked),
                note=note,
            )
            decision.record_vote(vote, context)
        return vote.vote_id

    def meet_condition(
        self,
        decision_id: UUID,
        condition_id: UUID,
        met_on: date,
        context: Context,
        note: str | None = None,
    ) -> None:
        with self._changes() as unit:
            unit.get(decision_id, Decision, "decision_id").meet_condition(
                condition_id, met_on, note, context
            )

    def withdraw_condition(
        self,
        decision_id: UUID,
        condition_id: UUID,
        withdrawn_on: date,
        reason: str,
        context: Context,
    ) -> None:
        """A condition of a decision will not be met (withdrawn, or the approval refused):
        the decision lapses and what it authorised never applies."""
        with self._changes() as unit:
            unit.get(decision_id, Decision, "decision_id").withdraw_condition(
                condition_id, withdrawn_on, reason, context
            )

    def revoke_decision(self, decision_id: UUID, on: date, reason: str, context: Context) -> None:
        with self._changes() as unit:
            unit.get(decision_id, Decision, "decision_id").revoke(on, reason, context)

    def supersede_decision(
        self, decision_id: UUID, by_decision_id: UUID, on: date, context: Context
    ) -> None:
        with self._changes() as unit:
            unit.get(by_decision_id, Decision, "by_decision_id")
            unit.get(decision_id, Decision, "decision_id").supersede(by_decision_id, on, context)

    def correct_decision(
        self, decision_id: UUID, kind: DecisionKind | str, text: str, reason: str, context: Context
    ) -> None:
        with self._changes() as unit:
            unit.get(decision_id, Decision, "decision_id").correct(
                DecisionKind(kind), text, reason, context
            )

    # -- bodies that cease or change ----------------------------------------------------

    def cease_body(
        self,
        body_id: UUID,
        on: PartialDate | str,
        context: Context,
        how: str = "dissolved",
        successor_body_id: UUID | None = None,
    ) -> None:
        """The body ceases (upphör) on `on`, which may be a month or a year ("2019"):
        dissolved, or merged into `successor_body_id` (which may also have only taken over
        its tasks when it was dissolved)."""
        on = PartialDate.parse(on, "date") if isinstance(on, str) else on
        with self._changes() as unit:
            if successor_body_id is not None:
                unit.get(successor_body_id, Body, "successor")
            unit.get(body_id, Body, "body_id").cease(on, how, successor_body_id, context)

    def correct_body_cessation(
        self,
        body_id: UUID,
        on: PartialDate | str,
        reason: str,
        context: Context,
        how: str = "dissolved",
        successor_body_id: UUID | None = None,
    ) -> None:
        """Correct when or how a body ceased (a year found to be a month, a successor)."""
        on = PartialDate.parse(on, "date") if isinstance(on, str) else on
        with self._changes() as unit:
            if successor_body_id is not None:
                unit.get(successor_body_id, Body, "successor")
            unit.get(body_id, Body, "body_id").correct_cessation(
                on, how, successor_body_id, reason, context
            )

    def rename_body(
        self, body_id: UUID, name: str, on: PartialDate | str, context: Context
    ) -> None:
        """The body is called `name` from `on` (a day, month or year); its id stays."""
        on = PartialDate.parse(on, "date") if isinstance(on, str) else on
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id").rename(name, on, context)

    # -- agreements ---------------------------------------------------------------------

    def register_agreement(
        self,
        title: str,
        party_ids: Sequence[UUID],
        context: Context,
        valid_from: date | None = None,
        valid_until: date | None = None,
        entry_into_force: EntryIntoForce | None = None,
        key: str | None = None,
        valid_from_not_after: date | None = None,
    ) -> UUID:
        """Register an agreement between parties with its period or entry-into-force rule.
        When its start is unknown, `valid_from_not_after` is the day it is known to be valid
        from (at the latest)."""
        title = require_text(title, "title")
        check_start(valid_from, valid_from_not_after, entry_into_force, title)
        check_period(valid_from or valid_from_not_after, valid_until, f"the agreement {title!r}")
        if entry_into_force is not None:
            check_period(entry_into_force.not_before, valid_until, f"the agreement {title!r}")
        if len(set(party_ids)) != len(party_ids) or len(party_ids) < 1:
            raise InvalidInput("party_ids must name each party once", field="party_ids")
        with self._changes() as unit:
            for i, pid in enumerate(party_ids):
                unit.get(pid, Organisation, f"party_ids[{i}]")
            agreement = Agreement(
                key=key or title,
                title=title,
                party_ids=tuple(party_ids),
                valid_from=valid_from,
                valid_until=valid_until,
                entry_into_force=entry_into_force,
                effective_date=valid_from or valid_from_not_after,
                context=context,
                valid_from_not_after=valid_from_not_after,
            )
            unit.add(agreement, f"the agreement {title!r}")
        return agreement.id

    def adopt_agreement(
        self, agreement_id: UUID, party_id: UUID, adopted_on: date, context: Context
    ) -> None:
        with self._changes() as unit:
            unit.get(agreement_id, Agreement, "agreement_id").adopt(party_id, adopted_on, context)

    def extend_agreement(self, agreement_id: UUID, new_until: date, context: Context) -> None:
        """Extend an agreement by a decision that binds every party."""
        with self._changes() as unit:
            unit.get(agreement_id, Agreement, "agreement_id").extend(new_until, context)

    def propose_extension(
        self,
        agreement_id: UUID,
        new_until: date,
        context: Context,
        extension_key: str | None = None,
    ) -> str:
        """An endorsed extension recommended to the parties: pending until all adopt it."""
        with self._changes() as unit:
            agreement = unit.get(agreement_id, Agreement, "agreement_id")
            key = extension_key or f"until-{new_until.isoformat()}"
            agreement.propose_extension(key, new_until, context)
        return key

    def adopt_extension(
        self,
        agreement_id: UUID,
        extension_key: str,
        party_id: UUID,
        adopted_on: date,
        context: Context,
    ) -> None:
        with self._changes() as unit:
            unit.get(agreement_id, Agreement, "agreement_id").adopt_extension(
                extension_key, party_id, adopted_on, context
            )

    def revise_agreement(
        self, agreement_id: UUID, description: str, effective_date: date | None, context: Context
    ) -> None:
        with self._changes() as unit:
            unit.get(agreement_id, Agreement, "agreement_id").revise(
                description, effective_date, context
            )

    def terminate_agreement(
        self, agreement_id: UUID, last_day: date, reason: str, context: Context
    ) -> None:
        with self._changes() as unit:
            unit.get(agreement_id, Agreement, "agreement_id").terminate(last_day, reason, context)

    def correct_agreement_period(
        self,
        agreement_id: UUID,
        valid_from: date | None,
        valid_until: date | None,
        reason: str,
        context: Context,
        valid_from_not_after: date | None = None,
    ) -> None:
        """Correct an agreement's period; `valid_from_not_after` for a start still unknown."""
        with self._changes() as unit:
            unit.get(agreement_id, Agreement, "agreement_id").correct_period(
                valid_from, valid_until, reason, context, valid_from_not_after
            )

    # -- funds --------------------------------------------------------------------------

    def establish_fund(
        self,
        name: str,
        total: str | int | Decimal,
        context: Context,
        currency: str = "SEK",
        period_start: date | None = None,
        period_end: date | None = None,
        source_of_funds: str | None = None,
        key: str | None = None,
    ) -> UUID:
        name = require_text(name, "name")
        amount = sek(total, "total")
        if currency != "SEK":
            raise InvalidInput("currency: only SEK is supported", field="currency")
        check_period(period_start, period_end, f"the fund {name!r}")
        with self._changes() as unit:
            fund = Fund(
                key=key or name,
                name=name,
                total=amount,
                currency=currency,
                period_start=period_start,
                period_end=period_end,
                source_of_funds=source_of_funds,
                effective_date=period_start,
                context=context,
            )
            unit.add(fund, f"the fund {name!r}")
        return fund.id

    def allocate(
        self,
        fund_id: UUID,
        recipient: str,
        purpose: str,
        amount: str | int | Decimal,
        context: Context,
        key: str | None = None,
        recipient_id: UUID | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """Allocate money from a fund; the allocations never exceed the fund's total."""
        with self._changes() as unit:
            fund = unit.get(fund_id, Fund, "fund_id")
            allocation_id = allocation_id_for(fund.id, key or f"{recipient}|{purpose}")
            fund.allocate(
                Allocation(allocation_id, recipient, purpose, sek(amount), recipient_id),
                effective_date,
                context,
            )
        return allocation_id

    def change_allocation(
        self,
        fund_id: UUID,
        allocation_id: UUID,
        amount: str | int | Decimal,
        context: Context,
        effective_date: date | None = None,
    ) -> None:
        with self._changes() as unit:
            unit.get(fund_id, Fund, "fund_id").change_allocation(
                allocation_id, sek(amount), effective_date, context
            )

    def withdraw_allocation(
        self,
        fund_id: UUID,
        allocation_id: UUID,
        reason: str,
        context: Context,
        effective_date: date | None = None,
    ) -> None:
        with self._changes() as unit:
            unit.get(fund_id, Fund, "fund_id").withdraw_allocation(
                allocation_id, reason, effective_date, context
            )

    # -- assignments --------------------------------------------------------------------

    def give_assignment(
        self,
        body_id: UUID,
        holder_kind: HolderKind | str,
        holder_name: str,
        task: str,
        context: Context,
        holder_id: UUID | None = None,
        due_date: date | None = None,
        given_on: date | None = None,
        key: str | None = None,
    ) -> UUID:
        """A body gives an uppdrag to a person, a body or an organisation."""
        try:
            holder_kind = HolderKind(holder_kind)
        except ValueError:
            raise InvalidInput(
                f"holder_kind {holder_kind!r} must be person, body or organisation",
                field="holder_kind",
            ) from None
        task = require_text(task, "task")
        if given_on is not None and due_date is not None and due_date < given_on:
            raise EndBeforeStart(
                f"the assignment {task!r} is due {due_date}, before it was given {given_on}",
                field="due_date",
            )
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id")
            if holder_id is not None:
                cls = {HolderKind.PERSON: Person, HolderKind.BODY: Body}.get(
                    holder_kind, Organisation
                )
                unit.get(holder_id, cls, "holder_id")
            assignment = Assignment(
                key=key or f"{body_id}|{normalise(task)}",
                given_by_body_id=body_id,
                holder_kind=holder_kind,
                holder_id=holder_id,
                holder_name=require_text(holder_name, "holder_name"),
                task=task,
                due_date=due_date,
                effective_date=given_on,
                context=context,
            )
            unit.add(assignment, f"the assignment {task!r}")
        return assignment.id

    def report_assignment(
        self, assignment_id: UUID, reported_on: date, text: str, context: Context
    ) -> None:
        """Progress reported on an open assignment (återrapportering); it stays open."""
        with self._changes() as unit:
            unit.get(assignment_id, Assignment, "assignment_id").report(reported_on, text, context)

    def complete_assignment(
        self, assignment_id: UUID, completed_on: date, context: Context
    ) -> None:
        with self._changes() as unit:
            unit.get(assignment_id, Assignment, "assignment_id").complete(completed_on, context)

    def withdraw_assignment(
        self, assignment_id: UUID, withdrawn_on: date, reason: str, context: Context
    ) -> None:
        with self._changes() as unit:
            unit.get(assignment_id, Assignment, "assignment_id").withdraw(
                withdrawn_on, reason, context
            )

    # -- imported documents -------------------------------------------------------------

    def record_imported_document(
        self,
        document: str,
        body_id: UUID,
        held_on: date,
        content_hash: str,
        content: dict[str, Any],
        context: Context,
    ) -> UUID:
        """Remember a minutes or statement file taken in whole (see registry.importing)."""
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id")
            imported = ImportedDocument(
                document=require_text(document, "document"),
                body_id=body_id,
                held_on=held_on,
                content_hash=content_hash,
                content=content,
                effective_date=held_on,
                context=context,
            )
            unit.add(imported, f"the document {document!r} of {held_on}")
        return imported.id

    def correct_imported_document(
        self,
        document_id: UUID,
        content_hash: str,
        content: dict[str, Any],
        reason: str,
        context: Context,
    ) -> None:
        with self._changes() as unit:
            unit.get(document_id, ImportedDocument, "document_id").correct(
                content_hash, content, reason, context
            )


def _seat_role(value: Role | str | None, field_name: str) -> Role | None:
    """A seat is for ordinary members or for deputies (ersättare)."""
    if value is None:
        return None
    role = parse_role(value, field_name)
    if role not in SEAT_ROLES:
        raise InvalidInput(
            f"{field_name} {role.value!r}: a seat is for a member or a deputy", field=field_name
        )
    return role
