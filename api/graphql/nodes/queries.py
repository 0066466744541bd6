"""The `node(id)` query: any entity by its global id, as the object of its own type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.graphql import agreements, assignments, bodies, decisions, funds, meetings, persons
from api.graphql import projects as project_types
from api.graphql.core.context import reader
from api.graphql.core.ids import parse_id
from api.graphql.core.node import Node
from projections.entities import ASSIGNMENT, BODY, DECISION, FUND, MEETING, ORGANISATION, PERSON
from projections.plans import CONSULTATION, PROJECT

# The loader of each kind of entity that is a Node (a person's resolves a merged record to
# the person it was merged into, as `person(id)` does).
LOADERS: dict[str, Callable[[Info, Any, datetime | None], Awaitable[Any]]] = {
    BODY: bodies.load_body,
    ORGANISATION: bodies.load_organisation,
    PERSON: persons.load_person,
    MEETING: meetings.load_meeting,
    DECISION: decisions.load_decision,
    FUND: funds.load_fund,
    ASSIGNMENT: assignments.load_assignment,
    PROJECT: project_types.load_project,
    CONSULTATION: project_types.load_consultation,
}


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Any object with a global id (a body, organisation, person, meeting, "
        "decision, agreement, fund, assignment, project, remiss or planned meeting) as known at "
        "`knownAt` (default now), as the object of its own type; null when nothing has that id."
    )
    async def node(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Node | None:
        wanted = parse_id(id, "id")
        r = reader(info)
        t = r.known_at(known_at)
        row = await r.entity.load((wanted, t))
        if row is not None:
            load = LOADERS.get(row.entity_type)
            return await load(info, wanted, known_at) if load is not None else None
        agreement = await r.agreement.load((wanted, t))
        if agreement is not None:
            return agreements.Agreement(row=agreement)
        return await meetings.load_planned_meeting(info, wanted, known_at)
