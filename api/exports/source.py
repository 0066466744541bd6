"""Where the exports read from: the GraphQL schema, executed in this process.

The exports ask the same questions a client would, through the same resolvers and batch
loaders (api/reader.py), so every rule (names on a date, who is a member on a date, a
decision's status) has one home and the exports cannot drift from the API. Nothing here
replays events: the resolvers read the projections only.

Lists are read a page (500 rows) at a time with a fresh `Reader` per page, so memory stays
bounded for a large registry; every page uses the same `known_at`, so the whole export is
one consistent picture even while events arrive.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from api.reader import Reader
from api.schema import schema
from projections.runner import ProjectionRunner
from registry.application import Registry

PAGE = 500


class ExportError(RuntimeError):
    """A query of an export failed; the message names the query and the first error."""


class Window:
    """One page of a paged list (OParl's `next` links): the connection and cursor it starts
    at, and, once read, where the next page starts (`next`, None after the last page).

    A list may be read from more than one connection in turn (OParl's organization list:
    the organisations, then the bodies). The page skips the connections before its start,
    reads one page of the connection it starts in, and when that connection ends on this
    page, goes on to the next connection's first page, so no page but the last is empty.
    """

    def __init__(self, size: int, start: tuple[str, str | None] | None = None) -> None:
        self.size = size
        self.phase, self.after = start if start else (None, None)
        self.entered = start is None
        self.closed_in: str | None = None
        self.next: tuple[str, str | None] | None = None

    def admits(self, field: str) -> bool:
        if not self.entered:
            if field != self.phase:
                return False  # a connection before the page's start
            self.entered = True
        return self.closed_in is None or self.closed_in == field

    def start_of(self, field: str) -> str | None:
        return self.after if field == self.phase else None

    def read(self, field: str, has_next: bool, end_cursor: str | None) -> None:
        if has_next:
            self.closed_in = field
            self.next = (field, end_cursor)


class ExportSource:
    """Runs the exports' GraphQL queries in process against one registry, as known at one
    moment (`known_at`, default now); with a `window`, only one page of the list."""

    def __init__(
        self,
        runner: ProjectionRunner,
        registry: Registry,
        known_at: datetime | None = None,
        window: Window | None = None,
        viewer: Any = None,
    ) -> None:
        self.runner = runner
        self.registry = registry
        self.window = window
        # What the export holds depends on who asks (contact details for auditors only,
        # api/access.py): over HTTP the caller's identity; by default the command line's
        # operator.
        if viewer is None:
            from api.identity import command_line

            viewer = command_line()
        self.viewer = viewer
        if known_at is None:
            known_at = datetime.now(UTC)
        elif known_at.tzinfo is None:
            known_at = known_at.replace(tzinfo=UTC)
        self.known_at = known_at

    async def query(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """One query's `data`; any error fails the export (a partial export would mislead)."""
        context = {
            "runner": self.runner,
            "registry": self.registry,
            "reader": Reader(self.runner, now=self.known_at),
            "identity": self.viewer,
        }
        result = await schema.execute(document, variable_values=variables, context_value=context)
        if result.errors:
            raise ExportError(f"export query failed: {result.errors[0].message}")
        assert result.data is not None
        return result.data

    async def nodes(
        self, document: str, field: str, variables: dict[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        """Every node of the connection `field` of `document`, page by page. The document
        takes `$first: Int` and `$after: String` and selects `pageInfo { hasNextPage
        endCursor }` and `nodes`."""
        if self.window is not None:
            async for node in self._window_nodes(self.window, document, field, variables):
                yield node
            return
        after: str | None = None
        while True:
            data = await self.query(document, {**variables, "first": PAGE, "after": after})
            connection = data[field]
            for node in connection["nodes"]:
                yield node
            if not connection["pageInfo"]["hasNextPage"]:
                return
            after = connection["pageInfo"]["endCursor"]

    async def _window_nodes(
        self, window: Window, document: str, field: str, variables: dict[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        if not window.admits(field):
            return
        page = {**variables, "first": window.size, "after": window.start_of(field)}
        connection = (await self.query(document, page))[field]
        for node in connection["nodes"]:
            yield node
        info = connection["pageInfo"]
        window.read(field, info["hasNextPage"], info["endCursor"])
