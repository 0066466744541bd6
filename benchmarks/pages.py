"""Page times at the examples' size: how long the web pages (api/pages/) take to answer.

Imports the four example files into a fresh SQLite store and a fresh PostgreSQL schema, runs
`registry serve` on each as a real process, and fetches every page type over HTTP on
127.0.0.1: the start page, a search, and each body, person (up to 40), agreement, decision,
meeting and fund of the examples, `--rounds` times each (after one warm-up round). Prints the
median and 95th percentile per page type and store, in milliseconds.

    .venv/bin/python benchmarks/pages.py              # 5 rounds
    .venv/bin/python benchmarks/pages.py --rounds 2 --stores sqlite

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
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from api.cli import EXAMPLES
from registry.application import Registry
from registry.config import StoreSettings
from registry.importing import import_file
from tests.served import RegistryProcess, registry_process

SERVER = os.environ.get("REGISTRY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def import_examples(settings: StoreSettings) -> None:
    registry = Registry(settings)
    try:
        for path in sorted(EXAMPLES.glob("*.yaml")):
            import_file(registry, path)
    finally:
        registry.close()


def wait_until_projected(server: RegistryProcess) -> None:
    while True:
        answer = server.graphql("{ projectionPosition ledger { currentPosition } }")
        if answer["projectionPosition"] >= answer["ledger"]["currentPosition"]:
            return
        time.sleep(0.2)


def paths(server: RegistryProcess) -> dict[str, list[str]]:
    """Every page of the examples, by page type."""
    answer = server.graphql(
        """{ bodies(first: 500) { nodes { id } } persons(first: 40) { nodes { id } }
             decisions(first: 500) { nodes { id } } meetings(first: 500) { nodes { id } }
             funds { nodes { id } }
             a: agreements(validOn: "2020-06-01", first: 500) { nodes { id } }
             b: agreements(validOn: "2022-06-01", first: 500) { nodes { id } } }"""
    )
    agreements = sorted({a["id"] for key in ("a", "b") for a in answer[key]["nodes"]})
    return {
        "start": ["/"],
        "search": ["/search?q=avtal"],
        "body": [f"/bodies/{b['id']}" for b in answer["bodies"]["nodes"]],
        "person": [f"/persons/{p['id']}" for p in answer["persons"]["nodes"]],
        "agreement": [f"/agreements/{a}" for a in agreements],
        "decision": [f"/decisions/{d['id']}" for d in answer["decisions"]["nodes"]],
        "meeting": [f"/meetings/{m['id']}" for m in answer["meetings"]["nodes"]],
        "fund": [f"/funds/{f['id']}" for f in answer["funds"]["nodes"]],
    }


def fetch(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        assert response.status == 200, (url, response.status)
    return time.perf_counter() - start


def measure(settings: StoreSettings, label: str, rounds: int) -> None:
    import_examples(settings)
    with (
        tempfile.TemporaryDirectory(prefix="bench-pages-") as scratch,
        registry_process("serve", "--database", settings.url, cwd=Path(scratch)) as server,
    ):
        wait_until_projected(server)
        pages = paths(server)
        for urls in pages.values():  # warm-up
            for path in urls:
                fetch(server.base + path)
        print(f"\n{label}: median and p95 per page, ms ({rounds} rounds)")
        print(f"  {'page':<10} {'pages':>5} {'median':>8} {'p95':>8}")
        for kind, urls in pages.items():
            times = [fetch(server.base + path) * 1000 for _ in range(rounds) for path in urls]
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(f"  {kind:<10} {len(urls):>5} {statistics.median(times):>8.1f} {p95:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--stores", default="sqlite,postgres")
    args = parser.parse_args()
    stores = args.stores.split(",")
    if "sqlite" in stores:
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as directory:
            measure(StoreSettings(str(Path(directory) / "pages.sqlite")), "SQLite", args.rounds)
    if "postgres" in stores:
        name = f"registry_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            measure(StoreSettings(f"{SERVER}/{name}"), "PostgreSQL", args.rounds)
        finally:
            with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
