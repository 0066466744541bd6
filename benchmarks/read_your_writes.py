"""Read your writes: how long a query with `@atLeastPosition` waits after a mutation.

Starts `registry serve` as a real process (SQLite in a temporary directory, or PostgreSQL in
a temporary schema), imports the example minutes by mutation, then N times: appoints a person
for one day by mutation and at once asks for the body's members with
`@atLeastPosition(position: <the mutation's position>)`. The wait is that query's time minus
the median time of the same query once the read models are already there. Both in-process
projections (`registry serve`) and a projector in another process (`registry serve
--no-projections` beside `registry project`).

    .venv/bin/python benchmarks/read_your_writes.py            # N = 50, both stores
    .venv/bin/python benchmarks/read_your_writes.py --n 20 --store sqlite

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.graphql_http_audit import free_port

ROOT = Path(__file__).resolve().parents[1]
MINUTES = ROOT / "tests" / "import_cases" / "minutes.yaml"
SERVER = os.environ.get("REGISTRY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REGISTRY = str(Path(sys.executable).with_name("registry"))

IMPORT = "mutation($d: String!) { importMinutes(document: $d) { position } }"
IDS = """query($p: Int!) @atLeastPosition(position: $p) {
  bodies(name: "Styrgrupp") { edges { node { id } } }
  persons(name: "Ingmar") { edges { node { id } } } }"""
APPOINT = """mutation($body: ID!, $person: ID!, $day: Date!, $end: Date!) {
  appoint(bodyId: $body, source: {document: "Benchmark"},
          appointment: {personId: $person, start: $day, end: $end}) { position } }"""
MEMBERS = """query($body: ID!, $day: Date!, $p: Int!) @atLeastPosition(position: $p) {
  members(bodyId: $body, asOf: $day) { edges { node { personName } } } }"""


def graphql(client: httpx.Client, query: str, variables: dict) -> dict:
    answer = client.post("/graphql", json={"query": query, "variables": variables}).json()
    if "errors" in answer:
        raise SystemExit(f"refused: {answer['errors']}")
    return answer["data"]


@contextmanager
def process(args: list[str], workdir: Path, name: str) -> Iterator[None]:
    with (workdir / f"{name}.log").open("wb") as log:
        started = subprocess.Popen(
            [REGISTRY, *args], cwd=workdir, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield
    finally:
        started.terminate()
        started.wait(timeout=30)


@contextmanager
def store(kind: str, workdir: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield str(workdir / "registry.sqlite")
        return
    database = f"registry_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    with psycopg.connect(f"{SERVER}/{database}", autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    try:
        yield f"{SERVER}/{database}"
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def measure(kind: str, separate: bool, n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        url = stack.enter_context(store(kind, workdir))
        port = free_port()
        serve = ["serve", "--database", url, "--port", str(port)]
        if separate:
            serve.insert(1, "--no-projections")
            stack.enter_context(process(["project", "--database", url], workdir, "project"))
        stack.enter_context(process(serve, workdir, "serve"))
        client = stack.enter_context(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60))
        deadline = time.monotonic() + 120
        while True:
            try:
                client.get("/livez")
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        position = graphql(client, IMPORT, {"d": MINUTES.read_text()})["importMinutes"]["position"]
        for _ in range(100):  # a projector in another process may still be starting
            answer = client.post("/graphql", json={"query": IDS, "variables": {"p": position}})
            if "errors" not in answer.json():
                break
        ids = answer.json()["data"]
        body = ids["bodies"]["edges"][0]["node"]["id"]
        person = ids["persons"]["edges"][0]["node"]["id"]
        after_write, settled = [], []
        for i in range(n):
            day = date(2030, 1, 1) + timedelta(days=2 * i)
            variables = {
                "body": body,
                "person": person,
                "day": day.isoformat(),
                "end": (day + timedelta(days=1)).isoformat(),
            }
            written = graphql(client, APPOINT, variables)["appoint"]["position"]
            query = {"body": body, "day": day.isoformat(), "p": written}
            start = time.perf_counter()
            members = graphql(client, MEMBERS, query)["members"]["edges"]
            after_write.append(time.perf_counter() - start)
            assert any(m["node"]["personName"] == "Ingmar Ångman" for m in members)
            start = time.perf_counter()
            graphql(client, MEMBERS.replace("members(", "again: members("), query)
            settled.append(time.perf_counter() - start)
        base = statistics.median(settled)
        waits = sorted(max(0.0, t - base) for t in after_write)
        where = "projector in another process" if separate else "projections in process"
        print(
            f"{kind:8} {where:30} n={n}: query after write median "
            f"{statistics.median(after_write) * 1000:.1f} ms, same query settled "
            f"{base * 1000:.1f} ms, wait median {statistics.median(waits) * 1000:.1f} ms, "
            f"p90 {waits[int(0.9 * (n - 1))] * 1000:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="read-your-writes wait after a mutation")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    for kind in kinds:
        for separate in (False, True):
            measure(kind, separate, args.n)


if __name__ == "__main__":
    main()
