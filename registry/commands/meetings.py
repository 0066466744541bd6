"""Commands for meetings recorded from their minutes: who was present, the agenda, the
chair and secretaries, and the deputies who served (see registry/domain/meeting.py and
serving.py; plans for meetings to come are registry/commands/plans.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from registry.commands.plans import mark_held_as_planned
from registry.commands.unit_of_work import UnitOfWork, UnitOfWorkApplication
from registry.domain.body import Body
from registry.domain.meeting import AgendaItem, Attendee, Meeting
from registry.domain.seats import MEMBER_ROLES
from registry.domain.serving import ServingDeputy
from registry.errors import InvalidInput, NotAMember
from registry.values import Context, require_text

#: Value types stored in these aggregates' events (registered with the transcoder).
MEETING_VALUE_TYPES: list[type] = [ServingDeputy, Attendee, AgendaItem]


class MeetingCommands(UnitOfWorkApplication):
    """Meetings and the deputies who served at them."""

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
            for i, item in enumerate(items):
                require_text(item.title, f"items[{i}].title")
                for j, pid in enumerate(item.presenter_ids):
                    unit.person(pid, f"items[{i}].presenter_ids[{j}]")
            for field, pid in (("chair_id", chair_id), ("secretary_id", secretary_id)):
                if pid is not None:
                    unit.person(pid, field)
            _check_secretaries(unit, secretary_id, additional_secretary_ids)
            meeting = Meeting(
                body_id=body_id,
                held_on=held_on,
                sequence=sequence,
                time=time,
                place=place,
                present=_attendees(unit, present, "present"),
                absent=_attendees(unit, absent, "absent"),
                chair_id=chair_id,
                secretary_id=secretary_id,
                items=tuple(items),
                effective_date=held_on,
                context=context,
                additional_secretary_ids=tuple(additional_secretary_ids),
            )
            unit.add(meeting, f"the meeting of {held_on}")
            mark_held_as_planned(unit, meeting, context)
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
                deputy = unit.person(deputy_id, f"serving[{i}].person")
                member = unit.person(member_id, f"serving[{i}].serving_for")
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


def _attendees(
    unit: UnitOfWork, given: Sequence[UUID | Attendee], field: str
) -> tuple[Attendee, ...]:
    found = []
    for i, a in enumerate(given):
        pid, note = (a.person_id, a.note) if isinstance(a, Attendee) else (a, None)
        person = unit.person(pid, f"{field}[{i}]")
        # The name as the list prints it, when given, beside the link to the person (a
        # variant spelling stays as printed); else the registered name.
        printed = a.name.strip() if isinstance(a, Attendee) and a.name else ""
        found.append(Attendee(person.id, printed or person.name, note))
    return tuple(found)


def _check_secretaries(
    unit: UnitOfWork, secretary_id: UUID | None, additional_secretary_ids: Sequence[UUID]
) -> None:
    """Minutes kept by several secretaries name the first, and no one twice."""
    if additional_secretary_ids and secretary_id is None:
        raise InvalidInput(
            "additional_secretary_ids: name the first secretary as secretary_id",
            field="secretary_id",
        )
    secretaries: set[UUID] = set()
    if secretary_id is not None:
        secretaries.add(unit.person(secretary_id, "secretary_id").id)
    for i, pid in enumerate(additional_secretary_ids):
        field = f"additional_secretary_ids[{i}]"
        person = unit.person(pid, field)
        if person.id in secretaries:
            raise InvalidInput(f"{field}: {person.name} is named as secretary twice", field=field)
        secretaries.add(person.id)
