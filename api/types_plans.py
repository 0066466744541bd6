"""GraphQL types and queries for meeting plans (planned meetings), projects and
consultations (remisser). Each type wraps an entity view (projections/plans.py) and answers on
both time axes: `asOf` (valid time) for statuses, `knownAt` (recorded time) for what the
registry knew."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from api.pagination import Connection, connect
from api.types import (
    Body,
    Decision,
    Event,
    Fund,
    Meeting,
    Source,
    _events,
    _gid,
    _source,
    load_body,
    load_decision,
    load_meeting,
    load_row,
    parse_id,
    reader,
)
from projections.entities import FUND, EntityRow
from projections.plans import CONSULTATION, MEETING_PLAN, PROJECT
from projections.sql import as_date
from registry.domain import consultation as consultations
from registry.domain import meeting_plan as plans
from registry.domain import project as projects

T = TypeVar("T")

# -- enums ---------------------------------------------------------------------------------

PlannedMeetingKind = strawberry.enum(
    plans.PlannedMeetingKind, description="An ordinary meeting, or an internat over several days."
)
PlannedMeetingStatus = strawberry.enum(
    plans.PlannedMeetingStatus,
    description="Where a planned meeting stands on a date: planned, held (it became the "
    "meeting recorded from its minutes) or cancelled.",
)
ProjectStatus = strawberry.enum(projects.ProjectStatus, description="Where a project stands.")
Stance = strawberry.enum(
    consultations.Stance,
    description="A remiss answer's position: tillstyrker (SUPPORTS), tillstyrker med "
    "synpunkter (SUPPORTS_WITH_REMARKS), avstyrker (OPPOSES), avstår (ABSTAINS).",
)
ConsultationStatus = strawberry.enum(
    consultations.ConsultationStatus, description="Where a remiss stands on a date."
)


def _day(value: Any) -> date | None:
    return as_date(value)


async def _all(loads: Iterable[Awaitable[T]]) -> list[T]:
    """Await loads together, so the request's loaders batch them into one read."""
    return list(await asyncio.gather(*loads))


# -- planned meetings ----------------------------------------------------------------------


@strawberry.type(description="A matter that goes to a planned meeting (a deferred item...).")
class Matter:
    text: str
    note: str | None
    decision_id: strawberry.Private[str | None]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field(description="The decision that sent it there.")
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(info, self.decision_id, self.known_at)


@strawberry.type(
    description="A meeting in a body's plan (kommande möten). Its id is the id the meeting "
    "has once held: when its minutes are recorded it becomes that meeting (status HELD)."
)
class PlannedMeeting:
    row: strawberry.Private[dict[str, Any]]
    body_id: strawberry.Private[str]
    plan: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row["planned_meeting_id"])

    @strawberry.field
    async def body(self, info: Info) -> Body | None:
        return await load_body(info, self.body_id, self.known_at)

    @strawberry.field(description="The (first) day of the meeting.")
    def date(self) -> date:
        return _day(self.row["planned_on"])  # type: ignore[return-value]

    @strawberry.field(description="The last day of a meeting over several days (an internat).")
    def until(self) -> date | None:
        return _day(self.row.get("ends_on"))

    @strawberry.field
    def sequence(self) -> int:
        return self.row.get("sequence", 1)

    @strawberry.field
    def kind(self) -> PlannedMeetingKind:
        return PlannedMeetingKind(self.row.get("kind", "meeting"))

    @strawberry.field
    def time(self) -> str | None:
        return self.row.get("time")

    @strawberry.field
    def place(self) -> str | None:
        return self.row.get("place")

    @strawberry.field(description="Other bodies that meet jointly with it.")
    async def joint_with(self, info: Info) -> list[Body]:
        found = await _all(
            load_body(info, b, self.known_at) for b in self.row["joint_with_body_ids"]
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
        return _day(self.row.get("planned_as_of"))

    @strawberry.field(description="Status on `asOf` (default today).")
    def status(self, info: Info, as_of: date | None = None) -> PlannedMeetingStatus:
        return planned_status(self.row, reader(info).as_of(as_of))

    @strawberry.field(description="The meeting it became, once held.")
    async def meeting(self, info: Info) -> Meeting | None:
        return await load_meeting(info, self.row.get("meeting_id"), self.known_at)

    @strawberry.field
    def cancelled_on(self) -> date | None:
        return _day(self.row.get("cancelled_on"))

    @strawberry.field
    def cancellation_reason(self) -> str | None:
        return self.row.get("cancellation_reason")

    @strawberry.field
    def note(self) -> str | None:
        return self.row.get("note")

    @strawberry.field(description="The source of the body's meeting plan.")
    def source(self) -> Source:
        return _source(self.plan.get("origin"))

    @strawberry.field(description="The audit trail of the body's meeting plan.")
    async def events(self, info: Info) -> list[Event]:
        return await _events(info, self.plan.entity_id)


def planned_status(row: dict[str, Any], day: date) -> PlannedMeetingStatus:
    return PlannedMeetingStatus(
        plans.planned_meeting_status(
            row["status"], _day(row.get("held_on")), _day(row.get("cancelled_on")), day
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
            if _day(row["planned_on"]) <= start:  # type: ignore[operator]
                continue
            stated = _day(row.get("planned_as_of"))
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


# -- projects ------------------------------------------------------------------------------


@strawberry.type(description="Who owns (leads) a project: a person, body or organisation.")
class ProjectOwner:
    kind: str
    name: str
    id: strawberry.ID | None


@strawberry.type(description="Money for a project, for all of its period or part of it.")
class Financing:
    row: strawberry.Private[dict[str, Any]]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field(description="The fund or budget as named.")
    def source(self) -> str:
        return self.row["source"]

    @strawberry.field(description="The fund, when the registry holds it.")
    async def fund(self, info: Info) -> Fund | None:
        row = await load_row(info, self.row.get("fund_id"), FUND, self.known_at)
        return Fund(row=row, known_at=self.known_at) if row else None

    @strawberry.field
    def amount(self) -> Decimal | None:
        return Decimal(self.row["amount"]) if self.row.get("amount") is not None else None

    @strawberry.field(name="from", description="First day it covers; null: from the start.")
    def from_(self) -> date | None:
        return _day(self.row.get("start"))

    @strawberry.field(description="Last day it covers; null: to the end.")
    def until(self) -> date | None:
        return _day(self.row.get("end"))

    @strawberry.field
    def note(self) -> str | None:
        return self.row.get("note")


def project_status(row: EntityRow, day: date) -> ProjectStatus:
    return ProjectStatus(
        projects.project_status(
            bool(row.get("proposed")),
            row.date("decided_on"),
            row.date("start"),
            row.date("end"),
            row.date("ended_on"),
            row.get("outcome"),
            day,
        ).value
    )


@strawberry.type(description="A project or initiative decided on (or proposed).")
class Project:
    row: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row.entity_id)

    @strawberry.field
    def name(self) -> str:
        return self.row["name"]

    @strawberry.field
    def description(self) -> str | None:
        return self.row.get("description")

    @strawberry.field(description="The body that decided on it (or to which it was proposed).")
    async def body(self, info: Info) -> Body | None:
        return await load_body(info, self.row["body_id"], self.known_at)

    @strawberry.field(name="from", description="First day of the project period.")
    def from_(self) -> date | None:
        return self.row.date("start")

    @strawberry.field(description="Last day of the project period.")
    def until(self) -> date | None:
        return self.row.date("end")

    @strawberry.field
    def owner(self) -> ProjectOwner | None:
        owner = self.row.get("owner")
        if not owner:
            return None
        return ProjectOwner(
            kind=owner["kind"], name=owner["name"], id=_gid(owner["id"]) if owner["id"] else None
        )

    @strawberry.field(description="Its styrgrupp.")
    async def steering_body(self, info: Info) -> Body | None:
        return await load_body(info, self.row.get("steering_body_id"), self.known_at)

    @strawberry.field(description="The project it is a part (delprojekt) of.")
    async def part_of(self, info: Info) -> Project | None:
        return await load_project(info, self.row.get("part_of"), self.known_at)

    @strawberry.field(description="Its parts (delprojekt).")
    async def parts(self, info: Info) -> list[Project]:
        r = reader(info)
        rows = await r.all_of_type.load((PROJECT, r.known_at(self.known_at)))
        mine = str(self.row.entity_id)
        return [Project(row=p, known_at=self.known_at) for p in rows if p.get("part_of") == mine]

    @strawberry.field(description="True while it is only proposed (not decided on).")
    def proposed(self) -> bool:
        return bool(self.row.get("proposed"))

    @strawberry.field
    def decided_on(self) -> date | None:
        return self.row.date("decided_on")

    @strawberry.field(description="The decision that started it (or proposed it).")
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(info, self.row.get("decision_id"), self.known_at)

    @strawberry.field(description="Status on `asOf` (default today).")
    def status(self, info: Info, as_of: date | None = None) -> ProjectStatus:
        return project_status(self.row, reader(info).as_of(as_of))

    @strawberry.field(
        description="Its financing; with `asOf`, only what covers that day (no bounds: all of it)."
    )
    def financing(self, as_of: date | None = None) -> list[Financing]:
        found = []
        for f in self.row.get("financing", []):
            start, end = _day(f.get("start")), _day(f.get("end"))
            if as_of is not None and (
                (start is not None and as_of < start) or (end is not None and end < as_of)
            ):
                continue
            found.append(Financing(row=f, known_at=self.known_at))
        return found

    @strawberry.field
    def ended_on(self) -> date | None:
        return self.row.date("ended_on")

    @strawberry.field
    def stop_reason(self) -> str | None:
        return self.row.get("stop_reason")

    @strawberry.field
    def source(self) -> Source:
        return _source(self.row.get("origin"))

    @strawberry.field
    async def events(self, info: Info) -> list[Event]:
        return await _events(info, self.row.entity_id)


async def load_project(info: Info, project_id: Any, known_at: datetime | None) -> Project | None:
    row = await load_row(info, project_id, PROJECT, known_at)
    return Project(row=row, known_at=known_at) if row else None


def _bodies_of(project: EntityRow) -> set[str | None]:
    """The bodies a project belongs to: the deciding body, its owner, its steering group."""
    owner = project.get("owner") or {}
    return {project["body_id"], owner.get("id"), project.get("steering_body_id")}


async def projects_of(
    info: Info,
    body_id: Any | None,
    decision_id: Any | None,
    statuses: list[ProjectStatus] | None,
    as_of: date | None,
    known_at: datetime | None,
) -> list[Project]:
    r = reader(info)
    day = r.as_of(as_of)
    rows = await r.all_of_type.load((PROJECT, r.known_at(known_at)))
    found = [
        Project(row=p, known_at=known_at)
        for p in rows
        if (body_id is None or str(body_id) in _bodies_of(p))
        and (decision_id is None or p.get("decision_id") == str(decision_id))
        and (not statuses or project_status(p, day) in statuses)
    ]
    found.sort(key=lambda p: (p.row["name"], str(p.row.entity_id)))
    return found


# -- consultations -------------------------------------------------------------------------


@strawberry.type(description="A remissvar: the answering body's stance and a summary.")
class ConsultationAnswer:
    row: strawberry.Private[dict[str, Any]]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    async def body(self, info: Info) -> Body | None:
        return await load_body(info, self.row["body_id"], self.known_at)

    @strawberry.field
    def body_name(self) -> str:
        return self.row["body_name"]

    @strawberry.field
    def answered_on(self) -> date:
        return _day(self.row["answered_on"])  # type: ignore[return-value]

    @strawberry.field
    def stance(self) -> Stance:
        return Stance(self.row["stance"])

    @strawberry.field
    def summary(self) -> str:
        return self.row["summary"]

    @strawberry.field(description="The answering body's decision.")
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(info, self.row.get("decision_id"), self.known_at)

    @strawberry.field
    def note(self) -> str | None:
        return self.row.get("note")


def consultation_status(row: EntityRow, day: date) -> ConsultationStatus:
    return ConsultationStatus(
        consultations.consultation_status(
            row.date("sent_on"),
            bool(row.get("sent_on_unknown")),
            len(row.get("asked", [])),
            [_day(a["answered_on"]) for a in row.get("answers", [])],  # type: ignore[misc]
            [_day(c["concluded_on"]) for c in row.get("conclusions", [])],  # type: ignore[misc]
            day,
        ).value
    )


@strawberry.type(description="A remiss: a body asks other bodies for their opinion.")
class Consultation:
    row: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row.entity_id)

    @strawberry.field
    def subject(self) -> str:
        return self.row["subject"]

    @strawberry.field(description="The asking body.")
    async def body(self, info: Info) -> Body | None:
        return await load_body(info, self.row["body_id"], self.known_at)

    @strawberry.field(description="The bodies asked.")
    async def asked(self, info: Info) -> list[Body]:
        found = await _all(load_body(info, a["body_id"], self.known_at) for a in self.row["asked"])
        return [b for b in found if b is not None]

    @strawberry.field(
        description="The day it was sent; when `sentOnUnknown`, the latest it can have been."
    )
    def sent_on(self) -> date | None:
        return self.row.date("sent_on")

    @strawberry.field
    def sent_on_unknown(self) -> bool:
        return bool(self.row.get("sent_on_unknown"))

    @strawberry.field
    def reply_by(self) -> date | None:
        return self.row.date("reply_by")

    @strawberry.field(description="The answers, oldest first; with `asOf`, those given by then.")
    def answers(self, as_of: date | None = None) -> list[ConsultationAnswer]:
        return [
            ConsultationAnswer(row=a, known_at=self.known_at)
            for a in self.row.get("answers", [])
            if as_of is None or _day(a["answered_on"]) <= as_of  # type: ignore[operator]
        ]

    @strawberry.field(description="Bodies asked that had not answered on `asOf` (default today).")
    async def not_answered(self, info: Info, as_of: date | None = None) -> list[Body]:
        day = reader(info).as_of(as_of)
        answered = {
            a["body_id"]
            for a in self.row.get("answers", [])
            if _day(a["answered_on"]) <= day  # type: ignore[operator]
        }
        found = await _all(
            load_body(info, a["body_id"], self.known_at)
            for a in self.row["asked"]
            if a["body_id"] not in answered
        )
        return [b for b in found if b is not None]

    @strawberry.field(description="The asking body's decisions that refer to the answers.")
    async def decisions(self, info: Info) -> list[Decision]:
        found = await _all(
            load_decision(info, c["decision_id"], self.known_at)
            for c in self.row.get("conclusions", [])
        )
        return [d for d in found if d is not None]

    @strawberry.field(description="Status on `asOf` (default today).")
    def status(self, info: Info, as_of: date | None = None) -> ConsultationStatus:
        return consultation_status(self.row, reader(info).as_of(as_of))

    @strawberry.field
    def source(self) -> Source:
        return _source(self.row.get("origin"))

    @strawberry.field
    async def events(self, info: Info) -> list[Event]:
        return await _events(info, self.row.entity_id)


async def load_consultation(
    info: Info, consultation_id: Any, known_at: datetime | None
) -> Consultation | None:
    row = await load_row(info, consultation_id, CONSULTATION, known_at)
    return Consultation(row=row, known_at=known_at) if row else None


async def consultations_of(
    info: Info,
    body_id: Any | None,
    decision_id: Any | None,
    statuses: list[ConsultationStatus] | None,
    as_of: date | None,
    known_at: datetime | None,
) -> list[Consultation]:
    """Remisser asked by or of `body_id`, or that `decision_id` sent, answered or concluded."""
    r = reader(info)
    day = r.as_of(as_of)
    rows = await r.all_of_type.load((CONSULTATION, r.known_at(known_at)))

    def involves(c: EntityRow) -> bool:
        if body_id is not None:
            wanted = str(body_id)
            if c["body_id"] != wanted and all(a["body_id"] != wanted for a in c["asked"]):
                return False
        if decision_id is not None:
            wanted = str(decision_id)
            linked = {c.get("origin", {}).get("decision_id")}
            linked |= {a.get("decision_id") for a in c.get("answers", [])}
            linked |= {x["decision_id"] for x in c.get("conclusions", [])}
            if wanted not in linked:
                return False
        return not statuses or consultation_status(c, day) in statuses

    found = [Consultation(row=c, known_at=known_at) for c in rows if involves(c)]
    found.sort(key=lambda c: (c.row.get("sent_on") or "", c.row["subject"], str(c.row.entity_id)))
    return found


# -- queries -------------------------------------------------------------------------------


@strawberry.type
class PlansQuery:
    @strawberry.field(
        description="A body's meetings planned after `after` (default: `asOf`), its own and "
        "those it holds jointly, earliest first, as the plan stood on `asOf` (default today: "
        "held ones are HELD, cancelled ones left out) and as known at `knownAt`."
    )
    async def next_meetings(
        self,
        info: Info,
        body_id: strawberry.ID,
        after: date | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
        include_cancelled: bool = False,
    ) -> list[PlannedMeeting]:
        return await planned_meetings_of(
            info, parse_id(body_id, "bodyId"), after, as_of, known_at, include_cancelled
        )

    @strawberry.field(
        description="One planned meeting by id (the id the meeting has once it is held)."
    )
    async def planned_meeting(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> PlannedMeeting | None:
        return await load_planned_meeting(info, parse_id(id, "id"), known_at)

    @strawberry.field(
        description="Projects and initiatives by name: of a body (deciding, owning or steering "
        "it), started by a decision, with "
        "some statuses on `asOf` (default today), as known at `knownAt`."
    )
    async def projects(
        self,
        info: Info,
        body_id: strawberry.ID | None = None,
        decision_id: strawberry.ID | None = None,
        statuses: list[ProjectStatus] | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Project]:
        found = await projects_of(
            info,
            parse_id(body_id, "bodyId") if body_id else None,
            parse_id(decision_id, "decisionId") if decision_id else None,
            statuses,
            as_of,
            known_at,
        )
        return connect(found, lambda p: (p.row["name"], str(p.row.entity_id)), first, after)

    @strawberry.field(description="One project by id.")
    async def project(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Project | None:
        return await load_project(info, parse_id(id, "id"), known_at)

    @strawberry.field(
        description="Remisser, oldest first: asked by or of a body, linked to a decision "
        "(sent, answered or concluded by it), with some statuses on `asOf` (default today), "
        "as known at `knownAt`."
    )
    async def consultations(
        self,
        info: Info,
        body_id: strawberry.ID | None = None,
        decision_id: strawberry.ID | None = None,
        statuses: list[ConsultationStatus] | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Consultation]:
        found = await consultations_of(
            info,
            parse_id(body_id, "bodyId") if body_id else None,
            parse_id(decision_id, "decisionId") if decision_id else None,
            statuses,
            as_of,
            known_at,
        )
        key = lambda c: (c.row.get("sent_on") or "", c.row["subject"], str(c.row.entity_id))  # noqa: E731
        return connect(found, key, first, after)

    @strawberry.field(description="One remiss by id.")
    async def consultation(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Consultation | None:
        return await load_consultation(info, parse_id(id, "id"), known_at)


__all__ = ["PlansQuery"]
