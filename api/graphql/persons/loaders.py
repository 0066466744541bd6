"""A person by id, following merges to the surviving record."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from strawberry.types import Info

from api.graphql import persons
from api.graphql.core.context import reader
from api.graphql.core.ids import uuid_or_none
from api.graphql.core.refs import PersonRef


async def load_person(info: Info, person_id: Any, known_at: datetime | None) -> PersonRef | None:
    person_id = uuid_or_none(person_id)
    if person_id is None:
        return None
    r = reader(info)
    seen: set[UUID] = set()
    row = await r.entity.load((person_id, r.known_at(known_at)))
    # A merged record resolves to the person it was merged into.
    while row is not None and row.get("merged_into") and row.entity_id not in seen:
        seen.add(row.entity_id)
        row = await r.entity.load((UUID(row["merged_into"]), r.known_at(known_at)))
    return (
        persons.Person(row=row, known_at=known_at) if row and row.entity_type == "person" else None
    )
