"""The GraphQL types of a fund and its allocations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import strawberry
from strawberry.types import Info

from api.graphql import bodies, decisions
from api.graphql.core import events as trail
from api.graphql.core.ids import gid
from api.graphql.core.node import EntityNode, node_type
from api.graphql.core.refs import DecisionRef, EventRef, OrganisationRef
from projections.sql import as_date


@strawberry.type(description="Money allocated from a fund to a recipient for a purpose.")
class Allocation:
    row: strawberry.Private[dict]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return gid(self.row["allocation_id"])

    @strawberry.field
    def recipient(self) -> str:
        return self.row["recipient"]

    @strawberry.field
    async def recipient_organisation(self, info: Info) -> OrganisationRef | None:
        return await bodies.load_organisation(info, self.row.get("recipient_id"), self.known_at)

    @strawberry.field
    def purpose(self) -> str:
        return self.row["purpose"]

    @strawberry.field(description="SEK, exact.")
    def amount(self) -> Decimal:
        return Decimal(self.row["amount"])

    @strawberry.field
    def effective_date(self) -> date | None:
        return as_date(self.row.get("effective_date"))

    @strawberry.field(description="The decision behind the allocation's current amount.")
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.row.get("decision_id"), self.known_at)

    @strawberry.field
    async def events(self, info: Info) -> list[EventRef]:
        return await trail.events_of(info, UUID(self.row["allocation_id"]))


@node_type("Money a body disposes of, with what is allocated and remains.")
class Fund(EntityNode):
    @strawberry.field
    def name(self) -> str:
        return self.row["name"]

    @strawberry.field
    def total(self) -> Decimal:
        return Decimal(self.row["total"])

    @strawberry.field
    def allocated(self) -> Decimal:
        return Decimal(self.row["allocated"])

    @strawberry.field
    def remaining(self) -> Decimal:
        return Decimal(self.row["remaining"])

    @strawberry.field
    def currency(self) -> str:
        return self.row["currency"]

    @strawberry.field
    def period_start(self) -> date | None:
        return self.row.date("period_start")

    @strawberry.field
    def period_end(self) -> date | None:
        return self.row.date("period_end")

    @strawberry.field
    def source_of_funds(self) -> str | None:
        return self.row.get("source_of_funds")

    @strawberry.field
    def allocations(self) -> list[Allocation]:
        return [Allocation(row=a, known_at=self.known_at) for a in self.row.get("allocations", [])]

    @strawberry.field(description="The decision that established the fund.")
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(
            info, (self.row.get("origin") or {}).get("decision_id"), self.known_at
        )
