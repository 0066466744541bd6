"""Mutations on an assignment (uppdrag): given by a body, and progress reported on it."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from api.graphql.core.ids import parse_id
from api.mutations.core import Change, Scope, entity, of_body, optional_id
from api.mutations.fields import write
from api.mutations.types import AssignmentWrite, HolderKind
from registry.application import Registry
from registry.domain.assignment import Assignment
from registry.values import Context


@write(
    AssignmentWrite,
    "A body gives an assignment (uppdrag) to a person, a body or an organisation.",
    versioned=False,
)
def give_assignment(
    body_id: strawberry.ID,
    holder_kind: HolderKind,
    holder_name: str,
    task: str,
    holder_id: strawberry.ID | None = None,
    due_date: date | None = None,
    given_on: date | None = None,
    key: str | None = None,
) -> Change:
    body = parse_id(body_id, "bodyId")
    holder = optional_id(holder_id, "holderId")

    def run(registry: Registry, context: Context) -> dict[str, Any]:
        assignment = registry.give_assignment(
            body, holder_kind.value, holder_name, task, context, holder, due_date, given_on, key
        )
        return entity(assignment)

    return Change(run, of_body(body))


@write(
    AssignmentWrite,
    "Progress reported on an open assignment (återrapportering); it stays open.",
)
def report_assignment(assignment_id: strawberry.ID, reported_on: date, text: str) -> Change:
    assignment = parse_id(assignment_id, "assignmentId")

    def scope(registry: Registry) -> Scope:
        found = registry.get(assignment, Assignment, "assignmentId")
        return Scope(bodies={found.given_by_body_id})

    def run(registry: Registry, context: Context) -> dict[str, Any]:
        registry.report_assignment(assignment, reported_on, text, context)
        return entity(assignment)

    return Change(run, scope, (assignment, Assignment, "assignmentId"))
