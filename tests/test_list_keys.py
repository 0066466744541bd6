"""Lists of bodies, organisations, persons, meetings and funds read by keyset in SQL
(projections/list_keys.py): the same rows in the same order as filtering and sorting every
entity in Python, at every recorded moment, projected or filled by `backfill`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from projections.list_keys import KINDS, MEETING, PERSON, KeyQuery, folded, list_key
from projections.status_ranges import sort_key_text
from registry.config import StoreSettings
from tests.read_scenario import World, open_world


@pytest.fixture
def world(settings: StoreSettings) -> Iterator[World]:
    yield from open_world(settings, answer_cache=False)


@pytest.mark.parametrize("backfilled", [False, True], ids=["projected", "backfilled"])
def test_keyset_lists_match_every_row_sorted(world: World, backfilled: bool):
    runner = world.client.app.state.runner
    if backfilled:
        with runner.views.datastore.transaction(commit=True) as c:
            db = runner.views._db(c)
            db.execute("DELETE FROM {s}list_keys")
            runner.list_keys.backfill(db)
    with runner.views.reading() as db:
        for mark in world.s.known.values():
            for kind in KINDS:
                rows = [
                    r
                    for r in runner.entities.list(db, kind, mark)
                    if not (kind == PERSON and r.get("merged_into"))
                ]
                rows.sort(key=lambda r: list_key(kind, r.view, str(r.entity_id)))
                expected = [r.entity_id for r in rows]
                query = KeyQuery(kind, mark)
                assert query.page(db, None, 10_000).ids == expected, (kind, mark)
                assert query.count(db) == len(expected)
                # Paged two at a time, the same rows.
                paged, after = [], None
                while True:
                    page = query.page(db, after, 2)
                    paged += page.ids
                    assert page.before == (after is not None)
                    if not page.more:
                        break
                    last = next(r for r in rows if r.entity_id == page.ids[-1])
                    after = sort_key_text(list_key(kind, last.view, str(last.entity_id)))
                assert paged == expected, (kind, mark)
                if kind != MEETING:
                    for r in rows[:3]:
                        part = folded(r["name"])[1:4]
                        found = KeyQuery(kind, mark, name=part).page(db, None, 10_000).ids
                        assert r.entity_id in found
