"""A decision by id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from strawberry.types import Info

from api.graphql import decisions
from api.graphql.core.context import load_row
from api.graphql.core.refs import DecisionRef


async def load_decision(
    info: Info, decision_id: Any, known_at: datetime | None
) -> DecisionRef | None:
    row = await load_row(info, decision_id, "decision", known_at)
    return decisions.Decision(row=row, known_at=known_at) if row else None
