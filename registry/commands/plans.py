"""Commands for a body's meeting plan ("kommande möten"): meetings planned, matters sent
to them, cancellations, and the planned meeting that becomes the one held (see
registry/domain/meeting_plan.py).

Each loads the aggregates it needs in the caller's unit of work (a decision's, an imported
file's) or its own, calls their verbs and leaves the atomic write to the unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from registry.commands.unit_of_work import UnitOfWork, UnitOfWorkApplication
from registry.domain.body import Body
from registry.domain.decision import Decision
from registry.domain.meeting import Meeting
from registry.domain.meeting_plan import (
    Matter,
    MeetingPlan,
    PlannedMeeting,
    PlannedMeetingKind,
    parse_kind,
    planned_meeting_id_for,
)
from registry.errors import InvalidInput, NotFound
from registry.values import Context, require_text

#: Value types stored in these aggregates' events (registered with the transcoder).
PLAN_VALUE_TYPES: list[type] = [Matter, PlannedMeeting]


class PlanningCommands(UnitOfWorkApplication):
    """Meeting plans: what a body plans to meet about, and when."""

    def plan_meeting(
        self,
        body_id: UUID,
        planned_on: date,
        context: Context,
        sequence: int = 1,
        ends_on: date | None = None,
        kind: PlannedMeetingKind | str = PlannedMeetingKind.MEETING,
        time: str | None = None,
        place: str | None = None,
        joint_with: Sequence[UUID] = (),
        matters: Sequence[str] = (),
        note: str | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """Put a meeting in a body's plan ("kommande möten"), optionally joint with other
        bodies, over several days (an internat) and with matters that go to it.
        `effective_date` is the day the plan was made. A meeting of that day already held
        makes the planned one held at once."""
        with self._changes() as unit:
            for i, other in enumerate(joint_with):
                unit.get(other, Body, f"joint_with[{i}]")
            plan = plan_of(unit, body_id, context)
            pid = planned_meeting_id_for(body_id, planned_on, sequence)
            plan.plan(
                PlannedMeeting(
                    pid,
                    planned_on,
                    sequence,
                    ends_on,
                    parse_kind(kind),
                    time,
                    place,
                    tuple(joint_with),
                    tuple(Matter(require_text(m, "matters")) for m in matters),
                    note=note,
                ),
                effective_date,
                context,
            )
            held = unit.find(pid, Meeting, "meeting")
            if held is not None:
                plan.mark_held(pid, held.id, held.held_on, context)
        return pid

    def refer_to_meeting(
        self,
        body_id: UUID,
        matter: str,
        context: Context,
        planned_on: date | None = None,
        next_after: date | None = None,
        sequence: int = 1,
        decision_id: UUID | None = None,
        note: str | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """Send a matter to a body's planned meeting: the one on `planned_on`, or the next
        one after `next_after` ("till nästa möte"). A date with no meeting planned yet puts
        one in the plan (the document names a meeting that day)."""
        if (planned_on is None) == (next_after is None):
            raise InvalidInput(
                "give the meeting's date or next_after (the next meeting), one of them",
                field="meeting",
            )
        with self._changes() as unit:
            if decision_id is not None:
                unit.get(decision_id, Decision, "decision_id")
            plan = plan_of(unit, body_id, context)
            if next_after is not None:
                found = plan.next_after(next_after)
                if found is None:
                    body = unit.get(body_id, Body, "body_id")
                    raise NotFound(
                        f"{body.name} has no meeting planned after {next_after}; record its "
                        "meeting plan (planned_meetings) or give the meeting's date",
                        field="meeting",
                    )
                pid = found.planned_meeting_id
            else:
                assert planned_on is not None
                pid = planned_meeting_id_for(body_id, planned_on, sequence)
                if plan.on(planned_on, sequence) is None:
                    plan.plan(PlannedMeeting(pid, planned_on, sequence), effective_date, context)
            plan.refer(
                pid,
                Matter(require_text(matter, "matter"), decision_id, note),
                effective_date,
                context,
            )
        return pid

    def cancel_planned_meeting(
        self,
        body_id: UUID,
        planned_on: date,
        reason: str,
        context: Context,
        sequence: int = 1,
        cancelled_on: date | None = None,
    ) -> None:
        """A planned meeting will not be held (inställt), with a reason."""
        with self._changes() as unit:
            plan = plan_of(unit, body_id, context)
            plan.cancel(
                planned_meeting_id_for(body_id, planned_on, sequence), cancelled_on, reason, context
            )


def plan_of(unit: UnitOfWork, body_id: UUID, context: Context) -> MeetingPlan:
    """The body's meeting plan, begun in this unit if it has none yet."""
    unit.get(body_id, Body, "body_id")
    plan = unit.find(MeetingPlan.create_id(body_id), MeetingPlan, "plan")
    if plan is None:
        plan = unit.add(MeetingPlan(body_id=body_id, effective_date=None, context=context), "plan")
    return plan


def mark_held_as_planned(unit: UnitOfWork, meeting: Meeting, context: Context) -> None:
    """A meeting recorded from its minutes: the planned meeting of that day becomes it."""
    plan = unit.find(MeetingPlan.create_id(meeting.body_id), MeetingPlan, "plan")
    if plan is None:
        return
    planned = plan.meetings.get(str(meeting.id))
    if planned is not None:
        plan.mark_held(planned.planned_meeting_id, meeting.id, meeting.held_on, context)
