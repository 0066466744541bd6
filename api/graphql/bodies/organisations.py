"""Organisations (regions, kommuner, kommunalförbund, SKR) and their former names."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from api.graphql.core import events as trail
from api.graphql.core.ids import gid
from api.graphql.core.node import Node, node_type
from api.graphql.core.refs import EventRef
from api.graphql.core.source import Source, source_of
from projections.entities import EntityRow
from projections.sql import as_date


@node_type("A region, municipality, kommunalförbund or SKR.")
class Organisation(Node):
    row: strawberry.Private[EntityRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return gid(self.row.entity_id)

    @strawberry.field(
        description="The name; with `asOf`, the name it had that day (before a rename)."
    )
    def name(self, as_of: date | None = None) -> str:
        if as_of is not None:
            for former in self.row.get("former_names", []):
                until = as_date(former["until"])
                if until is not None and as_of < until:
                    return former["name"]
        return self.row["name"]

    @strawberry.field(description="Names it had before, oldest first, each with its last day.")
    def former_names(self) -> list[FormerName]:
        return [
            FormerName(name=f["name"], until=as_date(f["until"]))
            for f in self.row.get("former_names", [])
        ]

    @strawberry.field
    def kind(self) -> str:
        return self.row["kind"]

    @strawberry.field(description="Where the organisation's record comes from.")
    def source(self) -> Source:
        return source_of(self.row.get("origin"))

    @strawberry.field(description="The audit trail of the organisation.")
    async def events(self, info: Info) -> list[EventRef]:
        return await trail.events_of(info, self.row.entity_id)


@strawberry.type(description="A name an organisation had before a rename.")
class FormerName:
    name: str
    until: date | None = strawberry.field(description="The day the new name took over.")
