"""An assignment by id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from strawberry.types import Info

from api.graphql import assignments
from api.graphql.core.context import load_row
from api.graphql.core.refs import AssignmentRef
from projections.entities import ASSIGNMENT


async def load_assignment(
    info: Info, assignment_id: Any, known_at: datetime | None
) -> AssignmentRef | None:
    row = await load_row(info, assignment_id, ASSIGNMENT, known_at)
    return assignments.Assignment(row=row, known_at=known_at) if row else None
