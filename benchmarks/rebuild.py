"""`registry rebuild` figures on SQLite and PostgreSQL: how long a rebuild of every read model
takes (events/s) and, on PostgreSQL, how long writes wait at the switch (the event table's
write lock is held while the last events are applied and the pointer moves).

Builds N bodies with the history of benchmarks/graphql_reads.py through the real commands,
projects them, then rebuilds (PostgreSQL: a new generation beside the serving one, switched;
SQLite: in place in one transaction, during which writes wait for all of it).

    .venv/bin/python benchmarks/rebuild.py           # N = 200
    .venv/bin/python benchmarks/rebuild.py --quick   # N = 30

Prints figures; asserts nothing. PostgreSQL: a temporary database on the server given by
REGISTRY_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432), dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from benchmarks.graphql_reads import build
from projections.generations import rebuild_generation, rebuild_in_place
from projections.runner import ProjectionRunner
from registry.application import Registry
from registry.config import StoreSettings

SERVER = os.environ.get("REGISTRY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def measure(settings: StoreSettings, bodies: int) -> str:
    registry = Registry(settings)
    try:
        build(registry, bodies)
        runner = ProjectionRunner(registry)
        started = time.perf_counter()
        runner.catch_up()
        events = registry.max_position()
        first = events / (time.perf_counter() - started)
        started = time.perf_counter()
        if settings.is_postgres:
            done = rebuild_generation(registry, lambda g: ProjectionRunner(registry, generation=g))
            pause = f"writes waited {done.write_pause * 1000:.0f} ms at the switch"
        else:
            rebuild_in_place(registry, runner.views.read_models)
            pause = "writes waited for the whole rebuild"
        elapsed = time.perf_counter() - started
        runner.close()
        return (
            f"{events} events rebuilt in {elapsed:.2f} s ({events / elapsed:.0f} events/s; "
            f"the first catch-up: {first:.0f} events/s); {pause}"
        )
    finally:
        registry.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    bodies = 30 if parser.parse_args().quick else 200
    with tempfile.TemporaryDirectory() as scratch:
        print(f"SQLite, {bodies} bodies: {measure(StoreSettings(f'{scratch}/b.sqlite'), bodies)}")
    name = f"registry_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(f"{SERVER}/{name}", autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
        print(f"PostgreSQL, {bodies} bodies: {measure(StoreSettings(f'{SERVER}/{name}'), bodies)}")
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
