"""The Query fields of projects and remisser."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.graphql.core.ids import parse_id
from api.graphql.core.lists import by_name
from api.graphql.projects.types import (
    Consultation,
    ConsultationStatus,
    Project,
    ProjectStatus,
    consultation_order,
    consultations_of,
    load_consultation,
    load_project,
    projects_of,
)
from api.pagination import (
    Connection,
    connect,
)


def _linked(body_id: strawberry.ID | None, decision_id: strawberry.ID | None) -> tuple[Any, Any]:
    """The body and decision a list of projects or remisser is filtered by, None for either
    not given."""
    return (
        parse_id(body_id, "bodyId") if body_id else None,
        parse_id(decision_id, "decisionId") if decision_id else None,
    )


@strawberry.type
class ProjectsQuery:
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
        found = await projects_of(info, *_linked(body_id, decision_id), statuses, as_of, known_at)
        return connect(found, by_name, first, after)

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
            info, *_linked(body_id, decision_id), statuses, as_of, known_at
        )
        return connect(found, consultation_order, first, after)

    @strawberry.field(description="One remiss by id.")
    async def consultation(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Consultation | None:
        return await load_consultation(info, parse_id(id, "id"), known_at)
