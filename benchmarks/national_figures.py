"""The in-process figures of the national benchmark, each beside its anchor.

`python -m benchmarks.national_figures catch-up URL` runs the catch-up in a process of its
own (so its peak RSS is the catch-up's, not the generator's) and prints JSON.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient

from api.app import create_app
from benchmarks.national_plain import plain_app, plain_schema
from benchmarks.national_stores import Built, Store, Stores
from projections.runner import ProjectionRunner
from registry.application import Appointment, Registry
from registry.config import StoreSettings
from registry.importing.importer import import_file
from registry.values import Context, DecisionKind, Role, Source

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "001-chefsgrupp-orebro-2020-02-07.yaml"
CTX = Context(actor="benchmark", source=Source("benchmark", "§ 1"))
LIST_DAY = "2023-06-01"

NESTED = """{
  bodies(first: 50) { nodes { name kind
    members(asOf: "2020-06-01") { personName role person { name } } } }
  meetings(first: 50) { nodes { heldOn items { number title
    decisions { item text kind decidedOn } } } }
}"""
FLAT = "{ decisions(first: 100) { nodes { item text kind decidedOn } } }"
LISTS = {
    "decisions by status on a date": (
        '{ decisions(statuses: [IN_FORCE], asOf: "%s", first: 20) { nodes { item text } } }'
    ),
    "assignments overdue": (
        '{ assignments(overdue: true, asOf: "%s", first: 20) { nodes { task dueDate } } }'
    ),
    "agreements by status": (
        '{ agreements(status: [IN_FORCE], validOn: "%s", first: 20) { nodes { title } } }'
    ),
}


def median(values: list[float]) -> float:
    return statistics.median(values)


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[98]


# -- 1. catch-up from empty, in a process of its own (small store first: the peak RSS is the
# large one's) ----------------------------------------------------------------------------------


def read_all(registry: Registry) -> int:
    """The anchor: every event read from the log and deserialised, nothing else."""
    position = count = 0
    while True:
        page = registry.recorder.select_notifications(
            start=position, limit=1000, inclusive_of_start=False
        )
        if not page:
            return count
        for n in page:
            registry.mapper.to_domain_event(n)
        count += len(page)
        position = page[-1].id


def catch_up_child(url: str) -> dict[str, Any]:
    registry = Registry(StoreSettings(url))
    began = time.perf_counter()
    read_all(registry)
    anchor = [time.perf_counter() - began]
    runner = ProjectionRunner(registry)
    began = time.perf_counter()
    events = runner.catch_up()
    seconds = time.perf_counter() - began
    began = time.perf_counter()
    read_all(registry)
    anchor.append(time.perf_counter() - began)
    runner.close()
    registry.close()
    return {
        "events": events,
        "seconds": seconds,
        "anchor_seconds": min(anchor),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# -- 4. members of B on D as known at T ---------------------------------------------------------


@dataclass
class Lookups:
    members_us: list[float] = field(default_factory=list)
    raw_us: list[float] = field(default_factory=list)
    rows: int = 0


def prepare_lookups(
    store: Store, built: Built, seed: int
) -> tuple[Callable[[], None], Lookups, Callable[[], None]]:
    """A function doing one timed lookup (members() whole, then the raw indexed lookup of
    the same rows by their event positions on the same cursor, order alternating)."""
    registry = Registry(store.settings)
    runner = ProjectionRunner(registry)
    with runner.views.reading() as db:
        body_ids = [
            uuid.UUID(r["body_id"])
            for r in db.rows("SELECT DISTINCT body_id FROM {s}membership_versions")
        ]
    rng = random.Random(seed)
    result = Lookups()
    span = (built.recorded_to - built.recorded_from).total_seconds()
    flip = [False]

    def raw(db: Any, positions: list[int]) -> int:
        if db.dialect == "postgres":
            statement = (
                f'SELECT * FROM "{db.schema}".membership_versions WHERE event_position = ANY(%s)'
            )
            db.cursor.execute(statement, (positions,))
            return len(db.cursor.fetchall())
        marks = ",".join("?" * len(positions))
        statement = f"SELECT * FROM membership_versions WHERE event_position IN ({marks})"
        db.cursor.execute(statement, positions)
        return len(db.cursor.fetchall())

    def lookup() -> None:
        while True:
            body = rng.choice(body_ids)
            as_of = date(2015, 6, 1) + timedelta(days=rng.randint(0, 9 * 365))
            known_at = built.recorded_from + timedelta(seconds=rng.uniform(span / 10, span))
            with runner.views.reading() as db:
                if flip[0]:
                    rows = runner.memberships.members(db, body, as_of, known_at)
                    if not rows:
                        continue
                    t0 = time.perf_counter_ns()
                    raw(db, [r.event_position for r in rows])
                    t1 = time.perf_counter_ns()
                    rows = runner.memberships.members(db, body, as_of, known_at)
                    t2 = time.perf_counter_ns()
                    raw_ns, members_ns = t1 - t0, t2 - t1
                else:
                    t0 = time.perf_counter_ns()
                    rows = runner.memberships.members(db, body, as_of, known_at)
                    t1 = time.perf_counter_ns()
                    if not rows:
                        continue
                    raw(db, [r.event_position for r in rows])
                    t2 = time.perf_counter_ns()
                    members_ns, raw_ns = t1 - t0, t2 - t1
            flip[0] = not flip[0]
            result.members_us.append(members_ns / 1000)
            result.raw_us.append(raw_ns / 1000)
            result.rows += len(rows)
            return

    def close() -> None:
        runner.close()
        registry.close()

    return lookup, result, close


def lookups(sized: list[tuple[Store, Built]], count: int, seed: int) -> list[Lookups]:
    """Lookups on each store (small and large), alternating in rounds."""
    prepared = [prepare_lookups(store, built, seed) for store, built in sized]
    try:
        for fn, result, _ in prepared:
            for _ in range(max(5, count // 10)):
                fn()
            result.members_us.clear()
            result.raw_us.clear()
            result.rows = 0
        for i in range(10):
            for fn, _, _ in prepared if i % 2 == 0 else prepared[::-1]:
                for _ in range(max(1, count // 10)):
                    fn()
        return [result for _, result, _ in prepared]
    finally:
        for _, _, close in prepared:
            close()


# -- 8 and 9: GraphQL in process ----------------------------------------------------------------


def _post(client: TestClient, query: str) -> tuple[float, Any]:
    began = time.perf_counter()
    response = client.post("/graphql", json={"query": query})
    seconds = time.perf_counter() - began
    body = response.json()
    if response.status_code != 200 or "errors" in body:
        raise SystemExit(f"GraphQL refused {query[:60]!r}: {response.text[:500]}")
    return seconds, body["data"]


def lists(sized: list[tuple[Store, Built]], runs: int) -> dict[str, list[float]]:
    """Medians (ms) of each list query per store, in process, answer cache off; runs
    alternate between the stores; each run's text differs (a comment) so nothing caches."""
    times: dict[str, list[list[float]]] = {k: [[] for _ in sized] for k in LISTS}
    apps = [create_app(store.settings, answer_cache=False) for store, _ in sized]
    clients = [TestClient(a) for a in apps]
    try:
        for c in clients:
            c.__enter__()
        for run in range(runs + 1):
            for i in range(len(clients)) if run % 2 else reversed(range(len(clients))):
                for name, query in LISTS.items():
                    seconds, _ = _post(clients[i], f"# {run}\n" + query % LIST_DAY)
                    if run:  # the first is a warm-up
                        times[name][i].append(seconds * 1000)
    finally:
        for c in clients:
            c.__exit__(None, None, None)
    return {name: [median(t) for t in per] for name, per in times.items()}


def nested_vs_plain(store: Store, runs: int) -> dict[str, dict[str, float]]:
    """Registry (answer cache off) against plain strawberry with the same data, in process
    through FastAPI, alternating; median ms of each."""
    found: dict[str, dict[str, float]] = {}
    with TestClient(create_app(store.settings, answer_cache=False)) as registry_client:
        _, nested = _post(registry_client, NESTED)
        _, flat = _post(registry_client, FLAT)
        with TestClient(plain_app(plain_schema(nested, flat))) as plain_client:
            for name, query, data in (("nested", NESTED, nested), ("flat", FLAT, flat)):
                _, plain_data = _post(plain_client, query)
                registry_ms, plain_ms = [], []
                for run in range(runs):
                    text = f"# {run}\n{query}"  # a new text: not the answer cache, either side
                    pair = [(registry_client, registry_ms), (plain_client, plain_ms)]
                    for client, into in pair if run % 2 else pair[::-1]:
                        into.append(_post(client, text)[0] * 1000)
                found[name] = {
                    "registry_ms": median(registry_ms),
                    "plain_ms": median(plain_ms),
                    "same_answer": float(plain_data == data),
                    "fields": float(len(json.dumps(data))),
                }
    return found


# -- 2. the command path against a raw append ---------------------------------------------------


def _copies(registry: Registry, after: int) -> list[StoredEvent]:
    """The events written since `after`, as new stored events of fresh originators."""
    page = registry.recorder.select_notifications(start=after, limit=100, inclusive_of_start=False)
    return [StoredEvent(uuid.uuid4(), n.originator_version, n.topic, n.state) for n in page]


def command_path(store: Store, count: int) -> dict[str, dict[str, float]]:
    """Appointments (and decide+appoint) through the plain `Registry` on a body of the built
    log, each followed by a raw append of copies of the events it wrote (one insert call,
    same number of events, fresh originator ids) on the same recorder."""
    registry = Registry(store.settings)
    try:
        runner = ProjectionRunner(registry)
        with runner.views.reading() as db:
            row = db.one(
                "SELECT body_id, count(*) AS n FROM {s}membership_versions "
                "GROUP BY body_id ORDER BY n DESC, body_id LIMIT 1"
            )
        runner.close()
        body = uuid.UUID(row["body_id"])  # type: ignore[index]
        persons = [
            registry.register_person(f"Bänkperson {uuid.uuid4().hex[:8]}", CTX)
            for _ in range(2 * count)
        ]
        found = {}
        for case in ("appoint", "decide+appoint"):
            command_ms, raw_ms = [], []
            for i in range(count):
                person = persons[i if case == "appoint" else count + i]
                day = date(2030, 1, 1) + timedelta(days=i + (0 if case == "appoint" else 5000))
                appointment = Appointment(
                    person, Role.MEMBER, start=day, end=day + timedelta(1), seat_unknown=True
                )
                before = registry.max_position()
                began = time.perf_counter()
                if case == "appoint":
                    registry.appoint(body, appointment, CTX)
                else:
                    with registry.decide(
                        body, day, f"B{i}", DecisionKind.DECIDED, "Ledamot väljs.", CTX
                    ) as d:
                        registry.appoint(body, appointment, d.context)
                command_ms.append((time.perf_counter() - began) * 1000)
                copies = _copies(registry, before)
                began = time.perf_counter()
                registry.recorder.insert_events(copies)
                raw_ms.append((time.perf_counter() - began) * 1000)
            found[case] = {
                "command_ms": median(command_ms),
                "raw_ms": median(raw_ms),
                "events": float(len(copies)),
            }
        return found
    finally:
        registry.close()


# -- 3. importing one meeting's minutes ---------------------------------------------------------


def import_minutes(stores: Stores, runs: int) -> dict[str, float]:
    """examples/001 through `import_file` into a fresh store, and a raw save of the same
    stored events (one insert call) into another fresh store; medians."""
    import_ms, raw_ms, events = [], [], 0
    for _ in range(runs):
        registry = Registry(stores.scratch("import"))
        try:
            began = time.perf_counter()
            import_file(registry, EXAMPLE)
            import_ms.append((time.perf_counter() - began) * 1000)
            page = registry.recorder.select_notifications(start=0, limit=10_000)
            saved = [
                StoredEvent(n.originator_id, n.originator_version, n.topic, n.state) for n in page
            ]
            events = len(saved)
        finally:
            registry.close()
        registry = Registry(stores.scratch("raw"))
        try:
            began = time.perf_counter()
            registry.recorder.insert_events(saved)
            raw_ms.append((time.perf_counter() - began) * 1000)
        finally:
            registry.close()
    return {"import_ms": median(import_ms), "raw_ms": median(raw_ms), "events": float(events)}


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "catch-up":  # the stores in turn, one process
        print(json.dumps([catch_up_child(url) for url in sys.argv[2:]]), flush=True)
    else:
        raise SystemExit("usage: python -m benchmarks.national_figures catch-up URL...")
