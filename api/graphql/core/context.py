"""What every resolver reads through: the request's reader (api/reader.py) and one entity row as
known at a moment."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from strawberry.types import Info

from api.graphql.core.ids import uuid_or_none
from api.reader import Reader
from projections.entities import EntityRow

T = TypeVar("T")


def reader(info: Info) -> Reader:
    return info.context["reader"]


async def load_row(
    info: Info, entity_id: Any, entity_type: str, known_at: datetime | None
) -> EntityRow | None:
    """The entity's version as known at `known_at` (batched), if it is of `entity_type`."""
    entity_id = uuid_or_none(entity_id)
    if entity_id is None:
        return None
    r = reader(info)
    row = await r.entity.load((entity_id, r.known_at(known_at)))
    return row if row is not None and row.entity_type == entity_type else None


async def gathered(loads: Iterable[Awaitable[T]]) -> list[T]:
    """Await loads together, so the request's loaders batch them into one read."""
    return list(await asyncio.gather(*loads))
