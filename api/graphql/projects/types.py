"""The GraphQL types of projects and remisser (consultations)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from api.graphql import bodies, decisions, funds
from api.graphql.core.context import gathered, load_row, reader
from api.graphql.core.ids import gid
from api.graphql.core.lists import by_name
from api.graphql.core.node import EntityNode, node_type
from api.graphql.core.refs import BodyRef, DecisionRef, FundRef
from projections.entities import FUND, EntityRow
from projections.plans import CONSULTATION, PROJECT
from projections.sql import as_date
from registry.domain import consultation as consultations
from registry.domain import project as projects
from registry.status.consultation import consultation_status as consultation_status_on
from registry.status.project import project_status as project_status_on

ProjectStatus = strawberry.enum(projects.ProjectStatus, description="Where a project stands.")
Stance = strawberry.enum(
    consultations.Stance,
    description="A remiss answer's position: tillstyrker (SUPPORTS), tillstyrker med "
    "synpunkter (SUPPORTS_WITH_REMARKS), avstyrker (OPPOSES), avstår (ABSTAINS).",
)
ConsultationStatus = strawberry.enum(
    consultations.ConsultationStatus, description="Where a remiss stands on a date."
)


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
    async def fund(self, info: Info) -> FundRef | None:
        row = await load_row(info, self.row.get("fund_id"), FUND, self.known_at)
        return funds.Fund(row=row, known_at=self.known_at) if row else None

    @strawberry.field
    def amount(self) -> Decimal | None:
        return Decimal(self.row["amount"]) if self.row.get("amount") is not None else None

    @strawberry.field(name="from", description="First day it covers; null: from the start.")
    def from_(self) -> date | None:
        return as_date(self.row.get("start"))

    @strawberry.field(description="Last day it covers; null: to the end.")
    def until(self) -> date | None:
        return as_date(self.row.get("end"))

    @strawberry.field
    def note(self) -> str | None:
        return self.row.get("note")


def project_status(row: EntityRow, day: date) -> ProjectStatus:
    return ProjectStatus(
        project_status_on(
            bool(row.get("proposed")),
            row.date("decided_on"),
            row.date("start"),
            row.date("end"),
            row.date("ended_on"),
            row.get("outcome"),
            day,
        ).value
    )


@node_type("A project or initiative decided on (or proposed).")
class Project(EntityNode):
    @strawberry.field
    def name(self) -> str:
        return self.row["name"]

    @strawberry.field
    def description(self) -> str | None:
        return self.row.get("description")

    @strawberry.field(description="The body that decided on it (or to which it was proposed).")
    async def body(self, info: Info) -> BodyRef | None:
        return await bodies.load_body(info, self.row["body_id"], self.known_at)

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
            kind=owner["kind"], name=owner["name"], id=gid(owner["id"]) if owner["id"] else None
        )

    @strawberry.field(description="Its styrgrupp.")
    async def steering_body(self, info: Info) -> BodyRef | None:
        return await bodies.load_body(info, self.row.get("steering_body_id"), self.known_at)

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
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.row.get("decision_id"), self.known_at)

    @strawberry.field(description="Status on `asOf` (default today).")
    def status(self, info: Info, as_of: date | None = None) -> ProjectStatus:
        return project_status(self.row, reader(info).as_of(as_of))

    @strawberry.field(
        description="Its financing; with `asOf`, only what covers that day (no bounds: all of it)."
    )
    def financing(self, as_of: date | None = None) -> list[Financing]:
        found = []
        for f in self.row.get("financing", []):
            start, end = as_date(f.get("start")), as_date(f.get("end"))
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
    found.sort(key=by_name)
    return found


# -- consultations -------------------------------------------------------------------------


@strawberry.type(description="A remissvar: the answering body's stance and a summary.")
class ConsultationAnswer:
    row: strawberry.Private[dict[str, Any]]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    async def body(self, info: Info) -> BodyRef | None:
        return await bodies.load_body(info, self.row["body_id"], self.known_at)

    @strawberry.field
    def body_name(self) -> str:
        return self.row["body_name"]

    @strawberry.field
    def answered_on(self) -> date:
        return as_date(self.row["answered_on"])  # type: ignore[return-value]

    @strawberry.field
    def stance(self) -> Stance:
        return Stance(self.row["stance"])

    @strawberry.field
    def summary(self) -> str:
        return self.row["summary"]

    @strawberry.field(description="The answering body's decision.")
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.row.get("decision_id"), self.known_at)

    @strawberry.field
    def note(self) -> str | None:
        return self.row.get("note")


def consultation_status(row: EntityRow, day: date) -> ConsultationStatus:
    return ConsultationStatus(
        consultation_status_on(
            row.date("sent_on"),
            bool(row.get("sent_on_unknown")),
            len(row.get("asked", [])),
            [as_date(a["answered_on"]) for a in row.get("answers", [])],  # type: ignore[misc]
            [as_date(c["concluded_on"]) for c in row.get("conclusions", [])],  # type: ignore[misc]
            day,
        ).value
    )


@node_type("A remiss: a body asks other bodies for their opinion.")
class Consultation(EntityNode):
    @strawberry.field
    def subject(self) -> str:
        return self.row["subject"]

    @strawberry.field(description="The asking body.")
    async def body(self, info: Info) -> BodyRef | None:
        return await bodies.load_body(info, self.row["body_id"], self.known_at)

    @strawberry.field(description="The bodies asked.")
    async def asked(self, info: Info) -> list[BodyRef]:
        found = await gathered(
            bodies.load_body(info, a["body_id"], self.known_at) for a in self.row["asked"]
        )
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
            if as_of is None or as_date(a["answered_on"]) <= as_of  # type: ignore[operator]
        ]

    @strawberry.field(description="Bodies asked that had not answered on `asOf` (default today).")
    async def not_answered(self, info: Info, as_of: date | None = None) -> list[BodyRef]:
        day = reader(info).as_of(as_of)
        answered = {
            a["body_id"]
            for a in self.row.get("answers", [])
            if as_date(a["answered_on"]) <= day  # type: ignore[operator]
        }
        found = await gathered(
            bodies.load_body(info, a["body_id"], self.known_at)
            for a in self.row["asked"]
            if a["body_id"] not in answered
        )
        return [b for b in found if b is not None]

    @strawberry.field(description="The asking body's decisions that refer to the answers.")
    async def decisions(self, info: Info) -> list[DecisionRef]:
        found = await gathered(
            decisions.load_decision(info, c["decision_id"], self.known_at)
            for c in self.row.get("conclusions", [])
        )
        return [d for d in found if d is not None]

    @strawberry.field(description="Status on `asOf` (default today).")
    def status(self, info: Info, as_of: date | None = None) -> ConsultationStatus:
        return consultation_status(self.row, reader(info).as_of(as_of))


async def load_consultation(
    info: Info, consultation_id: Any, known_at: datetime | None
) -> Consultation | None:
    row = await load_row(info, consultation_id, CONSULTATION, known_at)
    return Consultation(row=row, known_at=known_at) if row else None


def consultation_order(c: Consultation) -> tuple[str, str, str]:
    """Remisser oldest first (by the day sent), then by subject and id."""
    return (c.row.get("sent_on") or "", c.row["subject"], str(c.row.entity_id))


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
    found.sort(key=consultation_order)
    return found
