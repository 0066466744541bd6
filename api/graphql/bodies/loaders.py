"""Bodies and organisations by id, through the request's batched loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from strawberry.types import Info

from api.graphql import bodies
from api.graphql.core.context import load_row
from api.graphql.core.refs import BodyRef, OrganisationRef


async def load_organisation(info: Info, org_id: Any, known_at: datetime | None) -> Any:
    row = await load_row(info, org_id, "organisation", known_at)
    return bodies.Organisation(row=row, known_at=known_at) if row else None


async def load_organisations(
    info: Info, ids: Iterable[Any], known_at: datetime | None
) -> list[OrganisationRef]:
    """Several organisations in one batch (the loads are gathered, so the loader sees them
    together), in the order given; unknown ids are left out."""
    found = await asyncio.gather(*(load_organisation(info, i, known_at) for i in ids))
    return [o for o in found if o is not None]


async def load_body(info: Info, body_id: Any, known_at: datetime | None) -> BodyRef | None:
    row = await load_row(info, body_id, "body", known_at)
    return bodies.Body(row=row, known_at=known_at) if row else None
