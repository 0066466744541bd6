"""Commands for who sits in a body: appointments, replacements ("C ersätter D"), ends,
corrections and retractions of memberships (see registry/domain/body.py; which seat a
membership takes is registry/domain/seats.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from registry.commands.unit_of_work import UnitOfWork, UnitOfWorkApplication
from registry.domain.body import Body, Membership, membership_id_for
from registry.domain.organisation import Organisation
from registry.domain.seats import choose_seat
from registry.errors import InvalidInput, NotFound
from registry.values import Context, Role, parse_role

#: Value types stored in these aggregates' events (registered with the transcoder).
MEMBERSHIP_VALUE_TYPES: list[type] = [Membership]


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


class MembershipCommands(UnitOfWorkApplication):
    """Appointments to bodies and what becomes of them."""

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
                membership = membership_of(unit, body, a, f"appointments[{i}]")
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
            outgoing = unit.person(outgoing_person_id, "outgoing_person_id")
            if incoming.start is None:
                raise InvalidInput("incoming.start: a replacement needs its date", field="start")
            candidates = [m for m in body.memberships_of(outgoing.id) if m.holds_on(incoming.start)]
            role = incoming.role
            if role is None and len(candidates) == 1:
                role = candidates[0].role
            # The incoming member takes the outgoing one's seat unless another is named.
            unseated = incoming.seat_id is None and incoming.seat_label is None
            membership = membership_of(
                unit,
                body,
                dataclasses.replace(incoming, role=role, seat_unknown=unseated),
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
            membership = membership_of(unit, body, corrected, "corrected")
            membership = dataclasses.replace(membership, membership_id=membership_id)
            body.correct_membership(membership, reason, context)

    def retract_membership(
        self, body_id: UUID, membership_id: UUID, reason: str, context: Context
    ) -> None:
        """A membership recorded in error is withdrawn (it never held)."""
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id").retract_membership(membership_id, reason, context)


def membership_of(unit: UnitOfWork, body: Body, a: Appointment, field: str) -> Membership:
    """The membership an appointment describes, with its person (after merges), role,
    organisation, deputy and seat checked; `field` names the appointment in errors."""
    person = unit.person(a.person_id, f"{field}.person_id")
    role = parse_role(a.role or Role.MEMBER, f"{field}.role")
    if a.on_behalf_of is not None:
        unit.get(a.on_behalf_of, Organisation, f"{field}.on_behalf_of")
    deputy_for = None
    if a.deputy_for is not None:
        deputy_for = unit.person(a.deputy_for, f"{field}.deputy_for").id
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
