"""What the hash chain costs and how fast it is checked, on SQLite and PostgreSQL.

1. Write cost: the same commands with the chained recorder and with the library's plain one,
   in the same run, alternating rounds; prints events/s for each and the ratio.
2. Verify of N events (default 10^5): events/s of `verify_store` over the raw stored events.
3. Export of the whole log as ndjson and restore into an empty store (read, verify, write).

    .venv/bin/python benchmarks/chain.py [--events 100000] [--postgres URL | --no-postgres]

PostgreSQL: a temporary database on the server (default postgresql://postgres@127.0.0.1:5432)
is created and dropped.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from registry.application import Registry
from registry.audit import read_export, verify_export, verify_store, write_ndjson
from registry.config import StoreSettings
from registry.values import Context, Source

CTX = Context(actor="benchmark", source=Source("benchmark", None))


class Unchained(Registry):
    """The registry with the library's plain recorder: no links."""

    name = "Registry"  # the same events table
    chained = False


@contextmanager
def stores(kind: str, server: str, workdir: Path) -> Iterator[Callable[[str], StoreSettings]]:
    """A factory of fresh, empty stores of one kind (cleaned up afterwards)."""
    if kind == "sqlite":
        yield lambda label: StoreSettings(str(workdir / f"{label}-{uuid.uuid4().hex[:6]}.sqlite"))
        return
    name = f"registry_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:

        def make(label: str) -> StoreSettings:
            schema = f"{label}_{uuid.uuid4().hex[:6]}"
            with psycopg.connect(f"{server}/{name}", autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            return StoreSettings(f"{server}/{name}?schema={schema}")

        yield make
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def write_rounds(app: Registry, start: int, commands: int, per_unit: int) -> tuple[int, float]:
    """`commands` organisations registered, `per_unit` per atomic write; (events, seconds)."""
    began = time.perf_counter()
    n = start
    for _ in range(commands // per_unit):
        if per_unit == 1:
            app.register_organisation(f"Org {n}", "kommun", CTX)
            n += 1
            continue
        with app.unit_of_work():
            for _ in range(per_unit):
                app.register_organisation(f"Org {n}", "kommun", CTX)
                n += 1
    return n - start, time.perf_counter() - began


def bench_write_cost(make: Callable[[str], StoreSettings], commands: int, rounds: int) -> None:
    for per_unit in (1, 20):
        chained, plain = Registry(make("chained")), Unchained(make("plain"))
        rates: dict[str, list[float]] = {"chained": [], "plain": []}
        done = {"chained": 0, "plain": 0}
        try:
            for _ in range(rounds):  # alternate, so drift in the machine's load hits both
                for label, app in (("plain", plain), ("chained", chained)):
                    events, seconds = write_rounds(app, done[label], commands, per_unit)
                    done[label] += events
                    rates[label].append(events / seconds)
        finally:
            chained.close()
            plain.close()
        with_chain = statistics.median(rates["chained"])
        without = statistics.median(rates["plain"])
        print(
            f"  write, {per_unit:>2} events per save: {without:8.0f} events/s without the chain, "
            f"{with_chain:8.0f} with it: a write takes {without / with_chain:.2f}x as long"
        )


def fill(settings: StoreSettings, events: int) -> None:
    app = Registry(settings)
    try:
        write_rounds(app, 0, events, 500)
    finally:
        app.close()


def bench_log(make: Callable[[str], StoreSettings], events: int, workdir: Path) -> None:
    source = make("log")
    began = time.perf_counter()
    fill(source, events)
    print(f"  filled {events} events in {time.perf_counter() - began:.1f} s")
    app = Registry(source)
    try:
        began = time.perf_counter()
        report = verify_store(app.chain, None)
        seconds = time.perf_counter() - began
        assert report.ok and report.walk.events == events, report.findings
        print(f"  verify {events} events: {seconds:.2f} s, {events / seconds:,.0f} events/s")
        path = workdir / f"export-{uuid.uuid4().hex[:6]}.ndjson"
        began = time.perf_counter()
        with path.open("w", encoding="utf-8") as out:
            write_ndjson(app.chain, out)
        seconds = time.perf_counter() - began
        size = path.stat().st_size / 1e6
        print(
            f"  export {events} events: {seconds:.2f} s, {events / seconds:,.0f} events/s, {size:.1f} MB"
        )
    finally:
        app.close()
    target = Registry(make("restored"))
    try:
        began = time.perf_counter()
        export = read_export(path)
        read = time.perf_counter() - began
        verified = verify_export(export, None)
        assert verified.ok, verified.findings
        checked = time.perf_counter() - began
        target.chain.restore(export.events, export.checkpoints, export.meta)
        seconds = time.perf_counter() - began
        assert target.chain.chain_head() == (report.walk.head_position, report.walk.head_hash)
        print(
            f"  restore {events} events: {seconds:.2f} s ({read:.2f} s reading, "
            f"{checked - read:.2f} s verifying the file, {seconds - checked:.2f} s writing), "
            f"{events / seconds:,.0f} events/s (read models not included)"
        )
    finally:
        target.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--commands", type=int, default=400, help="commands per write round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    kinds = ["sqlite"] if args.no_postgres else ["sqlite", "postgres"]
    with tempfile.TemporaryDirectory(prefix="chain-bench-") as tmp:
        for kind in kinds:
            print(kind)
            with stores(kind, args.postgres, Path(tmp)) as make:
                bench_write_cost(make, args.commands, args.rounds)
                bench_log(make, args.events, Path(tmp))


if __name__ == "__main__":
    main()
