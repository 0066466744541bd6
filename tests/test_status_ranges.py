"""Lists filtered and paged in SQL on stored status ranges (projections/status_ranges.py):
the same answers as the domain's rules applied to every row, on both time axes, and the
same pages and cursors as paging the whole list."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from projections.entities import ASSIGNMENT, DECISION
from projections.status_ranges import (
    AGREEMENT,
    ListQuery,
    _assignment_dates,
    _decision_dates,
    assignment_status_of,
    decision_status_of,
    runs,
)
from registry.config import StoreSettings
from registry.status.assignment import overdue
from tests.read_scenario import World, open_world


@pytest.fixture
def world(settings: StoreSettings) -> Iterator[World]:
    yield from open_world(settings, answer_cache=False)


def _runs_agree(value_on, dates, days) -> None:  # type: ignore[no-untyped-def]
    found = runs(value_on, dates)
    for day in days:
        (value,) = [v for start, end, v in found if start <= day < end]
        assert value == value_on(day), day


def test_runs_sample_the_rule_everywhere_it_can_change():
    rng = random.Random(5)
    base = date(2020, 1, 1)
    for _ in range(300):

        def d() -> str | None:
            return (
                (base + timedelta(days=rng.randint(0, 60))).isoformat()
                if rng.random() < 0.6
                else None
            )

        view = {
            "kind": rng.choice(["approved", "deferred", "referred_back", "noted"]),
            "decided_on": (base + timedelta(days=rng.randint(0, 30))).isoformat(),
            "conditions": [
                {"met_on": d(), "withdrawn_on": d() if rng.random() < 0.3 else None}
                for _ in range(rng.randint(0, 3))
            ],
            "revoked_on": d() if rng.random() < 0.3 else None,
            "superseded_by": "x" if rng.random() < 0.3 else None,
            "superseded_on": d(),
            "given_on": d(),
            "ended_on": d(),
            "due_date": d(),
            "status": rng.choice(["open", "completed", "withdrawn"]),
        }
        days = [base + timedelta(days=n) for n in range(-3, 70)]
        _runs_agree(
            lambda day, view=view: decision_status_of(view, day),
            _decision_dates(view),
            days,
        )
        due = date.fromisoformat(view["due_date"]) if view["due_date"] else None

        def assignment(day: date, view: dict = view, due: date | None = due) -> tuple[str, bool]:
            status = assignment_status_of(view, day)
            return status, overdue(due_date=due, status_on_day=status, day=day)

        _runs_agree(assignment, _assignment_dates(view), days)


@pytest.mark.parametrize("backfilled", [False, True], ids=["projected", "backfilled"])
def test_sql_lists_answer_as_the_rules_on_every_day_and_moment(world: World, backfilled: bool):
    runner = world.client.app.state.runner
    if backfilled:
        # A store projected before this read model existed: its table is filled from the
        # versions already there, every recorded range included.
        with runner.views.datastore.transaction(commit=True) as c:
            db = runner.views._db(c)
            db.execute("DELETE FROM {s}status_ranges")
            runner.status_ranges.backfill(db)
    days = sorted(
        {date(2019, 1, 1), date(2021, 1, 1), date(2030, 1, 1)}
        | {date(2021, 2, 12) + timedelta(days=n) for n in range(-2, 400, 9)}
    )
    with runner.views.reading() as db:
        for mark in world.s.known.values():
            decisions = runner.entities.list(db, DECISION, mark)
            assignments = runner.entities.list(db, ASSIGNMENT, mark)
            agreements = runner.agreements.all_known_at(db, mark)
            for day in days:
                expected: dict[tuple[str, str], set[str]] = {}
                for d in decisions:
                    expected.setdefault((DECISION, str(decision_status_of(d, day))), set()).add(
                        str(d.entity_id)
                    )
                for a in assignments:
                    status = assignment_status_of(a, day)
                    expected.setdefault((ASSIGNMENT, status), set()).add(str(a.entity_id))
                    if overdue(due_date=a.date("due_date"), status_on_day=status, day=day):
                        expected.setdefault((ASSIGNMENT, "late"), set()).add(str(a.entity_id))
                for g in agreements:
                    expected.setdefault((AGREEMENT, str(g.status(day))), set()).add(
                        str(g.agreement_id)
                    )
                for kind, everything in (
                    (DECISION, decisions),
                    (ASSIGNMENT, assignments),
                    (AGREEMENT, agreements),
                ):
                    every = ListQuery(kind, day, mark).page(db, None, 10_000)
                    assert len(every.ids) == len(everything), (kind, day, mark)
                for (kind, status), ids in expected.items():
                    if status == "late":
                        query = ListQuery(kind, day, mark, late=True)
                    else:
                        query = ListQuery(kind, day, mark, statuses=[status])
                    page = query.page(db, None, 10_000)
                    assert {str(i) for i in page.ids} == ids, (kind, status, day, mark)
                    assert query.count(db) == len(ids)


DECISIONS = """query($first: Int, $after: String, $asOf: Date, $statuses: [DecisionStatus!]) {
  decisions(first: $first, after: $after, asOf: $asOf, statuses: $statuses) {
    totalCount edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""


def test_pages_walked_by_cursor_are_the_whole_list_in_order(world: World):
    for statuses in (None, ["IN_FORCE"], ["IN_FORCE", "REVOKED", "SUPERSEDED"]):
        whole = world.data(DECISIONS, first=500, asOf="2021-12-31", statuses=statuses)
        whole = whole["decisions"]
        walked, after, previous = [], None, False
        while True:
            page = world.data(
                DECISIONS, first=2, after=after, asOf="2021-12-31", statuses=statuses
            )["decisions"]
            assert page["totalCount"] == whole["totalCount"]
            assert page["pageInfo"]["hasPreviousPage"] is previous
            walked += page["edges"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after, previous = page["pageInfo"]["endCursor"], True
        assert walked == whole["edges"]
        assert len(walked) == whole["totalCount"]
