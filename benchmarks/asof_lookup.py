"""Read-side figures on SQLite and PostgreSQL: projection catch-up and as-of member lookups.

Builds two histories through the real `Registry` commands, each in its own fresh store:

- small: many bodies with short histories (appointments, some ended, ~10% corrected);
- deep: one body with a long history (successive tenures in 15 places: appointment, end,
  ~10% corrections), about 2,000 events on the same body by default.

Then, per store and case, it catches the projections up over the whole log once (events/s),
and times "members of body B on date D as known at T" (`MembershipsReadModel.members`) with
random B, D and T, T chosen among the recorded timestamps of B's events. The point is the
ratio deep/small per store: a lookup is an indexed query, not a replay, so it should not grow
much with the length of the history. D and T are drawn where the body has its full
composition, so both cases return about 14 members per lookup.

Building uses the library's aggregate cache (without it every command replays the body's
whole history, so building the deep case is quadratic). It changes only how the write side
loads aggregates, not the events written nor anything on the read side measured here.

    .venv/bin/python benchmarks/asof_lookup.py            # full run (about 20 s on 2 cores)
    .venv/bin/python benchmarks/asof_lookup.py --quick    # smaller histories, fewer lookups

PostgreSQL: a temporary database `registry_bench_<random>` on the server given by
`--postgres` (default REGISTRY_TEST_POSTGRES or postgresql://postgres@127.0.0.1:5432), one
schema per case, dropped at the end. This is a script that prints figures, not a test.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar
from uuid import UUID

import psycopg

from projections.runner import ProjectionRunner
from projections.sql import Db
from registry.application import Appointment, Registry
from registry.config import StoreSettings
from registry.values import Context, Role, Source

DEFAULT_SERVER = os.environ.get("REGISTRY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
CTX = Context(actor="benchmark", source=Source("benchmark minutes", "§ 1"))


class BenchRegistry(Registry):
    """The registry with the library's aggregate cache (no deep copies: no command here is
    refused, so a cached aggregate is never left half-changed)."""

    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "10000",
        "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
    }


@dataclass(frozen=True)
class Sizes:
    bodies: int
    members_per_body: int
    deep_appointments: int
    lookups: int
    warmup: int


FULL = Sizes(bodies=20, members_per_body=15, deep_appointments=960, lookups=2000, warmup=200)
QUICK = Sizes(bodies=10, members_per_body=15, deep_appointments=200, lookups=100, warmup=20)


@dataclass
class Held:
    """The benchmark's own note of a membership, to issue valid follow-up commands."""

    body_id: UUID
    membership_id: UUID
    person_id: UUID
    role: Role
    start: date
    end: date | None = None
    corrected: bool = False


@dataclass
class History:
    """What a case built: which bodies, the valid dates over which every body has its full
    composition, how many events each body has before that, the commands issued."""

    body_ids: list[UUID]
    first_day: date
    last_day: date
    composing_events: int
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1


def _day(rng: random.Random, low: date, high: date) -> date:
    return low + timedelta(days=rng.randint(0, (high - low).days))


def _correct(registry: Registry, held: Held, shift: int, history: History) -> None:
    held.start += timedelta(days=shift)
    held.corrected = True
    registry.correct_membership(
        held.body_id,
        held.membership_id,
        Appointment(held.person_id, held.role, start=held.start, end=held.end),
        "wrong start date in the minutes",
        CTX,
    )
    history.count("correct")


def build_small(registry: Registry, sizes: Sizes, rng: random.Random) -> History:
    """Many bodies, each with a few members: some ended, about 10% corrected."""
    history = History(
        [], date(2019, 12, 1), date(2023, 12, 31), composing_events=1 + sizes.members_per_body
    )
    persons = []
    for i in range(max(4 * sizes.members_per_body, 60)):
        persons.append(registry.register_person(f"Person {i:04d}", CTX))
        history.count("person")
    held: list[Held] = []
    for b in range(sizes.bodies):
        body_id = registry.register_body(f"Body {b:03d}", "styrgrupp", CTX)
        history.count("body")
        history.body_ids.append(body_id)
        for i, person_id in enumerate(rng.sample(persons, sizes.members_per_body)):
            role = Role.CHAIR if i == 0 else Role.VICE_CHAIR if i == 1 else Role.MEMBER
            role = Role.DEPUTY if i >= 10 else role
            start = _day(rng, date(2019, 1, 20), date(2019, 11, 1))
            m = registry.appoint(body_id, Appointment(person_id, role, start=start), CTX)
            history.count("appoint")
            held.append(Held(body_id, m, person_id, role, start))
    later = [("end", h) for h in rng.sample(held, len(held) // 5)]
    later += [("correct", h) for h in rng.sample(held, len(held) // 10)]
    rng.shuffle(later)
    for kind, h in later:
        if kind == "end":
            h.end = _day(rng, history.first_day, history.last_day)
            registry.end_membership(h.body_id, h.membership_id, h.end, CTX)
            history.count("end")
        else:
            _correct(registry, h, rng.choice([-15, -7, -1, 1, 7, 15]), history)
    return history


def build_deep(registry: Registry, sizes: Sizes, rng: random.Random) -> History:
    """One body, 15 places, each a chain of tenures (60-300 days): every change ends one
    membership and appoints the next; about 10% of memberships are corrected later."""
    places = 15
    start = date(2000, 1, 1)
    history = History([], first_day=start, last_day=start, composing_events=1 + places)
    body_id = registry.register_body("Deep body", "nämnd", CTX)
    history.count("body")
    history.body_ids.append(body_id)
    pools = []  # four persons per place, taking turns: a person's tenures never overlap
    for p in range(places):
        pools.append([])
        for k in range(4):
            pools[p].append(registry.register_person(f"Place {p:02d} person {k}", CTX))
            history.count("person")
    roles = [Role.CHAIR, Role.VICE_CHAIR] + [Role.MEMBER] * (places - 2)
    current: list[Held] = []
    recent: list[Held] = []
    for p in range(places):
        m = registry.appoint(body_id, Appointment(pools[p][0], roles[p], start=start), CTX)
        history.count("appoint")
        current.append(Held(body_id, m, pools[p][0], roles[p], start))
    changes = [(start + timedelta(days=rng.randint(60, 300)), p, 1) for p in range(places)]
    heapq.heapify(changes)
    appointed = places
    while appointed < sizes.deep_appointments:
        on, p, turn = heapq.heappop(changes)
        outgoing = current[p]
        outgoing.end = on
        registry.end_membership(body_id, outgoing.membership_id, on, CTX)
        history.count("end")
        person_id = pools[p][turn % 4]
        m = registry.appoint(body_id, Appointment(person_id, roles[p], start=on), CTX)
        history.count("appoint")
        appointed += 1
        current[p] = Held(body_id, m, person_id, roles[p], on)
        recent = [*recent[-60:], current[p]]
        history.last_day = on
        heapq.heappush(changes, (on + timedelta(days=rng.randint(60, 300)), p, turn + 1))
        if rng.random() < 0.1:  # a late correction of a recent membership, open or ended
            candidates = [h for h in recent if not h.corrected]
            if candidates:
                _correct(registry, rng.choice(candidates), rng.randint(1, 15), history)
    return history


# -- stores --------------------------------------------------------------------------------


@contextmanager
def sqlite_stores(workdir: str) -> Iterator[Callable[[str], StoreSettings]]:
    yield lambda case: StoreSettings(os.path.join(workdir, f"{case}.sqlite"))


@contextmanager
def postgres_stores(server: str) -> Iterator[Callable[[str], StoreSettings]]:
    name = f"registry_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    database = f"{server}/{name}"
    try:
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")

        def store(case: str) -> StoreSettings:
            with psycopg.connect(database, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{case}"')
            return StoreSettings(f"{database}?schema={case}")

        yield store
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- measuring -----------------------------------------------------------------------------


class TimedDb(Db):
    """The read transaction's Db, timing its queries: `members()` runs one, so this is the
    SQL part of a lookup (execute, fetch, rows as dicts) apart from building the results."""

    def __init__(self, db: Db) -> None:
        super().__init__(db.cursor, db.dialect, db.schema)
        self.elapsed_ns = 0

    def rows(self, statement, params=None):  # type: ignore[no-untyped-def]
        began = time.perf_counter_ns()
        try:
            return super().rows(statement, params)
        finally:
            self.elapsed_ns += time.perf_counter_ns() - began


@dataclass
class Result:
    store: str
    case: str
    log_events: int
    body_events: float
    versions_per_body: float
    build_s: float
    commands: dict[str, int]
    catch_up_events: int
    catch_up_s: float
    rows: int = 0
    sql_us: list[float] = field(default_factory=list)
    query_us: list[float] = field(default_factory=list)
    request_us: list[float] = field(default_factory=list)

    def record(self, sql_us: float, query_us: float, request_us: float, rows: int) -> None:
        self.sql_us.append(sql_us)
        self.query_us.append(query_us)
        self.request_us.append(request_us)
        self.rows += rows

    @property
    def rows_per_lookup(self) -> float:
        return self.rows / len(self.query_us)

    @staticmethod
    def median(values: list[float]) -> float:
        return statistics.median(values)

    @staticmethod
    def p99(values: list[float]) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[98]


Lookup = Callable[[], tuple[float, float, float, int]]


def body_timestamps(registry: Registry, body_ids: list[UUID]) -> dict[UUID, list[datetime]]:
    """The recorded timestamps of each body's events, read from the event log."""
    wanted = set(body_ids)
    found: dict[UUID, list[datetime]] = {b: [] for b in body_ids}
    position = 0
    while True:
        page = registry.recorder.select_notifications(
            start=position, limit=1000, inclusive_of_start=False
        )
        if not page:
            return found
        for n in page:
            if n.originator_id in wanted:
                found[n.originator_id].append(registry.mapper.to_domain_event(n).timestamp)
        position = page[-1].id


def prepare(
    stack: ExitStack,
    store: str,
    case: str,
    settings: StoreSettings,
    builder: Callable[[Registry, Sizes, random.Random], History],
    sizes: Sizes,
    seed: int,
) -> tuple[Result, Lookup]:
    """Build the case's history, catch the projections up once (timed), and return the
    result so far with a function doing one timed lookup."""
    registry = BenchRegistry(settings)
    stack.callback(registry.close)
    began = time.perf_counter()
    history = builder(registry, sizes, random.Random(seed))
    build_s = time.perf_counter() - began

    runner = ProjectionRunner(registry)
    stack.callback(runner.close)
    began = time.perf_counter()
    caught_up = runner.catch_up()
    catch_up_s = time.perf_counter() - began

    stamps = body_timestamps(registry, history.body_ids)
    with runner.views.reading() as db:
        versions = [
            db.one(
                "SELECT count(*) AS n FROM {s}membership_versions WHERE body_id = :b",
                {"b": b},
            )["n"]  # type: ignore[index]
            for b in history.body_ids
        ]
    result = Result(
        store=store,
        case=case,
        log_events=registry.max_position(),
        body_events=sum(len(s) for s in stamps.values()) / len(stamps),
        versions_per_body=sum(versions) / len(versions),
        build_s=build_s,
        commands=history.counts,
        catch_up_events=caught_up,
        catch_up_s=catch_up_s,
    )

    # D and T where the body has its full composition (its initial appointments are all
    # recorded and in force), so both cases return about as many rows; the same B and D
    # on both stores, T among the store's own recorded timestamps of B's events.
    rng = random.Random(seed * 7919 + len(case))
    first = history.composing_events - 1

    def lookup() -> tuple[float, float, float, int]:
        body_id = rng.choice(history.body_ids)
        as_of = _day(rng, history.first_day, history.last_day + timedelta(days=365))
        known_at = rng.choice(stamps[body_id][first:])
        t0 = time.perf_counter_ns()
        with runner.views.reading() as db:
            timed = TimedDb(db)
            t1 = time.perf_counter_ns()
            rows = runner.memberships.members(timed, body_id, as_of, known_at)
            t2 = time.perf_counter_ns()
        t3 = time.perf_counter_ns()
        return timed.elapsed_ns / 1000, (t2 - t1) / 1000, (t3 - t0) / 1000, len(rows)

    return result, lookup


CASES = [("small", build_small), ("deep", build_deep)]


def measure_store(
    store: str, new_store: Callable[[str], StoreSettings], sizes: Sizes, seed: int
) -> list[Result]:
    """Both cases on one store; their lookups alternate in rounds, so that load from other
    processes on a shared machine falls on both alike."""
    with ExitStack() as stack:
        prepared = []
        for case, builder in CASES:
            result, lookup = prepare(stack, store, case, new_store(case), builder, sizes, seed)
            commands = ", ".join(f"{n} {kind}" for kind, n in result.commands.items())
            print(
                f"  {store}/{case}: built {result.log_events} events ({commands}) in "
                f"{result.build_s:.1f} s, caught up {result.catch_up_events} in "
                f"{result.catch_up_s:.2f} s",
                flush=True,
            )
            prepared.append((result, lookup))
        for _, lookup in prepared:
            for _ in range(sizes.warmup):
                lookup()
        gc.collect()
        rounds = 10
        for i in range(rounds):
            count = sizes.lookups * (i + 1) // rounds - sizes.lookups * i // rounds
            for result, lookup in prepared if i % 2 == 0 else prepared[::-1]:
                for _ in range(count):
                    result.record(*lookup())
        return [result for result, _ in prepared]


def print_table(results: list[Result]) -> None:
    med, p99 = Result.median, Result.p99
    header = (
        f"{'store':<8} {'case':<5} {'log ev':>6} {'ev/body':>7} {'catch-up ev/s':>13} "
        f"{'rows':>4} | {'sql med':>7} {'p99':>6} | {'members med':>11} {'p99':>6} | "
        f"{'request med':>11} {'p99':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.store:<8} {r.case:<5} {r.log_events:>6} {r.body_events:>7.0f} "
            f"{r.catch_up_events / r.catch_up_s:>13,.0f} {r.rows_per_lookup:>4.1f} | "
            f"{med(r.sql_us):>7.0f} {p99(r.sql_us):>6.0f} | "
            f"{med(r.query_us):>11.0f} {p99(r.query_us):>6.0f} | "
            f"{med(r.request_us):>11.0f} {p99(r.request_us):>6.0f}"
        )
    print()
    by = {(r.store, r.case): r for r in results}
    for store in dict.fromkeys(r.store for r in results):
        small, deep = by.get((store, "small")), by.get((store, "deep"))
        if small and deep:
            print(
                f"{store}: deep/small ratio (history per body "
                f"{deep.versions_per_body / small.versions_per_body:.0f}x): "
                f"sql median {med(deep.sql_us) / med(small.sql_us):.2f}, "
                f"members median {med(deep.query_us) / med(small.query_us):.2f} "
                f"(p99 {p99(deep.query_us) / p99(small.query_us):.2f}), "
                f"request median {med(deep.request_us) / med(small.request_us):.2f}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller histories, fewer lookups")
    parser.add_argument("--lookups", type=int, help="timed lookups per store and case")
    parser.add_argument("--deep-appointments", type=int, help="appointments in the deep body")
    parser.add_argument(
        "--stores", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    parser.add_argument("--postgres", default=DEFAULT_SERVER, help="server URL, no database")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    sizes = Sizes(
        bodies=sizes.bodies,
        members_per_body=sizes.members_per_body,
        deep_appointments=args.deep_appointments or sizes.deep_appointments,
        lookups=args.lookups or sizes.lookups,
        warmup=sizes.warmup,
    )
    if sizes.lookups < 2:
        parser.error("--lookups must be at least 2")

    began = time.perf_counter()
    print(
        f"as-of lookup benchmark, {datetime.now():%Y-%m-%d %H:%M}, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs"
    )
    print(
        f"small: {sizes.bodies} bodies x {sizes.members_per_body} members; deep: one body, "
        f"{sizes.deep_appointments} appointments; {sizes.lookups} lookups after "
        f"{sizes.warmup} warm-up per store and case"
    )
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="registry_bench_") as workdir:
        for store in args.stores:
            opener = sqlite_stores(workdir) if store == "sqlite" else postgres_stores(args.postgres)
            with opener as new_store:
                if store == "postgres":
                    with psycopg.connect(f"{args.postgres}/postgres") as conn:
                        print(
                            f"PostgreSQL {conn.info.server_version // 10000}.x at {args.postgres}"
                        )
                results += measure_store(store, new_store, sizes, args.seed)
    print()
    print_table(results)
    print()
    print(
        "log ev: events in the log (all caught up once); ev/body: events recorded on a "
        "looked-up body; rows: members returned per lookup; sql: the query inside members(); "
        "members: members() whole (query + result rows); request: read transaction + "
        "members(), as the API does. Times in microseconds."
    )
    print(f"total run time {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
