"""Body (organ): a samrådsorgan, chefsgrupp, styrgrupp, utskott or nämnd, with its seats and
memberships. The composition invariants live here."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from registry.dates import PartialDate
from registry.domain import RegistryAggregate
from registry.domain.membership_table import MembershipTable
from registry.domain.seats import check_seat_free
from registry.errors import (
    EndBeforeStart,
    InvalidInput,
    InvalidTransition,
    NotAMember,
    NotFound,
    OverlappingMembership,
)
from registry.ids import natural_id
from registry.values import Context, Role, check_period, require_text


@dataclass(frozen=True)
class Membership:
    """One person's place in a body (ledamot, ersättare, ordförande, ...).

    `start` None means the start is unknown; `start_not_after` then says the latest date it
    can have been ("member before 2020-02-07"). `end` is the date the membership ended: it is
    not held on that day (so "C ersätter D" on X gives D until X and C from X). None: open.
    """

    membership_id: UUID
    person_id: UUID
    person_name: str
    role: Role
    start: date | None
    start_not_after: date | None = None
    end: date | None = None
    seat_id: UUID | None = None
    on_behalf_of: UUID | None = None
    deputy_for: UUID | None = None
    note: str | None = None

    @property
    def lower(self) -> date:
        """The earliest date on which the membership is known to hold."""
        return self.start if self.start is not None else self.start_not_after  # type: ignore[return-value]

    def holds_on(self, day: date) -> bool:
        return self.lower <= day and (self.end is None or day < self.end)

    def overlaps(self, other: Membership) -> bool:
        return (other.end is None or self.lower < other.end) and (
            self.end is None or other.lower < self.end
        )

    def period_text(self) -> str:
        start = str(self.start) if self.start else f"before {self.start_not_after}"
        return f"{start} – {self.end or 'open'}"


@dataclass(frozen=True)
class Seat:
    """A place defined in a body's composition, filled or vacant ("1 skolchef – utses")."""

    seat_id: UUID
    label: str
    on_behalf_of: UUID | None = None
    note: str | None = None
    role: Role | None = None  # member (ordinarie ledamot) or deputy (ersättare); None: member
    ordinal: int = 1  # its number among the seats of its label
    defined_on: date | None = None  # set from the event's date; None: not known


def membership_id_for(body_id: UUID, person_id: UUID, role: Role, lower: date) -> UUID:
    return natural_id("membership", str(body_id), str(person_id), role.value, lower.isoformat())


def seat_id_for(body_id: UUID, label: str, ordinal: int) -> UUID:
    return natural_id("seat", str(body_id), label, ordinal)


class Body(RegistryAggregate):
    """A decision-making or consultative body, owned by one or more organisations.

    A body may cease (upphöra: dissolved, or merged into another body) and be renamed; the
    dates of both may be known only to the month or year (registry.dates)."""

    # Bodies recorded before cessation and renames existed load without them.
    ceased_on: str | None = None
    ceased_how: str | None = None
    successor_body_id: UUID | None = None
    renames: tuple[tuple[str, str, str], ...] = ()  # (old name, new name, date as given)

    @staticmethod
    def create_id(key: str, **_: object):  # type: ignore[override]
        return natural_id("body", key)

    @event("Registered")
    def __init__(
        self,
        key: str,
        name: str,
        kind: str,
        parent_body_id: UUID | None,
        owner_organisation_ids: tuple[UUID, ...],
        mandate: str | None,
        term_start: date | None,
        term_end: date | None,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.key = key
        self.name = name
        self.kind = kind
        self.parent_body_id = parent_body_id
        self.owner_organisation_ids = tuple(owner_organisation_ids)
        self.mandate = mandate
        self.term_start = term_start
        self.term_end = term_end
        self.seats: dict[UUID, Seat] = {}
        # A dict that also indexes the memberships by person and seat (for the checks).
        self.memberships: MembershipTable = MembershipTable()

    # -- seats -------------------------------------------------------------------------

    def define_seats(
        self, seats: tuple[Seat, ...], effective_date: date | None, context: Context
    ) -> None:
        """Define places in the composition; a seat no one holds is vacant."""
        for seat in seats:
            require_text(seat.label, "seat.label")
            if seat.seat_id in self.seats:
                raise InvalidInput(f"{self.name} already has the seat {seat.label!r}")
        self._seats_defined(tuple(seats), effective_date, context)

    @event("SeatsDefined")
    def _seats_defined(
        self, seats: tuple[Seat, ...], effective_date: date | None, context: Context
    ) -> None:
        for seat in seats:
            # The number among the seats of its label, from the order they were defined (as
            # define_seats numbers them; events recorded before seats had numbers lack it).
            ordinal = 1 + sum(1 for s in self.seats.values() if s.label == seat.label)
            self.seats[seat.seat_id] = dataclasses.replace(
                seat, defined_on=effective_date, ordinal=ordinal
            )

    # -- ceasing and renaming (body_changes.py holds the rules) ------------------------------

    def cease(
        self, on: PartialDate, how: str, successor_body_id: UUID | None, context: Context
    ) -> None:
        """The body ceases (upphör) on `on`: dissolved, or merged into `successor_body_id`."""
        from registry.domain.body_changes import check_cessation

        check_cessation(self, on, how, successor_body_id)
        self._ceased(on.text, how, successor_body_id, on.exact, context)

    @event("Ceased")
    def _ceased(
        self,
        on: str,
        how: str,
        successor_body_id: UUID | None,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.ceased_on = on
        self.ceased_how = how
        self.successor_body_id = successor_body_id

    def correct_cessation(
        self,
        on: PartialDate,
        how: str,
        successor_body_id: UUID | None,
        reason: str,
        context: Context,
    ) -> None:
        """A cessation recorded wrongly, or known better later ("2019" found to be May 2019),
        is corrected by a new event; the old version stays answerable for `knownAt`."""
        from registry.domain.body_changes import check_cessation

        if self.ceased_on is None:
            raise InvalidTransition(f"{self.name} has not ceased; nothing to correct", field="date")
        check_cessation(self, on, how, successor_body_id, correcting=True)
        self._cessation_corrected(
            on.text, how, successor_body_id, require_text(reason, "reason"), on.exact, context
        )

    @event("CessationCorrected")
    def _cessation_corrected(
        self,
        on: str,
        how: str,
        successor_body_id: UUID | None,
        reason: str,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.ceased_on = on
        self.ceased_how = how
        self.successor_body_id = successor_body_id

    def rename(self, name: str, on: PartialDate, context: Context) -> None:
        """The body is called `name` from `on`; the old name stays in the history."""
        from registry.domain.body_changes import check_rename

        check_rename(self, name, on)
        self._renamed(name.strip(), on.text, on.exact, context)

    @event("Renamed")
    def _renamed(self, name: str, on: str, effective_date: date | None, context: Context) -> None:
        self.renames = (*self.renames, (self.name, name, on))
        self.name = name

    # -- memberships ---------------------------------------------------------------------

    def appoint(self, membership: Membership, context: Context) -> None:
        """Appoint a person in a role (utse ledamot, ersättare, ordförande, ...)."""
        from registry.domain.body_changes import check_not_ceased

        check_not_ceased(self, membership.lower, membership.person_name)
        self._check_membership(membership, ignoring=None)
        self._member_appointed(membership, membership.lower, context)

    @event("MemberAppointed")
    def _member_appointed(
        self, membership: Membership, effective_date: date | None, context: Context
    ) -> None:
        self.memberships[membership.membership_id] = membership

    def end_membership(self, membership_id: UUID, end: date, context: Context) -> None:
        """End a membership on `end` (the first day it is no longer held)."""
        current = self._membership(membership_id)
        if current.end is not None:
            raise InvalidTransition(
                f"{current.person_name}'s membership of {self.name} already ended on "
                f"{current.end}; record a correction to change it"
            )
        if end < current.lower:
            raise EndBeforeStart(
                f"{current.person_name}'s membership of {self.name}: the end {end} lies before "
                f"the start {current.lower}",
                field="end",
            )
        self._membership_ended(membership_id, end, context)

    @event("MembershipEnded")
    def _membership_ended(
        self, membership_id: UUID, effective_date: date, context: Context
    ) -> None:
        self.memberships[membership_id] = dataclasses.replace(
            self.memberships[membership_id], end=effective_date
        )

    def replace(
        self,
        outgoing_person_id: UUID,
        outgoing_name: str,
        incoming: Membership,
        context: Context,
    ) -> None:
        """ "C ersätter D": D's membership ends and C's starts on the same date, one event.

        `incoming.start` is the date of the change; C takes D's role, seat and principal
        unless `incoming` says otherwise."""
        on = incoming.start
        if on is None:
            raise InvalidInput("a replacement needs the date it takes effect", field="start")
        candidates = [
            m
            for m in self.memberships.values()
            if m.person_id == outgoing_person_id and m.holds_on(on)
        ]
        if len(candidates) > 1:
            candidates = [m for m in candidates if m.role == incoming.role]
        if not candidates:
            raise NotAMember(
                f"{outgoing_name} is not a member of {self.name} on {on}, so cannot be replaced",
                field="replaces",
            )
        outgoing = candidates[0]
        incoming = dataclasses.replace(
            incoming,
            seat_id=incoming.seat_id or outgoing.seat_id,
            on_behalf_of=incoming.on_behalf_of or outgoing.on_behalf_of,
        )
        self._check_membership(incoming, ignoring=None, vacated=outgoing.membership_id)
        self._member_replaced(outgoing.membership_id, incoming, on, context)

    @event("MemberReplaced")
    def _member_replaced(
        self,
        outgoing_membership_id: UUID,
        incoming: Membership,
        effective_date: date,
        context: Context,
    ) -> None:
        self.memberships[outgoing_membership_id] = dataclasses.replace(
            self.memberships[outgoing_membership_id], end=effective_date
        )
        self.memberships[incoming.membership_id] = incoming

    def correct_membership(self, corrected: Membership, reason: str, context: Context) -> None:
        """A wrongly recorded membership is corrected by a new event; the old version stays
        answerable for `knownAt` before the correction."""
        self._membership(corrected.membership_id)
        require_text(reason, "reason")
        self._check_membership(corrected, ignoring=corrected.membership_id)
        self._membership_corrected(corrected, reason, corrected.lower, context)

    @event("MembershipCorrected")
    def _membership_corrected(
        self, membership: Membership, reason: str, effective_date: date | None, context: Context
    ) -> None:
        self.memberships[membership.membership_id] = membership

    def retract_membership(self, membership_id: UUID, reason: str, context: Context) -> None:
        """A membership recorded in error is withdrawn (it never held)."""
        self._membership(membership_id)
        self._membership_retracted(membership_id, require_text(reason, "reason"), None, context)

    @event("MembershipRetracted")
    def _membership_retracted(
        self, membership_id: UUID, reason: str, effective_date: date | None, context: Context
    ) -> None:
        del self.memberships[membership_id]

    # -- queries used by the invariants and the application ------------------------------

    def memberships_of(self, person_id: UUID) -> list[Membership]:
        return self.memberships.of_person(person_id)

    def _membership(self, membership_id: UUID) -> Membership:
        try:
            return self.memberships[membership_id]
        except KeyError:
            raise NotFound(
                f"{self.name} has no membership {membership_id}", field="membership_id"
            ) from None

    @staticmethod
    def _clashes(other: Membership, m: Membership, ignoring: UUID | None) -> bool:
        if other.membership_id == ignoring:
            return False
        return other.membership_id == m.membership_id or (
            other.person_id == m.person_id and other.role == m.role and other.overlaps(m)
        )

    def _check_membership(
        self, m: Membership, ignoring: UUID | None, vacated: UUID | None = None
    ) -> None:
        require_text(m.person_name, "person_name")
        if m.start is None and m.start_not_after is None:
            raise InvalidInput(
                f"{m.person_name}'s membership of {self.name} needs a start date or the "
                "latest date it can have started (start_not_after)",
                field="start",
            )
        if m.start is not None and m.start_not_after is not None and m.start > m.start_not_after:
            raise InvalidInput(
                f"{m.person_name}: start {m.start} lies after start_not_after {m.start_not_after}",
                field="start",
            )
        check_period(m.lower, m.end, f"{m.person_name}'s membership of {self.name}")
        if m.seat_id is not None and m.seat_id not in self.seats:
            raise NotFound(f"{self.name} has no seat {m.seat_id}", field="seat_id")
        if m.seat_id is not None:
            check_seat_free(self, m, {i for i in (ignoring, vacated) if i is not None})
        if m.deputy_for is not None and not self.memberships_of(m.deputy_for):
            raise NotAMember(
                f"{m.person_name} cannot be personal deputy for someone who is not a member "
                f"of {self.name}",
                field="deputy_for",
            )
        # Only the membership with m's id and m's person's memberships can clash; when more
        # than one does, the whole table is walked so the first in its order is reported.
        same = self.memberships.get(m.membership_id)
        candidates = self.memberships.of_person(m.person_id)
        if same is not None and same.person_id != m.person_id:
            candidates.append(same)
        clashing = [o for o in candidates if self._clashes(o, m, ignoring)]
        if not clashing:
            return
        for other in clashing if len(clashing) == 1 else self.memberships.values():
            if other.membership_id == ignoring:
                continue
            if other.membership_id == m.membership_id:
                raise OverlappingMembership(
                    f"{m.person_name} is already recorded as {m.role.value} of {self.name} "
                    f"from {m.lower}",
                    field="person",
                )
            if other.person_id == m.person_id and other.role == m.role and other.overlaps(m):
                raise OverlappingMembership(
                    f"{m.person_name} is already {m.role.value} of {self.name} "
                    f"({other.period_text()}); the new period {m.period_text()} overlaps it",
                    field="start",
                )
