"""Meeting (möte, sammanträde): attendance, chair, secretary and the agenda."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.domain.approval import MinutesApproval, check_approval
from registry.domain.serving import ServingDeputy, check_serving
from registry.ids import natural_id
from registry.values import Context


@dataclass(frozen=True)
class Attendee:
    person_id: UUID
    name: str
    note: str | None = None


@dataclass(frozen=True)
class AgendaItem:
    number: str
    title: str
    presenter_ids: tuple[UUID, ...] = ()
    note: str | None = None


def meeting_id_for(body_id: UUID, held_on: date, sequence: int = 1) -> UUID:
    return natural_id("meeting", str(body_id), held_on.isoformat(), sequence)


class Meeting(RegistryAggregate):
    """One meeting of a body, recorded from its approved minutes. Minutes kept by several
    secretaries have the first as `secretary_id` and the others in `additional_secretary_ids`."""

    # Snapshots taken before the field existed load without it.
    additional_secretary_ids = ()

    @staticmethod
    def create_id(body_id: UUID, held_on: date, sequence: int = 1, **_: object):  # type: ignore[override]
        return meeting_id_for(body_id, held_on, sequence)

    @event("Held")
    def __init__(
        self,
        body_id: UUID,
        held_on: date,
        sequence: int,
        time: str | None,
        place: str | None,
        present: tuple[Attendee, ...],
        absent: tuple[Attendee, ...],
        chair_id: UUID | None,
        secretary_id: UUID | None,
        items: tuple[AgendaItem, ...],
        effective_date: date | None,
        context: Context,
        additional_secretary_ids: tuple[UUID, ...] = (),
    ) -> None:
        self.body_id = body_id
        self.held_on = held_on
        self.sequence = sequence
        self.time = time
        self.place = place
        self.present = tuple(present)
        self.absent = tuple(absent)
        self.chair_id = chair_id
        self.secretary_id = secretary_id
        self.additional_secretary_ids = tuple(additional_secretary_ids)
        self.items = tuple(items)

    # Snapshots and meetings recorded before deputies were recorded have none.
    serving = ()

    def record_serving(self, serving: tuple[ServingDeputy, ...], context: Context) -> None:
        """Record the deputies who served in members' places (tjänstgörande ersättare)."""
        check_serving(serving)
        self._deputies_serving(tuple(serving), self.held_on, context)

    @event("DeputiesServing")
    def _deputies_serving(
        self, serving: tuple[ServingDeputy, ...], effective_date: date, context: Context
    ) -> None:
        self.serving = tuple(serving)

    # Meetings recorded before justering was recorded have none.
    approval = None

    def record_approval(
        self,
        approval: MinutesApproval,
        decision_ids: tuple[UUID, ...],
        context: Context,
        printed_deadline: date | None = None,
        printed_immediate_deadlines: tuple[date | None, ...] = (),
    ) -> None:
        """Record the justering and anslag of the minutes (again, to correct them). The
        event names the meeting's decisions, so that it is on each one's audit trail."""
        check_approval(
            approval,
            self.held_on,
            [i.number for i in self.items],
            printed_deadline,
            printed_immediate_deadlines,
            present=[a.person_id for a in self.present],
        )
        if approval != self.approval:
            self._minutes_approved(approval, tuple(decision_ids), approval.approved_on, context)

    @event("MinutesApproved")
    def _minutes_approved(
        self,
        approval: MinutesApproval,
        decision_ids: tuple[UUID, ...],
        effective_date: date,
        context: Context,
    ) -> None:
        self.approval = approval
