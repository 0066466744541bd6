"""The Query fields of assignments."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from api.graphql import persons
from api.graphql.assignments.enums import AssignmentStatus
from api.graphql.assignments.types import Assignment
from api.graphql.core.context import reader
from api.graphql.core.ids import parse_id
from api.graphql.core.lists import sql_list
from api.pagination import (
    Connection,
)
from projections.status_ranges import ASSIGNMENT as ASSIGNMENT_RANGES
from projections.status_ranges import ListQuery


@strawberry.type
class AssignmentsQuery:
    @strawberry.field(
        description="Assignments by due date: with some statuses on `asOf` (default today), "
        "due before a date, overdue on `asOf`, held by a person/organisation/body, given by "
        "a body."
    )
    async def assignments(
        self,
        info: Info,
        statuses: list[AssignmentStatus] | None = None,
        due_before: date | None = None,
        overdue: bool | None = None,
        holder_id: strawberry.ID | None = None,
        body_id: strawberry.ID | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Assignment]:
        r = reader(info)
        day = r.as_of(as_of)
        holders: set[str] | None = None
        if holder_id:
            # A person's assignments include those of records merged into them.
            holder = parse_id(holder_id, "holderId")
            person = await persons.load_person(info, holder, known_at)
            merged = (
                {str(person.row.entity_id), *person.row.get("absorbed", [])} if person else set()
            )
            holders = {str(holder), *merged}
        t = r.known_at(known_at)
        # Filtered and paged in SQL on the stored status ranges (projections/status_ranges.py).
        query = ListQuery(
            ASSIGNMENT_RANGES,
            day,
            t,
            statuses=[s.value for s in statuses] if statuses else None,
            late=overdue,
            body_ids=[str(parse_id(body_id, "bodyId"))] if body_id else None,
            key_before=due_before,
            holders=sorted(holders) if holders is not None else None,
        )
        key = lambda a: (a.row.get("due_date") or "9999-12-31", a.row["task"], str(a.row.entity_id))  # noqa: E731
        make = lambda a: Assignment(row=a, known_at=known_at)  # noqa: E731
        return await sql_list(r, query, first, after, make, key)
