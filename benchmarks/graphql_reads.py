"""GraphQL read figures on SQLite and PostgreSQL: nested queries over few and many rows.

For N bodies (each with 8 members, one meeting with 3 items and a decision per item that
establishes nothing but appoints nobody; plus one assignment), it times one nested query that
walks bodies → members → person → mandates → body and meetings → items → decisions → effects,
in process through the FastAPI app (no network), and counts the SQL statements it runs.

Batched loading means the statement count stays the same whatever N is, and the time per
body falls as N grows. Also reports projection catch-up over the whole log (events/s), now
that seven read models are fed from each event, and the same query answered again from the
answer cache (api/cache.py) while no event arrives.

    .venv/bin/python benchmarks/graphql_reads.py           # N = 10 and 100, 7 runs each
    .venv/bin/python benchmarks/graphql_reads.py --quick   # N = 5 and 25, 3 runs

Prints figures; asserts nothing. PostgreSQL: a temporary database on the server given by
REGISTRY_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432), dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from fastapi.testclient import TestClient

from api.app import create_app
from projections import sql
from projections.runner import ProjectionRunner
from registry.application import Appointment, Registry
from registry.config import StoreSettings
from registry.domain.meeting import AgendaItem
from registry.values import Context, DecisionKind, Role, Source

SERVER = os.environ.get("REGISTRY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
CTX = Context(actor="benchmark", source=Source("benchmark minutes", "§ 1"))

QUERY = """{
  bodies(first: 500) { totalCount nodes {
    name
    members(asOf: "2021-06-01") { personName role person { name
      mandates(asOf: "2021-06-01") { role body { name } } } }
  } }
  meetings(first: 500) { nodes { heldOn items { number title
    decisions { text status effects { type decision { item } } } } } }
  assignments(first: 500) { nodes { task overdue body { name } } }
}"""


def build(registry: Registry, bodies: int) -> None:
    region = registry.register_organisation("Region Bench", "region", CTX)
    for b in range(bodies):
        body = registry.register_body(
            f"Grupp {b:04d}", "styrgrupp", CTX, owner_organisation_ids=[region]
        )
        people = [
            registry.register_person(f"Person {b:04d}-{p}", CTX, organisation_id=region)
            for p in range(8)
        ]
        registry.appoint_many(
            body,
            [
                Appointment(pid, Role.CHAIR if n == 0 else Role.MEMBER, start=date(2021, 1, 1))
                for n, pid in enumerate(people)
            ],
            CTX,
        )
        meeting = registry.hold_meeting(
            body,
            date(2021, 3, 1),
            CTX,
            present=people[:6],
            items=[AgendaItem(str(i), f"Ärende {i}", (people[0],)) for i in range(1, 4)],
        )
        for i in range(1, 4):
            with registry.decide(
                body,
                date(2021, 3, 1),
                str(i),
                DecisionKind.DECIDED,
                f"Beslut {i}",
                CTX,
                meeting_id=meeting,
            ) as d:
                if i == 1:
                    registry.give_assignment(
                        body,
                        "person",
                        f"Person {b:04d}-1",
                        f"Uppdrag {b}",
                        d.context,
                        holder_id=people[1],
                        due_date=date(2021, 5, 1),
                        given_on=date(2021, 3, 1),
                    )


def measure(settings: StoreSettings, bodies: int, runs: int) -> dict[str, float]:
    registry = Registry(settings)
    build(registry, bodies)
    events = registry.max_position()
    runner = ProjectionRunner(registry)
    started = time.perf_counter()
    runner.catch_up()
    catch_up = time.perf_counter() - started
    runner.close()
    registry.close()

    app = create_app(settings, answer_cache=False)
    counted = {"n": 0}
    original = sql.Db.execute

    def counting(self, statement, params=None):  # type: ignore[no-untyped-def]
        counted["n"] += 1
        return original(self, statement, params)

    timings = []
    with TestClient(app) as client:
        app.state.runner.wait_for(app.state.registry.max_position())
        sql.Db.execute = counting  # type: ignore[method-assign]
        try:
            for _ in range(runs):
                counted["n"] = 0
                started = time.perf_counter()
                response = client.post("/graphql", json={"query": QUERY})
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200 and "errors" not in response.json(), (
                    response.text
                )
        finally:
            sql.Db.execute = original  # type: ignore[method-assign]
    cached = []
    with TestClient(create_app(settings)) as client:
        client.app.state.runner.wait_for(client.app.state.registry.max_position())
        client.post("/graphql", json={"query": QUERY})
        for _ in range(runs):
            started = time.perf_counter()
            client.post("/graphql", json={"query": QUERY})
            cached.append(time.perf_counter() - started)
    return {
        "cached_ms": statistics.median(cached) * 1000,
        "events": events,
        "events_per_s": events / catch_up,
        "median_ms": statistics.median(timings) * 1000,
        "statements": counted["n"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes, runs = ((5, 25), 3) if args.quick else ((10, 100), 7)
    database = f"registry_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        with psycopg.connect(f"{SERVER}/{database}", autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
        with tempfile.TemporaryDirectory() as tmp:
            for store in ("sqlite", "postgres"):
                figures = {}
                for n in sizes:
                    if store == "sqlite":
                        settings = StoreSettings(str(Path(tmp) / f"bench-{n}.sqlite"))
                    else:
                        schema = f"b{n}"
                        with psycopg.connect(f"{SERVER}/{database}", autocommit=True) as conn:
                            conn.execute(f'CREATE SCHEMA "{schema}"')
                        settings = StoreSettings(f"{SERVER}/{database}?schema={schema}")
                    figures[n] = measure(settings, n, runs)
                    f = figures[n]
                    print(
                        f"{store:8} N={n:4}: {f['events']:6} events, catch-up "
                        f"{f['events_per_s']:7.0f} events/s; nested query median "
                        f"{f['median_ms']:7.1f} ms ({f['median_ms'] / n:5.2f} ms/body), "
                        f"{f['statements']} SQL statements; repeated (answer cache) "
                        f"{f['cached_ms']:5.1f} ms"
                    )
                small, big = figures[sizes[0]], figures[sizes[1]]
                print(
                    f"{store:8} ratio N={sizes[1]}/N={sizes[0]}: time "
                    f"{big['median_ms'] / small['median_ms']:.2f}x for {sizes[1] / sizes[0]:.0f}x "
                    f"the rows; statements {big['statements']} vs {small['statements']}"
                )
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
