"""The recorded event (the audit trail and the change feed), the events about an entity, and
each event's link in the hash chain (registry/chain.py)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from uuid import UUID

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from api.access import sees_personal_data, stored_context
from api.graphql import agreements, assignments, bodies, decisions, funds
from api.graphql.core.context import reader
from api.graphql.core.ids import gid
from api.graphql.core.refs import (
    AgreementRef,
    AllocationRef,
    AssignmentRef,
    DecisionRef,
    FundRef,
    MembershipRef,
)
from api.graphql.core.source import Source
from projections.entities import EntityRow
from projections.ledger import EventRow


@strawberry.type(description="One recorded event: the audit trail and the change feed.")
class Event:
    row: strawberry.Private[EventRow]

    @strawberry.field(description="Position in the event log (the change feed's order).")
    def position(self) -> int:
        return self.row.position

    @strawberry.field(description="The entity (aggregate) the event belongs to.")
    def entity_id(self) -> strawberry.ID:
        return gid(self.row.entity_id)

    @strawberry.field(description="body, person, decision, agreement, fund, assignment...")
    def entity_type(self) -> str:
        return self.row.entity_type

    @strawberry.field(name="type", description="MemberAppointed, Extended, Corrected...")
    def type_(self) -> str:
        return self.row.event_type

    @strawberry.field
    def entity_version(self) -> int:
        return self.row.entity_version

    @strawberry.field(description="Valid time: the day the fact takes effect.")
    def effective_date(self) -> date | None:
        return self.row.effective_date

    @strawberry.field(description="Recorded time: when the registry learnt it.")
    def recorded_at(self) -> datetime:
        return self.row.recorded_at

    @strawberry.field(
        description="The event's link in the hash chain (SHA-256, hex): covers this event and "
        "every event before it (docs/audit.md)."
    )
    async def link_hash(self, info: Info) -> str | None:
        return await link_hash_of(info, self.row.position)

    @strawberry.field(
        description="Who wrote the event: the name of the token or signed-in user it was "
        "written with. Auditors and administrators only (null for others; docs/security.md)."
    )
    def actor(self, info: Info) -> str | None:
        return self.row.actor if sees_personal_data(info) else None

    @strawberry.field(
        description="The stable subject of who wrote the event (a token's `token:<id>`, a "
        "JWT's `sub`, `local` for the loopback default). Auditors and administrators only."
    )
    async def actor_subject(self, info: Info) -> str | None:
        if not sees_personal_data(info):
            return None
        found = await stored_context(info, self.row.position)
        return found.subject if found else None

    @strawberry.field(
        description="The id of the API token (or the JWT's `jti`) the event was written with. "
        "Auditors and administrators only."
    )
    async def actor_token_id(self, info: Info) -> str | None:
        if not sees_personal_data(info):
            return None
        found = await stored_context(info, self.row.position)
        return found.token_id if found else None

    @strawberry.field(
        description="Who recorded the fact as stated in the source (a minutes file's "
        "`recorded_by`, the secretary): what the document says, kept apart from the actor, "
        "who wrote it into the registry. Public, as the minutes are."
    )
    async def stated_by(self, info: Info) -> str | None:
        found = await stored_context(info, self.row.position)
        return found.stated_by if found else None

    @strawberry.field
    def source(self) -> Source:
        r = self.row
        return Source(document=r.source_document, item=r.source_item, url=r.source_url, note=r.note)

    @strawberry.field(description="The decision that authorised the change, if any.")
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.row.decision_id, None)

    @strawberry.field(description="The event's own data (ids, dates, amounts as strings).")
    def data(self) -> JSON:
        return self.row.data

    # What the event changed, as it stood right after it: the links from a decision to every
    # effect it caused. Each is null (or empty) for events of other kinds.

    async def _after(self, info: Info, entity_type: str) -> EntityRow | None:
        if self.row.entity_type != entity_type:
            return None
        return await reader(info).entity_written_by.load(self.row.position)

    @strawberry.field(
        description="For a body's composition events: the memberships as this event left them "
        "(a replacement gives the outgoing and the incoming member)."
    )
    async def memberships(self, info: Info) -> list[MembershipRef]:
        if self.row.entity_type != "body":
            return []
        rows = await reader(info).memberships_written_by.load(self.row.position)
        return [bodies.Membership(row=m, known_at=None) for m in rows]

    @strawberry.field(description="For an agreement's events: the agreement right after it.")
    async def agreement(self, info: Info) -> AgreementRef | None:
        if self.row.entity_type != "agreement":
            return None
        row = await reader(info).agreement_written_by.load(self.row.position)
        return agreements.Agreement(row=row) if row else None

    @strawberry.field(description="For a fund's events: the fund right after it.")
    async def fund(self, info: Info) -> FundRef | None:
        row = await self._after(info, "fund")
        return funds.Fund(row=row, known_at=None) if row else None

    @strawberry.field(
        description="For an allocation event: the allocation right after it (null once withdrawn)."
    )
    async def allocation(self, info: Info) -> AllocationRef | None:
        allocation = self.row.data.get("allocation") or {}
        allocation_id = allocation.get("allocation_id") or self.row.data.get("allocation_id")
        row = await self._after(info, "fund") if allocation_id else None
        for a in row.get("allocations", []) if row else []:
            if a["allocation_id"] == allocation_id:
                return funds.Allocation(row=a, known_at=None)
        return None

    @strawberry.field(description="For an assignment's events: the assignment right after it.")
    async def assignment(self, info: Info) -> AssignmentRef | None:
        row = await self._after(info, "assignment")
        return assignments.Assignment(row=row, known_at=None) if row else None

    @strawberry.field(
        description="For a decision's own events (conditions met, revocation, correction): "
        "the decision right after it."
    )
    async def subject_decision(self, info: Info) -> DecisionRef | None:
        row = await self._after(info, "decision")
        return decisions.Decision(row=row, known_at=None) if row else None


async def events_of(info: Info, *ids: UUID | None) -> list[Event]:
    rows: dict[int, EventRow] = {}
    for i in ids:
        if i is not None:
            for r in await reader(info).events_about.load(i):
                rows[r.position] = r
    return [Event(row=rows[p]) for p in sorted(rows)]


def _link_hash_loader(info: Info) -> DataLoader[int, str | None]:
    """One read of event_chain per request level for every event's link hash (no N+1); the
    links are written with the events, so they are there as soon as the event is projected."""
    loader = info.context.get("link_hashes")
    if loader is None:
        registry = info.context["registry"]

        async def load(positions: list[int]) -> list[str | None]:
            found = await asyncio.to_thread(registry.chain.chain_hashes, sorted(set(positions)))
            return [found.get(p) for p in positions]

        loader = info.context["link_hashes"] = DataLoader(load)
    return loader


async def link_hash_of(info: Info, position: int) -> str | None:
    return await _link_hash_loader(info).load(position)
