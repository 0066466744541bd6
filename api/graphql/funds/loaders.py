"""A fund by id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from strawberry.types import Info

from api.graphql import funds
from api.graphql.core.context import load_row
from api.graphql.core.refs import FundRef
from projections.entities import FUND


async def load_fund(info: Info, fund_id: Any, known_at: datetime | None) -> FundRef | None:
    row = await load_row(info, fund_id, FUND, known_at)
    return funds.Fund(row=row, known_at=known_at) if row else None
