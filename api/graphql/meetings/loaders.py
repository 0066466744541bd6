"""A meeting by id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from strawberry.types import Info

from api.graphql import meetings
from api.graphql.core.context import load_row
from api.graphql.core.refs import MeetingRef


async def load_meeting(info: Info, meeting_id: Any, known_at: datetime | None) -> MeetingRef | None:
    row = await load_row(info, meeting_id, "meeting", known_at)
    return meetings.Meeting(row=row, known_at=known_at) if row else None
