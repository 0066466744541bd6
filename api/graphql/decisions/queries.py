"""The Query fields of decisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.graphql.core.context import reader
from api.graphql.core.ids import bad_input, parse_id
from api.graphql.core.lists import natural, sql_list
from api.graphql.decisions.enums import DecisionKind, DecisionStatus
from api.graphql.decisions.loaders import load_decision
from api.graphql.decisions.types import Decision
from api.pagination import (
    Connection,
)
from projections.status_ranges import DECISION as DECISION_RANGES
from projections.status_ranges import ListQuery


@strawberry.type
class DecisionsQuery:
    @strawberry.field(description="One decision by id.")
    async def decision(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Decision | None:
        return await load_decision(info, parse_id(id, "id"), known_at)

    @strawberry.field(
        description="Decisions, oldest first: of a body, decided within [from, to], of some "
        "kinds, with some statuses on `asOf` (default today), as known at `knownAt`."
    )
    async def decisions(
        self,
        info: Info,
        body_id: strawberry.ID | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        kinds: list[DecisionKind] | None = None,
        statuses: list[DecisionStatus] | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Decision]:
        if from_ and to and to < from_:
            raise bad_input("to", f"{to} is before from ({from_})")
        r = reader(info)
        t = r.known_at(known_at)
        # Filtered and paged in SQL on the stored status ranges (projections/status_ranges.py).
        query = ListQuery(
            DECISION_RANGES,
            r.as_of(as_of),
            t,
            statuses=[s.value for s in statuses] if statuses else None,
            body_ids=[str(parse_id(body_id, "bodyId"))] if body_id else None,
            key_from=from_,
            key_to=to,
            variants=[k.value for k in kinds] if kinds else None,
        )
        key = lambda d: (  # noqa: E731
            d.row["decided_on"],
            natural(d.row["item"]),
            d.row["ordinal"],
            str(d.row.entity_id),
        )
        make = lambda d: Decision(row=d, known_at=known_at)  # noqa: E731
        return await sql_list(r, query, first, after, make, key)
