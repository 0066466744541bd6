"""The list pattern of the top-level queries: filter, order, page as a Relay connection with keyset cursors (api/pagination.py), read in SQL where the read models can."""

from __future__ import annotations

from api.graphql.core.ids import bad_input
from api.pagination import (
    Connection,
    decode_cursor,
    keyset_connection,
    page_size,
)
from api.reader import Reader
from projections.list_keys import KEY_SHAPE as LIST_KEY_SHAPE
from projections.list_keys import KeyQuery
from projections.status_ranges import KEY_SHAPE, ListQuery, Page, sort_key_text


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


async def paged(
    r: Reader, query: ListQuery, first: int | None, after: str | None, load
) -> tuple[Page, list]:  # type: ignore[no-untyped-def]
    """One page of a list filtered and paged in SQL, and its rows loaded by `load(db, ids)`
    (a dict by id), in the page's order."""
    size = page_size(first)
    boundary = after_key(after, query.kind)

    def work(db):  # type: ignore[no-untyped-def]
        page = query.page(db, boundary, size)
        return page, load(db, page.ids)

    page, found = await r.read(work)
    return page, [found[i] for i in page.ids if i in found]


async def keyed(
    r: Reader,
    query: KeyQuery,
    first: int | None,
    after: str | None,
    make,  # type: ignore[no-untyped-def]
    key,  # type: ignore[no-untyped-def]
) -> Connection:
    """A page of a list of entities read by keyset in SQL (projections/list_keys.py): only
    the page's rows are loaded; the total is counted only if asked for."""
    size = page_size(first)
    boundary = after_key(after, query.kind)

    def work(db):  # type: ignore[no-untyped-def]
        page = query.page(db, boundary, size)
        return page, r.runner.entities.get_many(db, page.ids, query.known_at)

    page, found = await r.read(work)
    return keyset_connection(
        [make(found[i]) for i in page.ids if i in found],
        key,
        page.more,
        page.before,
        lambda: r.read(query.count),
    )
