"""Organisations (regions, kommuner, kommunalförbund, SKR) and their former names."""

from __future__ import annotations

from datetime import date

import strawberry

from api.graphql.core.node import EntityNode, events_field, node_type, source_field
from projections.sql import as_date


@node_type("A region, municipality, kommunalförbund or SKR.")
class Organisation(EntityNode):
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

    source = source_field("Where the organisation's record comes from.")

    events = events_field("The audit trail of the organisation.")


@strawberry.type(description="A name an organisation had before a rename.")
class FormerName:
    name: str
    until: date | None = strawberry.field(description="The day the new name took over.")
