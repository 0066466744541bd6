"""As-of member lookups at 10^4 and 10^6 membership versions, beside a raw indexed lookup.

asof_lookup.py builds its histories through the real commands, which takes minutes per 10^5
events. This script fills the memberships read model's table directly (bulk inserts of
synthetic versions shaped as the projection writes them: successive tenures in 15 places
of each body, each tenure an open version closed at the next change and its ended version)
so that the lookup can be timed at 10^6 versions. Per store and size it times, alternating
in rounds on the same random (body, day, known-at) triples:

- raw: the same rows read by a plain cursor, one prepared statement, the as-of index's
  condition, rows as the driver returns them (the anchor);
- members: `MembershipsReadModel.members(db, ...)` inside an open read transaction;
- request: opening the read transaction plus `members()`, as the API's loader does.

    .venv/bin/python benchmarks/asof_versions.py                    # 10^4 and 10^6
    .venv/bin/python benchmarks/asof_versions.py --sizes 10000 100000 --stores sqlite

PostgreSQL: a temporary database `registry_bench_<random>`, dropped at the end. Prints
figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

from projections.memberships import OPEN_DATE, OPEN_TIME
from projections.runner import ProjectionRunner
from projections.sql import POSTGRES, sqlite_timestamp
from registry.application import Registry
from registry.config import StoreSettings

DEFAULT_SERVER = os.environ.get("REGISTRY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
PLACES = 15
DEPTH = 100  # versions per body: a national registry has many bodies, each a modest history
RAW_URLS: dict[str, str] = {}
START = date(2000, 1, 1)
T0 = datetime(2020, 1, 1, tzinfo=UTC)
COLUMNS = (
    "membership_id, body_id, person_id, person_name, role, seat_id, on_behalf_of, deputy_for, "
    "start_date, start_not_after, valid_from, valid_to, note, decision_id, source_document, "
    "source_item, source_url, actor, event_type, correction_reason, event_position, "
    "recorded_from, recorded_to"
)


def synthetic(
    versions: int, depth: int, seed: int
) -> tuple[list[tuple], dict[str, tuple[date, datetime]]]:
    """Rows for `versions` membership versions, `depth` a body, and per body the last
    valid day and recorded time its history reaches."""
    rng = random.Random(seed)
    bodies = max(1, versions // depth)
    tenures = max(1, round((depth / PLACES + 1) / 2))
    rows: list[tuple] = []
    ends: dict[str, tuple[date, datetime]] = {}
    position = 0
    for _ in range(bodies):
        body = str(uuid.UUID(int=rng.getrandbits(128)))
        persons = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(PLACES * 2)]
        recorded = T0
        last_day = START
        for p in range(PLACES):
            day = START
            at = T0 + timedelta(seconds=p)
            for k in range(tenures):
                nxt = day + timedelta(days=rng.randint(60, 300))
                closed = at + timedelta(hours=rng.randint(24 * 50, 24 * 250))
                m = str(uuid.UUID(int=rng.getrandbits(128)))
                person = persons[2 * p + k % 2]
                role = "chair" if p == 0 else "vice_chair" if p == 1 else "member"
                base = (m, body, person, f"Person {p:02d}-{k % 2}", role, None, None, None)
                ctx = (None, "bench minutes", "§ 1", None, "bench")
                position += 1
                last = k == tenures - 1
                # The open version, closed when the tenure's end is recorded.
                rows.append(
                    (
                        *base,
                        day,
                        None,
                        day,
                        None,
                        None,
                        *ctx,
                        "MemberAppointed",
                        None,
                        position,
                        at,
                        None if last else closed,
                    )
                )
                if not last:
                    position += 1
                    rows.append(
                        (
                            *base,
                            day,
                            None,
                            day,
                            nxt,
                            None,
                            *ctx,
                            "MembershipEnded",
                            None,
                            position,
                            closed,
                            None,
                        )
                    )
                recorded = max(recorded, closed)
                day, at = nxt, closed
            last_day = max(last_day, day)
        ends[body] = (last_day, recorded)
    return rows, ends


def fill(runner: ProjectionRunner, rows: list[tuple]) -> None:
    views = runner.views
    with views.datastore.transaction(commit=True) as c:
        if views.dialect == POSTGRES:
            schema = views.datastore.schema
            with c.copy(f'COPY "{schema}".membership_versions ({COLUMNS}) FROM STDIN') as copy:
                for r in rows:
                    copy.write_row(r)
            c.execute(f'ANALYZE "{schema}".membership_versions')
            return

        def text(value: Any) -> Any:
            if isinstance(value, datetime):
                return sqlite_timestamp(value)
            if isinstance(value, date):
                return value.isoformat()
            return value

        converted = []
        for r in rows:
            r = [text(v) for v in r]
            if r[11] is None:
                r[11] = OPEN_DATE
            if r[22] is None:
                r[22] = OPEN_TIME
            converted.append(r)
        marks = ", ".join("?" * len(COLUMNS.split(",")))
        c.executemany(f"INSERT INTO membership_versions ({COLUMNS}) VALUES ({marks})", converted)
        c.execute("ANALYZE")


def raw_lookup(runner: ProjectionRunner, url: str) -> Callable[[str, date, datetime], int]:
    """The anchor: the same rows through the driver's own cursor, nothing else."""
    views = runner.views
    if views.dialect == POSTGRES:
        schema = views.datastore.schema
        conn = psycopg.connect(url, autocommit=True)
        sql = (
            f'SELECT * FROM "{schema}".membership_versions WHERE body_id = %s '
            "AND daterange(valid_from, valid_to, '[)') @> %s::date "
            "AND tstzrange(recorded_from, recorded_to, '[)') @> %s::timestamptz"
        )

        def pg(body: str, day: date, at: datetime) -> int:
            return len(conn.execute(sql, (body, day, at), prepare=True).fetchall())

        return pg
    import sqlite3

    conn = sqlite3.connect(views.datastore.pool.db_name)
    sql = (
        "SELECT * FROM membership_versions WHERE body_id = ? AND recorded_to > ? "
        "AND recorded_from <= ? AND valid_from <= ? AND valid_to > ?"
    )

    def lite(body: str, day: date, at: datetime) -> int:
        t, d = sqlite_timestamp(at), day.isoformat()
        return len(conn.execute(sql, (body, t, t, d, d)).fetchall())

    return lite


@contextmanager
def stores(store: str, server: str, workdir: str) -> Iterator[Callable[[str], StoreSettings]]:
    if store == "sqlite":
        yield lambda case: StoreSettings(os.path.join(workdir, f"{case}.sqlite"))
        return
    name = f"registry_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(f"{server}/{name}", autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")

        def make(case: str) -> StoreSettings:
            with psycopg.connect(f"{server}/{name}", autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{case}"')
            RAW_URLS[case] = f"{server}/{name}"
            return StoreSettings(f"{server}/{name}?schema={case}")

        yield make
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(
    store: str, make: Callable[[str], StoreSettings], sizes: list[int], n: int, depth: int
) -> None:
    with ExitStack() as stack:
        cases = []
        for size in sizes:
            settings = make(f"v{size}")
            registry = Registry(settings)
            stack.callback(registry.close)
            runner = ProjectionRunner(registry)
            stack.callback(runner.close)
            began = time.perf_counter()
            rows, ends = synthetic(size, depth, seed=size)
            fill(runner, rows)
            print(f"  {store} {len(rows):,} versions in {time.perf_counter() - began:.0f} s")
            cases.append((size, runner, ends, raw_lookup(runner, RAW_URLS.get(f"v{size}", ""))))
        rng = random.Random(7)
        timings: dict[tuple[int, str], list[float]] = {}
        returned: dict[int, list[int]] = {}
        for round_ in range(10):
            for size, runner, ends, raw in cases if round_ % 2 == 0 else cases[::-1]:
                bodies = list(ends)
                model = runner.memberships
                for _ in range(n // 10):
                    body = rng.choice(bodies)
                    last_day, last_at = ends[body]
                    day = START + timedelta(days=rng.randint(200, (last_day - START).days))
                    at = T0 + (last_at - T0) * rng.random() + timedelta(days=300)
                    b = uuid.UUID(body)
                    t0 = time.perf_counter_ns()
                    count = raw(body, day, at)
                    t1 = time.perf_counter_ns()
                    with runner.views.reading() as db:
                        t2 = time.perf_counter_ns()
                        got = model.members(db, b, day, at)
                        t3 = time.perf_counter_ns()
                    t4 = time.perf_counter_ns()
                    if round_ == 0 and len(got) != count:
                        raise AssertionError(f"members() found {len(got)}, raw {count}")
                    returned.setdefault(size, []).append(count)
                    for name, ns in (("raw", t1 - t0), ("members", t3 - t2), ("request", t4 - t1)):
                        timings.setdefault((size, name), []).append(ns / 1000)
            gc.collect()
        print(
            f"{'store':<8} {'versions':>9} {'rows':>5} | {'raw med':>7} | {'members med':>11} "
            f"{'x raw':>5} {'p99':>6} | {'request med':>11} {'x raw':>5}"
        )
        for size, *_ in cases:
            raw = statistics.median(timings[(size, "raw")])
            mem = timings[(size, "members")]
            req = statistics.median(timings[(size, "request")])
            p99 = statistics.quantiles(mem, n=100, method="inclusive")[98]
            rows = statistics.mean(returned[size])
            print(
                f"{store:<8} {size:>9,} {rows:>5.1f} | {raw:>7.0f} | "
                f"{statistics.median(mem):>11.0f} {statistics.median(mem) / raw:>5.2f} "
                f"{p99:>6.0f} | {req:>11.0f} {req / raw:>5.2f}"
            )
        if len(sizes) > 1:
            lo, hi = sizes[0], sizes[-1]
            ratio = statistics.median(timings[(hi, "members")]) / statistics.median(
                timings[(lo, "members")]
            )
            print(f"{store}: members median {hi:,} / {lo:,} versions = {ratio:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 1_000_000])
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--depth", type=int, default=DEPTH, help="versions per body")
    parser.add_argument(
        "--stores", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    parser.add_argument("--postgres", default=DEFAULT_SERVER)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="registry_bench_") as workdir:
        for store in args.stores:
            with stores(store, args.postgres, workdir) as make:
                measure(store, make, args.sizes, args.lookups, args.depth)
    print("Times in microseconds (medians); x raw: the median over the raw lookup's.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
