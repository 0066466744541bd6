"""The Query fields of persons."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.graphql.core.ids import parse_id
from api.graphql.core.lists import named_list
from api.graphql.persons.loaders import load_person
from api.graphql.persons.types import Person
from api.pagination import (
    Connection,
)
from projections.entities import PERSON


@strawberry.type
class PersonsQuery:
    @strawberry.field(
        description="One person by id; a record merged into another resolves to the survivor."
    )
    async def person(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Person | None:
        return await load_person(info, parse_id(id, "id"), known_at)

    @strawberry.field(
        description="Persons by name; `name` matches the name or any spelling of it, ignoring "
        "case and diacritics. Merged records are not listed (their survivor is)."
    )
    async def persons(
        self,
        info: Info,
        name: str | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Person]:
        return await named_list(info, PERSON, Person, known_at, first, after, name)
