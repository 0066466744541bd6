"""The list pattern of the top-level queries: filter, order, page as a Relay connection with
keyset cursors (api/pagination.py), read in SQL where the read models can."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from strawberry.types import Info

from api.graphql.core.context import reader
from api.graphql.core.ids import bad_input
from api.graphql.core.node import EntityNode
from api.pagination import (
    Connection,
    connect,
    decode_cursor,
    keyset_connection,
    page_size,
)
from api.reader import Reader
from projections.list_keys import KEY_SHAPE as LIST_KEY_SHAPE
from projections.list_keys import KeyQuery, folded
from projections.status_ranges import KEY_SHAPE, ListQuery, sort_key_text

T = TypeVar("T")
E = TypeVar("E", bound=EntityNode)


def natural(item: str) -> str:
    """Sort "9" before "10": zero-pad a leading number."""
    digits = len(item) - len(item.lstrip("0123456789"))
    return item[:digits].zfill(8) + item[digits:] if digits else item


def after_key(after: str | None, kind: str) -> str | None:
    """The sort-key text of a list cursor (projections/status_ranges.py), None without one."""
    if after is None:
        return None
    key = decode_cursor(after)
    try:
        shape = KEY_SHAPE[kind] if kind in KEY_SHAPE else LIST_KEY_SHAPE[kind]
        if len(key) != len(shape) or not all(
            type(part) is kind_of for part, kind_of in zip(key, shape, strict=True)
        ):
            raise TypeError(key)
        return sort_key_text(key)
    except TypeError:
        raise bad_input("after", f"{after!r} is not a cursor from this list") from None


def by_name(item: Any) -> tuple[str, str]:
    """The cursor key of a list of entities by name: the name, then the id for ties."""
    return (item.row["name"], str(item.row.entity_id))


async def sql_list(
    r: Reader,
    query: KeyQuery | ListQuery,
    first: int | None,
    after: str | None,
    make: Callable[[Any], T],
    key: Callable[[T], Sequence[Any]],
    load: Callable[[Any, list[Any]], dict[Any, Any]] | None = None,
) -> Connection[T]:
    """The list pattern, filtered, ordered and paged in SQL: a keyset list of entities
    (projections/list_keys.py) or a list on stored status ranges (projections/status_ranges.py).
    Only the page's rows are loaded, by `load(db, ids)` (default: the entities as known at the
    query's moment), each made into its GraphQL object by `make`; the total is counted only if
    asked for."""
    size = page_size(first)
    boundary = after_key(after, query.kind)
    if load is None:
        load = lambda db, ids: r.runner.entities.get_many(db, ids, query.known_at)  # noqa: E731

    def work(db: Any) -> tuple[Any, dict[Any, Any]]:
        page = query.page(db, boundary, size)
        return page, load(db, page.ids)

    page, found = await r.read(work)
    return keyset_connection(
        [make(found[i]) for i in page.ids if i in found],
        key,
        page.more,
        page.before,
        lambda: r.read(query.count),
    )


async def named_list(
    info: Info,
    kind: str,
    node: type[E],
    known_at: datetime | None,
    first: int | None,
    after: str | None,
    name: str | None = None,
    variant: str | None = None,
) -> Connection[E]:
    """Entities of `kind` by name, each as a `node` as known at `known_at`, optionally of one
    `variant` (a body's or organisation's kind) and with `name` in their name, ignoring case
    and diacritics."""
    r = reader(info)
    query = KeyQuery(
        kind, r.known_at(known_at), name=folded(name) if name else None, variant=variant
    )
    make = lambda row: node(row=row, known_at=known_at)  # noqa: E731
    return await sql_list(r, query, first, after, make, by_name)


def sorted_list(
    items: list[T], key: Callable[[T], Sequence[Any]], first: int | None, after: str | None
) -> Connection[T]:
    """The list pattern in memory: `items` ordered by the cursor's key here, not by SQL (a
    database collation may order names differently; ties need the id), then paged."""
    return connect(sorted(items, key=key), key, first, after)
