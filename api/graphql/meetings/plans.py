"""Meeting plans: the meetings a body plans (sammanträdesplan), as the plan stood on a day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.graphql import bodies, decisions, meetings
from api.graphql.core import events as trail
from api.graphql.core.context import gathered, reader
from api.graphql.core.ids import gid
from api.graphql.core.node import Node, node_type, text_field
from api.graphql.core.refs import BodyRef, DecisionRef, EventRef, MeetingRef
from api.graphql.core.source import Source, source_of
from projections.entities import EntityRow
from projections.plans import MEETING_PLAN
from projections.sql import as_date
from registry.domain import meeting_plan as plans
from registry.status.meeting_plan import planned_meeting_status

# -- enums ---------------------------------------------------------------------------------

PlannedMeetingKind = strawberry.enum(
    plans.PlannedMeetingKind, description="An ordinary meeting, or an internat over several days."
)
PlannedMeetingStatus = strawberry.enum(
    plans.PlannedMeetingStatus,
    description="Where a planned meeting stands on a date: planned, held (it became the "
    "meeting recorded from its minutes) or cancelled.",
)


# -- planned meetings ----------------------------------------------------------------------


@strawberry.type(description="A matter that goes to a planned meeting (a deferred item...).")
class Matter:
    text: str
    note: str | None
    decision_id: strawberry.Private[str | None]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field(description="The decision that sent it there.")
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.decision_id, self.known_at)


@node_type(
    "A meeting in a body's plan (kommande möten). Its id is the id the meeting "
    "has once held: when its minutes are recorded it becomes that meeting (status HELD)."
)
class PlannedMeeting(Node):
    row: strawberry.Private[dict[str, Any]]
    body_id: strawberry.Private[str]
    plan: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return gid(self.row["planned_meeting_id"])

    @strawberry.field
    async def body(self, info: Info) -> BodyRef | None:
        return await bodies.load_body(info, self.body_id, self.known_at)

    @strawberry.field(description="The (first) day of the meeting.")
    def date(self) -> date:
        return as_date(self.row["planned_on"])  # type: ignore[return-value]

    @strawberry.field(description="The last day of a meeting over several days (an internat).")
    def until(self) -> date | None:
        return as_date(self.row.get("ends_on"))

    @strawberry.field
    def sequence(self) -> int:
        return self.row.get("sequence", 1)

    @strawberry.field
    def kind(self) -> PlannedMeetingKind:
        return PlannedMeetingKind(self.row.get("kind", "meeting"))

    time = text_field("time")
    place = text_field("place")

    @strawberry.field(description="Other bodies that meet jointly with it.")
    async def joint_with(self, info: Info) -> list[BodyRef]:
        found = await gathered(
            bodies.load_body(info, b, self.known_at) for b in self.row["joint_with_body_ids"]
        )
        return [b for b in found if b is not None]

    @strawberry.field(description="What goes to it: deferred items, reports due, topics.")
    def matters(self) -> list[Matter]:
        return [
            Matter(
                text=m["text"],
                note=m.get("note"),
                decision_id=m.get("decision_id"),
                known_at=self.known_at,
            )
            for m in self.row.get("matters", [])
        ]

    @strawberry.field(
        description="The day the plan said so (the meeting that planned it); null if unknown."
    )
    def planned_as_of(self) -> date | None:
        return as_date(self.row.get("planned_as_of"))

    @strawberry.field(description="Status on `asOf` (default today).")
    def status(self, info: Info, as_of: date | None = None) -> PlannedMeetingStatus:
        return planned_status(self.row, reader(info).as_of(as_of))

    @strawberry.field(description="The meeting it became, once held.")
    async def meeting(self, info: Info) -> MeetingRef | None:
        return await meetings.load_meeting(info, self.row.get("meeting_id"), self.known_at)

    @strawberry.field
    def cancelled_on(self) -> date | None:
        return as_date(self.row.get("cancelled_on"))

    @strawberry.field
    def cancellation_reason(self) -> str | None:
        return self.row.get("cancellation_reason")

    @strawberry.field
    def note(self) -> str | None:
        return self.row.get("note")

    @strawberry.field(description="The source of the body's meeting plan.")
    def source(self) -> Source:
        return source_of(self.plan.get("origin"))

    @strawberry.field(description="The audit trail of the body's meeting plan.")
    async def events(self, info: Info) -> list[EventRef]:
        return await trail.events_of(info, self.plan.entity_id)


def planned_status(row: dict[str, Any], day: date) -> PlannedMeetingStatus:
    return PlannedMeetingStatus(
        planned_meeting_status(
            row["status"], as_date(row.get("held_on")), as_date(row.get("cancelled_on")), day
        ).value
    )


async def _plans(info: Info, known_at: datetime | None) -> list[EntityRow]:
    r = reader(info)
    return await r.all_of_type.load((MEETING_PLAN, r.known_at(known_at)))


def _planned(plan: EntityRow, known_at: datetime | None) -> list[PlannedMeeting]:
    return [
        PlannedMeeting(row=m, body_id=plan["body_id"], plan=plan, known_at=known_at)
        for m in plan.get("meetings", [])
    ]


async def planned_meetings_of(
    info: Info,
    body_id: Any,
    after: date | None,
    as_of: date | None,
    known_at: datetime | None,
    include_cancelled: bool = False,
) -> list[PlannedMeeting]:
    """The body's meetings planned after `after` (default: `asOf`), its own and joint ones,
    as the plan stood on `asOf` (default today), as known at `knownAt`."""
    r = reader(info)
    day = r.as_of(as_of)
    start = after if after is not None else day
    wanted = str(body_id)
    found = []
    for plan in await _plans(info, known_at):
        for m in _planned(plan, known_at):
            row = m.row
            if plan["body_id"] != wanted and wanted not in row["joint_with_body_ids"]:
                continue
            if as_date(row["planned_on"]) <= start:  # type: ignore[operator]
                continue
            stated = as_date(row.get("planned_as_of"))
            if stated is not None and stated > day:
                continue  # not yet planned on that day
            if not include_cancelled and planned_status(row, day) == PlannedMeetingStatus.CANCELLED:
                continue
            found.append(m)
    found.sort(key=lambda m: (m.row["planned_on"], m.row.get("sequence", 1), m.body_id))
    return found


async def load_planned_meeting(
    info: Info, planned_id: Any, known_at: datetime | None
) -> PlannedMeeting | None:
    wanted = str(planned_id)
    for plan in await _plans(info, known_at):
        for m in _planned(plan, known_at):
            if m.row["planned_meeting_id"] == wanted:
                return m
    return None


async def meeting_a_decision_goes_to(
    info: Info, decision_id: Any, known_at: datetime | None
) -> list[PlannedMeeting]:
    wanted = str(decision_id)
    return [
        m
        for plan in await _plans(info, known_at)
        for m in _planned(plan, known_at)
        if any(x.get("decision_id") == wanted for x in m.row.get("matters", []))
    ]
