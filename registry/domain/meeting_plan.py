"""MeetingPlan (mötesplan, "kommande möten"): the meetings a body plans to hold.

A body's minutes list the meetings to come ("13 mars, 17 april (gemensamt med chefsgrupp
folkhälsa) ... Internat 15-16 oktober"), and decisions send matters to one of them ("skjuts
upp till nästa möte", "delrapport ska ges till SRO den 14 augusti"). The plan is one
aggregate per body, so that "the next meeting after a day" is answered from the plan itself.

A planned meeting has the id the meeting will have when it is held (`meeting_id_for(body,
date, sequence)`): when the minutes of that meeting are recorded, the planned meeting becomes
that meeting, with the same id, and its status turns from PLANNED to HELD. A planned meeting
may instead be cancelled.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.domain.meeting import meeting_id_for
from registry.errors import InvalidInput, InvalidTransition, NotFound
from registry.ids import natural_id
from registry.values import Context, check_period, require_text


class PlannedMeetingKind(enum.StrEnum):
    """An ordinary meeting, or a residential one over several days (internat)."""

    MEETING = "meeting"
    INTERNAT = "internat"


class PlannedMeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Matter:
    """Something that goes to a planned meeting: a deferred item, a report due, a proposed
    topic; `decision_id` is the decision that sent it there, if any."""

    text: str
    decision_id: UUID | None = None
    note: str | None = None


@dataclass(frozen=True)
class PlannedMeeting:
    """One meeting in the plan. `planned_as_of` is the day the plan said so (the deciding
    meeting's day), `ends_on` the last day of a meeting over several days."""

    planned_meeting_id: UUID
    planned_on: date
    sequence: int = 1
    ends_on: date | None = None
    kind: PlannedMeetingKind = PlannedMeetingKind.MEETING
    time: str | None = None
    place: str | None = None
    joint_with_body_ids: tuple[UUID, ...] = ()
    matters: tuple[Matter, ...] = ()
    planned_as_of: date | None = None
    status: PlannedMeetingStatus = PlannedMeetingStatus.PLANNED
    meeting_id: UUID | None = None
    held_on: date | None = None
    cancelled_on: date | None = None
    cancellation_reason: str | None = None
    note: str | None = None


def planned_meeting_id_for(body_id: UUID, planned_on: date, sequence: int = 1) -> UUID:
    """The id of a planned meeting: the id the meeting gets when it is held that day."""
    return meeting_id_for(body_id, planned_on, sequence)


def parse_kind(value: str | PlannedMeetingKind) -> PlannedMeetingKind:
    try:
        return PlannedMeetingKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in PlannedMeetingKind)
        raise InvalidInput(f"kind {value!r} is not one of {allowed}", field="kind") from None


class MeetingPlan(RegistryAggregate):
    """A body's plan of meetings to come."""

    @staticmethod
    def create_id(body_id: UUID, **_: object):  # type: ignore[override]
        return natural_id("meeting-plan", str(body_id))

    @event("Opened")
    def __init__(self, body_id: UUID, effective_date: date | None, context: Context) -> None:
        self.body_id = body_id
        self.meetings: dict[str, PlannedMeeting] = {}  # str keys: snapshots are JSON

    # -- verbs ----------------------------------------------------------------------------

    def plan(self, meeting: PlannedMeeting, effective_date: date | None, context: Context) -> None:
        """A meeting is planned (or the same plan is stated again: nothing changes)."""
        parse_kind(meeting.kind)
        check_period(meeting.planned_on, meeting.ends_on, f"the meeting of {meeting.planned_on}")
        if self.body_id in meeting.joint_with_body_ids:
            raise InvalidInput(
                "joint_with names the body itself; list only the other bodies",
                field="joint_with",
            )
        if meeting.sequence < 1:
            raise InvalidInput(f"sequence must be 1 or more, got {meeting.sequence}", "sequence")
        expected = planned_meeting_id_for(self.body_id, meeting.planned_on, meeting.sequence)
        if meeting.planned_meeting_id != expected:
            raise InvalidInput("the planned meeting's id does not match its date", field="date")
        known = self.meetings.get(str(expected))
        if known is not None:
            same = dataclasses.replace(
                meeting,
                note=known.note,
                matters=known.matters,
                planned_as_of=known.planned_as_of,
                status=known.status,
                meeting_id=known.meeting_id,
                held_on=known.held_on,
                cancelled_on=known.cancelled_on,
                cancellation_reason=known.cancellation_reason,
            )
            if same == known:
                return
            raise InvalidTransition(
                f"a meeting on {meeting.planned_on} is already planned with other details",
                field="date",
            )
        self._planned(
            dataclasses.replace(meeting, planned_as_of=effective_date, matters=()),
            effective_date,
            context,
        )
        for matter in meeting.matters:
            self.refer(expected, matter, effective_date, context)

    @event("MeetingPlanned")
    def _planned(
        self, meeting: PlannedMeeting, effective_date: date | None, context: Context
    ) -> None:
        self.meetings[str(meeting.planned_meeting_id)] = meeting

    def refer(
        self,
        planned_meeting_id: UUID,
        matter: Matter,
        effective_date: date | None,
        context: Context,
    ) -> None:
        """A matter goes to a planned meeting ("frågan skjuts upp till nästa möte")."""
        meeting = self.get(planned_meeting_id)
        require_text(matter.text, "matter")
        if meeting.status == PlannedMeetingStatus.CANCELLED:
            raise InvalidTransition(
                f"the meeting planned for {meeting.planned_on} is cancelled; refer the matter "
                "to another meeting",
                field="meeting",
            )
        if matter in meeting.matters:
            return
        self._referred(planned_meeting_id, matter, effective_date, context)

    @event("MatterReferred")
    def _referred(
        self,
        planned_meeting_id: UUID,
        matter: Matter,
        effective_date: date | None,
        context: Context,
    ) -> None:
        key = str(planned_meeting_id)
        meeting = self.meetings[key]
        self.meetings[key] = dataclasses.replace(meeting, matters=(*meeting.matters, matter))

    def mark_held(
        self, planned_meeting_id: UUID, meeting_id: UUID, held_on: date, context: Context
    ) -> None:
        """The planned meeting was held: it becomes the meeting recorded from the minutes.
        Minutes of a meeting that had been cancelled show it was held after all; the
        cancellation stays in its history (cancelled from its day until the meeting)."""
        meeting = self.get(planned_meeting_id)
        if meeting.status == PlannedMeetingStatus.HELD:
            if meeting.meeting_id == meeting_id:
                return
            raise InvalidTransition(
                f"the meeting planned for {meeting.planned_on} is already held", field="meeting"
            )
        self._held(planned_meeting_id, meeting_id, held_on, context)

    @event("PlannedMeetingHeld")
    def _held(
        self, planned_meeting_id: UUID, meeting_id: UUID, effective_date: date, context: Context
    ) -> None:
        key = str(planned_meeting_id)
        self.meetings[key] = dataclasses.replace(
            self.meetings[key],
            status=PlannedMeetingStatus.HELD,
            meeting_id=meeting_id,
            held_on=effective_date,
        )

    def cancel(
        self, planned_meeting_id: UUID, cancelled_on: date | None, reason: str, context: Context
    ) -> None:
        meeting = self.get(planned_meeting_id)
        if meeting.status != PlannedMeetingStatus.PLANNED:
            raise InvalidTransition(
                f"the meeting planned for {meeting.planned_on} is {meeting.status}; only a "
                "planned meeting can be cancelled",
                field="meeting",
            )
        self._cancelled(planned_meeting_id, require_text(reason, "reason"), cancelled_on, context)

    @event("PlannedMeetingCancelled")
    def _cancelled(
        self, planned_meeting_id: UUID, reason: str, effective_date: date | None, context: Context
    ) -> None:
        key = str(planned_meeting_id)
        self.meetings[key] = dataclasses.replace(
            self.meetings[key],
            status=PlannedMeetingStatus.CANCELLED,
            cancelled_on=effective_date,
            cancellation_reason=reason,
        )

    # -- queries --------------------------------------------------------------------------

    def get(self, planned_meeting_id: UUID) -> PlannedMeeting:
        try:
            return self.meetings[str(planned_meeting_id)]
        except KeyError:
            raise NotFound(
                f"no meeting planned with id {planned_meeting_id}", field="meeting"
            ) from None

    def on(self, planned_on: date, sequence: int = 1) -> PlannedMeeting | None:
        return self.meetings.get(str(planned_meeting_id_for(self.body_id, planned_on, sequence)))

    def next_after(self, day: date) -> PlannedMeeting | None:
        """The first meeting planned after `day` that is not cancelled ("nästa möte")."""
        later = [
            m
            for m in self.meetings.values()
            if m.planned_on > day and m.status != PlannedMeetingStatus.CANCELLED
        ]
        return min(later, key=lambda m: (m.planned_on, m.sequence), default=None)
