"""The change feed as a subscription."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from api.graphql.audit.queries import (
    FEED_BATCH,
    FEED_POLL_SECONDS,
    ChangeEdge,
    feed_position,
    feed_since,
)
from api.graphql.core import events as trail
from api.graphql.core.context import reader
from api.pagination import (
    encode_cursor,
)
from api.reader import Reader


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The change feed as a stream (graphql-transport-ws at /graphql): every "
        "event after the cursor `after` (from the start without it), then each new event as "
        "it is projected. The same events and cursors as `changes`: reconnect with the last "
        "cursor seen to resume without a gap."
    )
    async def changes(
        self, info: Info, after: str | None = None
    ) -> AsyncGenerator[ChangeEdge, None]:
        position = feed_position(after)
        runner = reader(info).runner
        while True:
            rows = await asyncio.to_thread(feed_since, runner, position, FEED_BATCH)
            if rows:
                # Each batch is answered with a fresh reader: "now" (the default knownAt of
                # the events' nested fields) moves on with the stream.
                info.context["reader"] = Reader(runner)
            for row in rows:
                position = row.position
                yield ChangeEdge(cursor=encode_cursor([row.position]), node=trail.Event(row=row))
            if len(rows) < FEED_BATCH:
                await asyncio.sleep(FEED_POLL_SECONDS)
