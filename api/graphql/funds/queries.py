"""The Query fields of funds."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.graphql.core.ids import parse_id
from api.graphql.core.lists import named_list
from api.graphql.funds.loaders import load_fund
from api.graphql.funds.types import Fund
from api.pagination import (
    Connection,
)
from projections.entities import FUND


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
        return await named_list(info, FUND, Fund, known_at, first, after)

    @strawberry.field(description="One fund by id.")
    async def fund(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Fund | None:
        return await load_fund(info, parse_id(id, "id"), known_at)
