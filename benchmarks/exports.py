"""Export figures on SQLite and PostgreSQL: the Popolo and OParl documents of a registry of N
bodies (each with 8 members, a meeting of 3 items and 3 decisions: graphql_reads.py's data).

For each N it times the whole export streamed to a byte counter (objects/s, MB), and for OParl
the first and the last page of the person list (100 a page) through the app in process: the
last page costs about what the first does (keyset cursors), and both grow with the list (the
GraphQL list resolvers read the whole list, then take the page).

    .venv/bin/python benchmarks/exports.py           # N = 100 and 400
    .venv/bin/python benchmarks/exports.py --quick   # N = 20 and 80

Prints figures; asserts nothing. PostgreSQL: a temporary database on the server given by
REGISTRY_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432), dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from fastapi.testclient import TestClient
from graphql_reads import build

from api.app import create_app
from api.exports import ExportSource, build_export, json_chunks
from projections.runner import ProjectionRunner
from registry.application import Registry
from registry.config import StoreSettings

SERVER = os.environ.get("REGISTRY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
AS_OF = date(2021, 6, 1)


async def stream(fmt: str, source: ExportSource) -> tuple[int, int]:
    """Bytes and objects of one export, written to nowhere."""
    size = pieces = 0
    async for chunk in json_chunks(build_export(fmt, source, AS_OF)):
        size += len(chunk.encode())
        pieces += 1
    return size, pieces


def measure(settings: StoreSettings, bodies: int) -> dict[str, float]:
    registry = Registry(settings)
    build(registry, bodies)
    runner = ProjectionRunner(registry)
    runner.catch_up()
    figures: dict[str, float] = {"events": registry.max_position()}
    for fmt in ("popolo", "oparl"):
        started = time.perf_counter()
        size, pieces = asyncio.run(stream(fmt, ExportSource(runner, registry)))
        seconds = time.perf_counter() - started
        figures[f"{fmt}_s"] = seconds
        figures[f"{fmt}_objects_per_s"] = pieces / seconds
        figures[f"{fmt}_mb"] = size / 1e6
    runner.close()
    registry.close()
    with TestClient(create_app(settings, answer_cache=False)) as client:
        url = "/oparl/v1.1/body/registry/person?asOf=2021-06-01&limit=100"
        timings = []
        while url:
            started = time.perf_counter()
            page = client.get(url).json()
            timings.append(time.perf_counter() - started)
            url = page["links"].get("next")
    figures["pages"] = len(timings)
    figures["first_page_ms"] = timings[0] * 1000
    figures["last_page_ms"] = timings[-1] * 1000
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = (20, 80) if args.quick else (100, 400)
    database = f"registry_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        with psycopg.connect(f"{SERVER}/{database}", autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
        with tempfile.TemporaryDirectory() as tmp:
            for store in ("sqlite", "postgres"):
                for n in sizes:
                    if store == "sqlite":
                        settings = StoreSettings(str(Path(tmp) / f"bench-{n}.sqlite"))
                    else:
                        with psycopg.connect(f"{SERVER}/{database}", autocommit=True) as conn:
                            conn.execute(f'CREATE SCHEMA "b{n}"')
                        settings = StoreSettings(f"{SERVER}/{database}?schema=b{n}")
                    f = measure(settings, n)
                    print(
                        f"{store:8} N={n:4} ({f['events']:.0f} events): "
                        f"popolo {f['popolo_s']:5.2f} s {f['popolo_mb']:5.2f} MB "
                        f"{f['popolo_objects_per_s']:6.0f} objects/s; "
                        f"oparl {f['oparl_s']:5.2f} s {f['oparl_mb']:5.2f} MB "
                        f"{f['oparl_objects_per_s']:6.0f} objects/s; "
                        f"person list {f['pages']:.0f} pages, first "
                        f"{f['first_page_ms']:5.1f} ms, last {f['last_page_ms']:5.1f} ms"
                    )
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
