"""Relay-style cursor connections with keyset cursors.

A cursor encodes the sort key of its row, not an offset, so a page boundary stays put while
events keep arriving: the page after a cursor starts with the first row sorting after it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError

T = TypeVar("T")

DEFAULT_PAGE = 50
MAX_PAGE = 500


@strawberry.type(description="Where a page sits in its list (Relay connection spec).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="A row of a page with its cursor.")
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of a list: `first` rows after the cursor `after`.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    # The count, or how to count (a list paged in SQL counts only when asked).
    total: strawberry.Private[int | Callable[[], Awaitable[int]]] = 0

    @strawberry.field(description="Rows in the whole list (all pages).")
    async def total_count(self) -> int:
        total = self.total
        return await total() if callable(total) else total

    @strawberry.field(description="The rows of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [e.node for e in self.edges]


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str, field: str = "after") -> list[Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, list):
        raise GraphQLError(
            f"{field}: {cursor!r} is not a cursor from this list",
            extensions={"code": "BAD_USER_INPUT", "field": field},
        )
    return value


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if not 0 <= first <= MAX_PAGE:
        raise GraphQLError(
            f"first: must be between 0 and {MAX_PAGE}, got {first}",
            extensions={"code": "BAD_USER_INPUT", "field": "first"},
        )
    return first


def connect(
    items: Sequence[T],
    key: Callable[[T], Sequence[Any]],
    first: int | None,
    after: str | None,
) -> Connection[T]:
    """A page of `items` (already in `key` order) after the cursor."""
    size = page_size(first)
    keyed = [(list(key(item)), item) for item in items]
    start = 0
    if after is not None:
        boundary = decode_cursor(after)
        try:
            start = next((n for n, (k, _) in enumerate(keyed) if k > boundary), len(keyed))
        except TypeError:
            raise GraphQLError(
                f"after: {after!r} is not a cursor from this list",
                extensions={"code": "BAD_USER_INPUT", "field": "after"},
            ) from None
    page = keyed[start : start + size]
    edges = [Edge(cursor=encode_cursor(k), node=item) for k, item in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + size < len(keyed),
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total=len(keyed),
    )


def keyset_connection(
    items: Sequence[T],
    key: Callable[[T], Sequence[Any]],
    has_next_page: bool,
    has_previous_page: bool,
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    """A page read by keyset in SQL (`items` is the page, in `key` order): the same cursors
    as `connect` gives for the same rows; the total is counted only if asked for."""
    edges = [Edge(cursor=encode_cursor(list(key(item))), node=item) for item in items]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next_page,
            has_previous_page=has_previous_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total=count,
    )
