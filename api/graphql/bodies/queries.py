"""The Query fields of bodies, their members and organisations."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from api.graphql.bodies.loaders import load_body, load_organisation
from api.graphql.bodies.memberships import Membership
from api.graphql.bodies.organisations import Organisation
from api.graphql.bodies.types import Body
from api.graphql.core.context import reader
from api.graphql.core.ids import parse_id
from api.graphql.core.lists import named_list, sorted_list
from api.pagination import (
    Connection,
)
from projections.entities import BODY, ORGANISATION


@strawberry.type
class BodiesQuery:
    @strawberry.field(
        description="Bodies by name, optionally of one kind and with `name` in their name "
        "(ignoring case and diacritics)."
    )
    async def bodies(
        self,
        info: Info,
        name: str | None = None,
        kind: str | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Body]:
        return await named_list(info, BODY, Body, known_at, first, after, name, kind)

    @strawberry.field(description="One body by id.")
    async def body(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Body | None:
        return await load_body(info, parse_id(id, "id"), known_at)

    @strawberry.field(
        description="Members of a body on `asOf` (default today) as the registry knew them at "
        "`knownAt` (default now), each with role, from, until and the decision behind it."
    )
    async def members(
        self,
        info: Info,
        body_id: strawberry.ID,
        as_of: date | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Membership]:
        r = reader(info)
        rows = await r.members.load(
            (parse_id(body_id, "bodyId"), r.as_of(as_of), r.known_at(known_at))
        )
        key = lambda m: (  # noqa: E731
            m.row.role,
            m.row.person_name,
            str(m.row.start_date or m.row.start_not_after),
            str(m.row.membership_id),
        )
        return sorted_list([Membership(row=m, known_at=known_at) for m in rows], key, first, after)

    # -- organisations ------------------------------------------------------------------------

    @strawberry.field(
        description="Regions, kommuner, kommunalförbund, SKR... by name, optionally of one "
        "kind and with `name` in their name (ignoring case and diacritics)."
    )
    async def organisations(
        self,
        info: Info,
        name: str | None = None,
        kind: str | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Organisation]:
        return await named_list(
            info, ORGANISATION, Organisation, known_at, first, after, name, kind
        )

    @strawberry.field(description="One organisation by id.")
    async def organisation(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Organisation | None:
        return await load_organisation(info, parse_id(id, "id"), known_at)
