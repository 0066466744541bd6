"""The GraphQL types of an assignment (uppdrag) and its reports."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from api.graphql import bodies, decisions, persons
from api.graphql.assignments.enums import AssignmentStatus
from api.graphql.core.context import reader
from api.graphql.core.ids import gid
from api.graphql.core.node import EntityNode, node_type
from api.graphql.core.refs import BodyRef, DecisionRef, PersonRef
from projections import status_ranges
from projections.entities import EntityRow
from projections.sql import as_date
from registry.status import assignment as rules


def assignment_status(row: EntityRow, day: date) -> AssignmentStatus:
    """The domain's rule (registry/status/assignment.py), as the list read model stores it."""
    return AssignmentStatus(status_ranges.assignment_status_of(row, day))


@strawberry.type(description="A progress report on an assignment (återrapportering).")
class AssignmentReport:
    reported_on: date
    text: str


@node_type("An assignment (uppdrag) given by a body, with its due date.")
class Assignment(EntityNode):
    @strawberry.field
    def task(self) -> str:
        return self.row["task"]

    @strawberry.field(description="person, organisation or body")
    def holder_kind(self) -> str:
        return self.row["holder_kind"]

    @strawberry.field
    def holder_name(self) -> str:
        return self.row["holder_name"]

    @strawberry.field
    def holder_id(self) -> strawberry.ID | None:
        return gid(self.row["holder_id"]) if self.row.get("holder_id") else None

    @strawberry.field
    async def holder_person(self, info: Info) -> PersonRef | None:
        if self.row["holder_kind"] != "person":
            return None
        return await persons.load_person(info, self.row.get("holder_id"), self.known_at)

    @strawberry.field(description="The body that gave the assignment.")
    async def body(self, info: Info) -> BodyRef | None:
        return await bodies.load_body(info, self.row.get("body_id"), self.known_at)

    @strawberry.field
    def given_on(self) -> date | None:
        return self.row.date("given_on")

    @strawberry.field
    def due_date(self) -> date | None:
        return self.row.date("due_date")

    @strawberry.field(description="Status on `asOf` (default today).")
    def status(self, info: Info, as_of: date | None = None) -> AssignmentStatus:
        return assignment_status(self.row, reader(info).as_of(as_of))

    @strawberry.field(description="Open on `asOf` (default today) and past its due date.")
    def overdue(self, info: Info, as_of: date | None = None) -> bool:
        day = reader(info).as_of(as_of)
        status = assignment_status(self.row, day).value
        return rules.overdue(due_date=self.row.date("due_date"), status_on_day=status, day=day)

    @strawberry.field(description="The day it was completed or withdrawn.")
    def ended_on(self) -> date | None:
        return self.row.date("ended_on")

    @strawberry.field
    def withdrawal_reason(self) -> str | None:
        return self.row.get("withdrawal_reason")

    @strawberry.field
    def reports(self) -> list[AssignmentReport]:
        return [
            AssignmentReport(reported_on=as_date(r["reported_on"]), text=r["text"])  # type: ignore[arg-type]
            for r in self.row.get("reports", [])
        ]

    @strawberry.field(description="The decision that gave the assignment.")
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(
            info, (self.row.get("origin") or {}).get("decision_id"), self.known_at
        )
