"""The Query fields of the audit trail, the change feed, search and the ledger."""

from __future__ import annotations

import asyncio

import strawberry
from strawberry.types import Info

from api.graphql.audit.types import Ledger, SearchHit, SearchKind, read_ledger
from api.graphql.core import events as trail
from api.graphql.core.context import reader
from api.graphql.core.ids import bad_input, parse_id
from api.graphql.core.refs import EventRef
from api.pagination import (
    Connection,
    Edge,
    PageInfo,
    connect,
    decode_cursor,
    encode_cursor,
    page_size,
)
from projections.ledger import EventRow
from projections.runner import ProjectionRunner

FEED_BATCH = 500
FEED_POLL_SECONDS = 0.5


@strawberry.type(description="An event of the change feed with its cursor.")
class ChangeEdge:
    cursor: str
    node: EventRef


def feed_position(after: str | None) -> int:
    """The log position a change-feed cursor stands for (0: from the start)."""
    if after is None:
        return 0
    cursor = decode_cursor(after)
    if len(cursor) != 1 or not isinstance(cursor[0], int) or cursor[0] < 0:
        raise bad_input("after", f"{after!r} is not a cursor of the change feed")
    return cursor[0]


def feed_since(runner: ProjectionRunner, position: int, limit: int) -> list[EventRow]:
    with runner.views.reading() as db:
        return runner.ledger.since(db, position, limit)


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="The audit trail of any entity or answer row (a body, person, decision, "
        "agreement, fund, assignment, membership, allocation, condition or seat): its events "
        "in order with type, effective date, recorded time, actor, source and decision."
    )
    async def audit_trail(
        self,
        info: Info,
        id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[EventRef]:
        r = reader(info)
        entity_id = parse_id(id, "id")
        rows = await r.events_about.load(entity_id)
        events = [trail.Event(row=e) for e in rows]
        return connect(events, lambda e: (e.row.position,), first, after)

    @strawberry.field(
        description="The change feed: every event recorded after the cursor `after` (from "
        "the start without it), oldest first, corrections and withdrawals included. Keep the "
        "last `endCursor` and ask again to sync."
    )
    async def changes(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[EventRef]:
        r = reader(info)
        size = page_size(first)
        position = feed_position(after)

        def work(db):  # type: ignore[no-untyped-def]
            rows = r.runner.ledger.since(db, position, size + 1)
            return rows, r.runner.ledger.count_since(db, 0)

        rows, total = await r.read(work)
        page = rows[:size]
        edges = [Edge(cursor=encode_cursor([e.position]), node=trail.Event(row=e)) for e in page]
        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > size,
                has_previous_page=position > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else after,
            ),
            total=total,
        )

    @strawberry.field(
        description="Full-text search over decisions, agenda items and agreements, best match "
        "first (Swedish stemming on PostgreSQL; word prefixes on SQLite)."
    )
    async def search(
        self,
        info: Info,
        query: str,
        kinds: list[SearchKind] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SearchHit]:
        if not query.strip():
            raise bad_input("query", "must contain a word to search for")
        if len(query) > 500:
            raise bad_input("query", f"must be at most 500 characters, got {len(query)}")
        r = reader(info)
        wanted = [k.value for k in kinds] if kinds else None
        rows = await r.read(lambda db: r.runner.search.search(db, query, wanted, limit=1000))
        hits = [SearchHit(row=h) for h in rows]
        return connect(hits, lambda h: (-h.row.rank, h.row.doc_id), first, after)

    @strawberry.field(description="Position of the last event the read models include.")
    async def projection_position(self, info: Info) -> int:
        return await asyncio.to_thread(reader(info).runner.position)

    # -- ledger (the hash chain, registry/chain.py) -----------------------------------------

    @strawberry.field(
        description="The hash-chained event log: the latest signed head, the current head "
        "and the registry's public key, to check exports and proofs against."
    )
    async def ledger(self, info: Info) -> Ledger:
        return await asyncio.to_thread(read_ledger, info.context["registry"])
