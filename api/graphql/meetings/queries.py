"""The Query fields of meetings and planned meetings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.graphql.core.context import reader
from api.graphql.core.ids import parse_id
from api.graphql.core.lists import sql_list
from api.graphql.meetings.loaders import load_meeting
from api.graphql.meetings.plans import PlannedMeeting, load_planned_meeting, planned_meetings_of
from api.graphql.meetings.types import Meeting
from api.pagination import (
    Connection,
)
from projections.entities import MEETING
from projections.list_keys import KeyQuery


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


@strawberry.type
class MeetingsQuery:
    @strawberry.field(description="One meeting by id.")
    async def meeting(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Meeting | None:
        return await load_meeting(info, parse_id(id, "id"), known_at)

    @strawberry.field(description="Meetings, oldest first, of a body and within dates if given.")
    async def meetings(
        self,
        info: Info,
        body_id: strawberry.ID | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Meeting]:
        r = reader(info)
        query = KeyQuery(
            MEETING,
            r.known_at(known_at),
            body_ids=[str(parse_id(body_id, "bodyId"))] if body_id else None,
            key_from=from_,
            key_to=to,
        )
        make = lambda m: Meeting(row=m, known_at=known_at)  # noqa: E731
        key = lambda m: (m.row["held_on"], m.row["sequence"], str(m.row.entity_id))  # noqa: E731
        return await sql_list(r, query, first, after, make, key)
