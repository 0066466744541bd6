"""The Query fields of funds."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.graphql.core.context import load_row, reader
from api.graphql.core.ids import parse_id
from api.graphql.core.lists import keyed
from api.graphql.funds.types import Fund
from api.pagination import (
    Connection,
)
from projections.entities import FUND
from projections.list_keys import KeyQuery


@strawberry.type
class FundsQuery:
    @strawberry.field(description="Funds by name, each with total, allocated and remaining.")
    async def funds(
        self,
        info: Info,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Fund]:
        r = reader(info)
        return await keyed(
            r,
            KeyQuery(FUND, r.known_at(known_at)),
            first,
            after,
            lambda f: Fund(row=f, known_at=known_at),
            lambda f: (f.row["name"], str(f.row.entity_id)),
        )

    @strawberry.field(description="One fund by id.")
    async def fund(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Fund | None:
        row = await load_row(info, parse_id(id, "id"), FUND, known_at)
        return Fund(row=row, known_at=known_at) if row else None
