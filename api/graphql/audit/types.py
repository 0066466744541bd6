"""Search hits and the ledger (the hash chain's signed head)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.graphql import agreements, decisions, meetings
from api.graphql.core.context import reader
from api.graphql.core.ids import gid
from api.graphql.core.refs import AgreementRef, DecisionRef, MeetingRef
from projections.search import SearchHit as SearchHitRow


@strawberry.enum(description="What a search hit is.")
class SearchKind(enum.Enum):
    DECISION = "decision"
    AGENDA_ITEM = "agenda_item"
    AGREEMENT = "agreement"


@strawberry.type(description="A search hit: a decision, an agenda item or an agreement.")
class SearchHit:
    row: strawberry.Private[SearchHitRow]

    @strawberry.field
    def kind(self) -> SearchKind:
        return SearchKind(self.row.entity_type)

    @strawberry.field(description="The decision, meeting (for an agenda item) or agreement.")
    def entity_id(self) -> strawberry.ID:
        return gid(self.row.entity_id)

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field(description="Matching text with the hits in [brackets].")
    def snippet(self) -> str:
        return self.row.snippet

    @strawberry.field(description="Higher is a better match.")
    def rank(self) -> float:
        return self.row.rank

    @strawberry.field
    async def decision(self, info: Info) -> DecisionRef | None:
        if self.row.entity_type != "decision":
            return None
        return await decisions.load_decision(info, self.row.entity_id, None)

    @strawberry.field
    async def meeting(self, info: Info) -> MeetingRef | None:
        if self.row.entity_type != "agenda_item":
            return None
        return await meetings.load_meeting(info, self.row.entity_id, None)

    @strawberry.field(description="For an agenda item: its number.")
    def item_number(self) -> str | None:
        if self.row.entity_type != "agenda_item":
            return None
        return self.row.doc_id.split("#", 1)[1]

    @strawberry.field
    async def agreement(self, info: Info) -> AgreementRef | None:
        if self.row.entity_type != "agreement":
            return None
        r = reader(info)
        row = await r.agreement.load((self.row.entity_id, r.known_at(None)))
        return agreements.Agreement(row=row) if row else None


@strawberry.type(description="A signed checkpoint of the hash chain's head.")
class LedgerHead:
    position: int
    hash: str = strawberry.field(description="The link hash at `position` (SHA-256, hex).")
    signed_at: datetime
    signature: str = strawberry.field(
        description="Ed25519 signature (base64) of the checkpoint message (docs/audit.md)."
    )


@strawberry.type(description="The hash-chained event log: its signed head and public key.")
class Ledger:
    head: LedgerHead | None = strawberry.field(
        description="The latest signed checkpoint (`registry digest`); null before the first."
    )
    current_position: int = strawberry.field(
        description="Position of the last link (not necessarily signed yet)."
    )
    current_hash: str = strawberry.field(description="The last link's hash (unsigned).")
    public_key: str | None = strawberry.field(
        description="The registry's Ed25519 public key (base64, raw 32 bytes), also at "
        "GET /ledger/public-key; null before a key exists."
    )


def read_ledger(registry: Any) -> Ledger:
    """The ledger as the store holds it now (runs in a worker thread)."""
    from registry.signing import registry_public_key

    chain = registry.chain
    checkpoint = chain.latest_checkpoint()
    position, hash_hex = chain.chain_head()
    head = None
    if checkpoint is not None:
        head = LedgerHead(
            position=checkpoint.position,
            hash=checkpoint.hash,
            signed_at=datetime.fromisoformat(checkpoint.signed_at),
            signature=checkpoint.signature,
        )
    return Ledger(
        head=head,
        current_position=position,
        current_hash=hash_hex,
        public_key=registry_public_key(registry.settings, checkpoint),
    )
