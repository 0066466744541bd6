"""Lists by status on a day, one page: filtered in Python over the whole list (as before
issue 13) beside filtered and paged in SQL on the stored status ranges
(projections/status_ranges.py), at two registry sizes.

The store is filled directly with synthetic decision and assignment versions (the views the
entities read model writes: decided on a day between 2000 and 2025, some conditional, some
revoked or superseded; assignments due over the same years, some completed or withdrawn, 10%
corrected once so they have two recorded versions), then the status ranges are derived from
them by the read model's own backfill (`StatusRangesReadModel.backfill`). Timed, alternating:

- python: `entities.list` of every decision (assignment) known at T, the domain's rule on each
  row, sort, then `api.pagination.connect` for the first 50 (what the resolvers did);
- sql: `ListQuery.page` (50 ids by keyset) and `entities.get_many` for the page.

    .venv/bin/python benchmarks/lists.py                 # 10^3 and 10^4 decisions, both stores
    .venv/bin/python benchmarks/lists.py --sizes 1000 100000 --stores sqlite

Prints figures (medians, milliseconds); asserts nothing about time, but checks that both
paths return the same page.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from asof_versions import DEFAULT_SERVER, stores

from api.pagination import connect
from projections.entities import ASSIGNMENT, DECISION
from projections.runner import ProjectionRunner
from projections.status_ranges import (
    ListQuery,
    assignment_status_of,
    decision_status_of,
    natural,
)
from registry.application import Registry
from registry.status.assignment import overdue

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _day(rng: random.Random, low: int = 2000, high: int = 2025) -> date:
    return date(low, 1, 1) + timedelta(days=rng.randint(0, 365 * (high - low)))


def versions(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    bodies = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(max(1, n // 200))]
    rows: list[dict[str, Any]] = []
    position = 0

    def add(entity_type: str, entity_id: str, view: dict[str, Any], key: date | None) -> None:
        nonlocal position
        position += 1
        at = T0 + timedelta(seconds=position)
        corrected = rng.random() < 0.1
        row = {
            "entity_id": entity_id,
            "entity_type": entity_type,
            "body_id": view["body_id"],
            "key_date": key,
            "name": view.get("task"),
            "view": view,
            "event_type": "Recorded",
            "event_position": position,
            "recorded_from": at,
            "recorded_to": at + timedelta(days=30) if corrected else None,
        }
        rows.append(row)
        if corrected:
            position += 1
            later = dict(view)
            if entity_type == DECISION:
                later["revoked_on"] = (_day(rng)).isoformat()
            else:
                later["status"], later["ended_on"] = "completed", _day(rng).isoformat()
            rows.append(
                row
                | {
                    "view": later,
                    "event_position": position,
                    "recorded_from": at + timedelta(days=30),
                    "recorded_to": None,
                }
            )

    for i in range(n):
        decided = _day(rng)
        conditions = []
        if rng.random() < 0.1:
            met = decided + timedelta(days=rng.randint(10, 200))
            conditions.append({"condition_id": str(i), "text": "c", "met_on": met.isoformat()})
        view = {
            "body_id": rng.choice(bodies),
            "decided_on": decided.isoformat(),
            "item": str(rng.randint(1, 40)),
            "ordinal": 1,
            "kind": rng.choice(["approved", "approved", "approved", "noted", "deferred"]),
            "conditions": conditions,
            "revoked_on": None,
            "superseded_by": "x" if rng.random() < 0.05 else None,
            "superseded_on": (decided + timedelta(days=400)).isoformat(),
        }
        add(DECISION, str(uuid.UUID(int=rng.getrandbits(128))), view, decided)
    for i in range(n // 5):
        given = _day(rng)
        due = given + timedelta(days=rng.randint(30, 400))
        view = {
            "body_id": rng.choice(bodies),
            "task": f"Uppdrag {i}",
            "given_on": given.isoformat(),
            "due_date": due.isoformat(),
            "status": "open",
            "ended_on": None,
            "holder_id": None,
        }
        add(ASSIGNMENT, str(uuid.UUID(int=rng.getrandbits(128))), view, due)
    return rows


def fill(runner: ProjectionRunner, rows: list[dict[str, Any]]) -> None:
    views = runner.views
    with views.datastore.transaction(commit=True) as c:
        db = views._db(c)
        db.insert_many(
            "entity_versions",
            [r | {"view": json.dumps(r["view"], sort_keys=True)} for r in rows],
        )
        db.execute("DELETE FROM {s}status_ranges")
        runner.status_ranges.backfill(db)
        db.execute("ANALYZE")


def measure(store: str, make: Any, sizes: list[int], n: int) -> None:
    cases = []
    closers = []
    for size in sizes:
        registry = Registry(make(f"l{size}"))
        runner = ProjectionRunner(registry)
        closers += [runner.close, registry.close]
        began = time.perf_counter()
        fill(runner, versions(size, seed=size))
        print(
            f"  {store}: {size:,} decisions, {size // 5:,} assignments in "
            f"{time.perf_counter() - began:.0f} s",
            flush=True,
        )
        cases.append((size, runner))
    day, at = date(2024, 6, 1), T0 + timedelta(days=400)
    lists = {
        "decisions IN_FORCE": (
            DECISION,
            lambda row: str(decision_status_of(row, day)) == "in_force",
            lambda d: (d["decided_on"], natural(d["item"]), d["ordinal"], str(d.entity_id)),
            ListQuery(DECISION, day, at, statuses=["in_force"]),
        ),
        "assignments overdue": (
            ASSIGNMENT,
            lambda row: overdue(
                due_date=row.date("due_date"),
                status_on_day=assignment_status_of(row, day),
                day=day,
            ),
            lambda a: (a.get("due_date") or "9999-12-31", a["task"], str(a.entity_id)),
            ListQuery(ASSIGNMENT, day, at, late=True),
        ),
    }
    timings: dict[tuple[int, str, str], list[float]] = {}
    for round_ in range(n):
        for size, runner in cases if round_ % 2 == 0 else cases[::-1]:
            for name, (kind, keep, key, query) in lists.items():
                with runner.views.reading() as db:
                    t0 = time.perf_counter_ns()
                    rows = [r for r in runner.entities.list(db, kind, at) if keep(r)]
                    rows.sort(key=key)
                    old = connect(rows, key, 50, None)
                    t1 = time.perf_counter_ns()
                    page = query.page(db, None, 50)
                    found = runner.entities.get_many(db, page.ids, at)
                    new = [found[i] for i in page.ids]
                    t2 = time.perf_counter_ns()
                if round_ == 0:
                    assert [e.node.entity_id for e in old.edges] == [r.entity_id for r in new]
                    total = query_count = len(rows)
                    with runner.views.reading() as db:
                        query_count = query.count(db)
                    assert total == query_count, (total, query_count)
                timings.setdefault((size, name, "python"), []).append((t1 - t0) / 1e6)
                timings.setdefault((size, name, "sql"), []).append((t2 - t1) / 1e6)
    for close in closers:
        close()
    print(f"{'store':<8} {'list':<20} {'decisions':>9} | {'python ms':>9} | {'sql ms':>7}")
    for size, _ in cases:
        for name in lists:
            py = statistics.median(timings[(size, name, "python")])
            sq = statistics.median(timings[(size, name, "sql")])
            print(f"{store:<8} {name:<20} {size:>9,} | {py:>9.2f} | {sq:>7.2f}")
    if len(sizes) > 1:
        for name in lists:
            lo, hi = sizes[0], sizes[-1]
            for way in ("python", "sql"):
                ratio = statistics.median(timings[(hi, name, way)]) / statistics.median(
                    timings[(lo, name, way)]
                )
                print(f"{store}: {name} {way} {hi:,}/{lo:,} = {ratio:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10_000])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--stores", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    parser.add_argument("--postgres", default=DEFAULT_SERVER)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="registry_bench_") as workdir:
        for store in args.stores:
            with stores(store, args.postgres, workdir) as make:
                measure(store, make, args.sizes, args.rounds)
    print("Medians in milliseconds, one page of 50 (python: whole list filtered, then paged).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
