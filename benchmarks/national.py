"""National scale (issue 13): every figure of the issue's table on SQLite and PostgreSQL, each
beside its anchor measured in the same run, and peak RSS.

Builds a seeded, realistic national registry (benchmarks/national_data.py: 21 regions and
290 municipalities, bodies with seats and members, ten meetings a year with items and
decisions, membership churn, agreements with extensions and adoptions, funds and
allocations, assignments, corrected re-imports) through the real importer, once at the size
asked and once at a tenth of it (at most 10^4) for the flatness figures, and copies the log to
the other store with the chain's export and restore (the chain is verified). Then per store:

 1. projection catch-up from empty (all read models) in a process of its own, events/s,
    against reading and deserialising the same events; its peak RSS;
 2. appoint, and decide+appoint, through `Registry` against a raw append of the same events;
 3. examples/001 through the importer into a fresh store against a raw save of its events;
 4. "members of B on D as known at T" (`MembershipsReadModel.members`) against a raw
    indexed lookup of the same rows; large/small;
 5. the same over GraphQL over HTTP to a real `registry serve`: p50, p99;
 6. read your writes: a mutation, then a query with @atLeastPosition;
 7. a repeated query from the answer cache against a plain FastAPI route with the same
    bytes, 16 connections: throughput ratio, p99; the server's peak RSS;
 8. a nested and a flat query (answer cache off) against plain strawberry with its parser
    and validation caches over the same data in memory;
 9. three list queries at both sizes: time large/small.

    .venv/bin/python benchmarks/national.py                     # 2·10^4 events, both stores
    .venv/bin/python benchmarks/national.py --quick --events 3000 --stores sqlite
    .venv/bin/python benchmarks/national.py --events 1e6        # long: see benchmarks/README.md

PostgreSQL: temporary databases `registry_national_<random>_*` on --postgres (default
REGISTRY_TEST_POSTGRES or postgresql://postgres@127.0.0.1:5432), dropped at the end, also on
Ctrl-C or SIGTERM. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from benchmarks import national_figures as figures
from benchmarks.national_http import served
from benchmarks.national_stores import (
    COPY_LIMIT,
    DEFAULT_SERVER,
    Built,
    Store,
    build,
    copy,
    stores,
    verify,
)

ROOT = Path(__file__).resolve().parents[1]
LABEL = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def events_arg(text: str) -> int:
    return int(float(text))


def catch_up(*catching: Store) -> list[dict[str, Any]]:
    """Each store caught up from empty in turn, in one process of the benchmark's own."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.national_figures",
            "catch-up",
            *(s.url for s in catching),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"catch-up failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


STARTED = time.perf_counter()


def say(text: str) -> None:
    print(f"[{time.perf_counter() - STARTED:5.0f} s] {text}", flush=True)


def prepare(
    kind: str, args: argparse.Namespace, workdir: Path, made: dict, stack: ExitStack
) -> dict[str, Any]:
    """The small and large stores of one kind: built by the importer for the first kind,
    copied (export, verify, restore) for the others. `made` holds the first kind's builds;
    the stores are removed when `stack` closes (the end of the run, or Ctrl-C)."""
    r: dict[str, Any] = {"store": LABEL[kind]}
    kept = stack.enter_context(stores(kind, workdir, args.postgres))
    sized: list[tuple[Store, Built]] = []
    for size_name, events in (("small", args.small), ("large", args.events)):
        store = kept.new(size_name)
        if size_name in made and events <= COPY_LIMIT:
            built = copy(made[size_name][0], store, made[size_name][1], workdir)
        else:
            say(f"  {LABEL[kind]}: building {events:,} events ({size_name}) ...")
            built = build(store, events, args.seed)
        ok, seconds = verify(store)
        r[f"{size_name}_verified"] = ok
        say(
            f"  {LABEL[kind]} {size_name}: {built.events:,} events, {built.documents:,} "
            f"minutes ({built.corrections} corrected), {built.bodies} bodies, "
            f"{built.how} in {built.seconds:.0f} s; chain verified: {ok} ({seconds:.1f} s)"
        )
        sized.append((store, built))
        r[f"{size_name}_events"] = built.events
        r[f"{size_name}_built"] = built
    if not made:
        made.update({"small": sized[0], "large": sized[1]})
    r["sized"], r["kept"] = sized, kept
    return r


def measure(r: dict[str, Any], args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Every figure on one store kind (its stores made by `prepare`)."""
    quick = args.quick
    sized, kept = r.pop("sized"), r.pop("kept")
    say("  catch-up, small then large ...")
    r["catch_up_small"], r["catch_up_large"] = catch_up(sized[0][0], sized[1][0])
    large, large_built = sized[1]

    say("  lookups ...")
    small_l, large_l = figures.lookups(sized, 100 if quick else 2000, args.seed)
    r["lookup_small"], r["lookup_large"] = small_l, large_l

    say("  lists ...")
    r["lists"] = figures.lists(sized, 3 if quick else 9)

    say("  nested and flat queries against plain strawberry ...")
    r["plain"] = figures.nested_vs_plain(large, 3 if quick else 9)

    say("  served: GraphQL lookups, read your writes, answer cache under load ...")
    r["http"] = served(
        large,
        large_built,
        workdir,
        lookups=30 if quick else 500,
        writes=5 if quick else 30,
        load_s=0.5 if quick else 5.0,
        seed=args.seed,
    )

    say("  import of examples/001 ...")
    r["import"] = figures.import_minutes(kept, 2 if quick else 7)

    say("  command path ...")
    r["commands"] = figures.command_path(large, 10 if quick else 100)
    return r


def fmt(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def rows(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(figure, measured, anchor and ratio, target) for one store."""
    s = r["store"]
    out = []
    for size in ("small", "large"):
        c = r[f"catch_up_{size}"]
        rate = c["events"] / c["seconds"]
        anchor = c["events"] / c["anchor_seconds"]
        out.append(
            (
                f"1. catch-up from empty, {c['events']:,} events",
                f"{fmt(rate)} events/s",
                f"read+deserialise {fmt(anchor)}/s; cost {c['seconds'] / c['anchor_seconds']:.1f}x",
                "≥ 20,000 events/s",
            )
        )
    for case, c in r["commands"].items():
        out.append(
            (
                f"2. command path: {case} ({c['events']:.0f} event(s) a command)",
                f"{c['command_ms']:.2f} ms",
                f"raw append {c['raw_ms']:.2f} ms; {c['command_ms'] / c['raw_ms']:.1f}x",
                "≤ 1.5x",
            )
        )
    i = r["import"]
    target = "< 30 ms" if s == "SQLite" else "< 60 ms"
    out.append(
        (
            f"3. import examples/001 ({i['events']:.0f} events)",
            f"{i['import_ms']:.0f} ms",
            f"raw save {i['raw_ms']:.1f} ms; {i['import_ms'] / i['raw_ms']:.1f}x",
            target,
        )
    )
    ls, ll = r["lookup_small"], r["lookup_large"]
    m_small, m_large = figures.median(ls.members_us), figures.median(ll.members_us)
    raw_large = figures.median(ll.raw_us)
    out.append(
        (
            f"4. members of B on D at T, {r['large_events']:,} events",
            f"{m_large:.0f} µs (p99 {figures.p99(ll.members_us):.0f})",
            f"raw indexed {raw_large:.0f} µs; {m_large / raw_large:.1f}x; "
            f"{r['large_events'] / max(1, r['small_events']):.0f}x the events: {m_large / m_small:.2f}x "
            f"({len(ll.members_us) and ll.rows / len(ll.members_us):.1f} rows)",
            "≤ 1.5x raw, flat",
        )
    )
    h = r["http"]
    out.append(
        (
            "5. same over GraphQL/HTTP",
            f"p50 {h['graphql_p50_ms']:.1f} ms, p99 {h['graphql_p99_ms']:.1f} ms",
            f"in process {m_large / 1000:.2f} ms",
            "p50 < 2 ms, p99 < 5 ms",
        )
    )
    out.append(
        (
            "6. read your writes (mutation → @atLeastPosition)",
            f"{h['ryw_ms']:.1f} ms",
            f"same query settled {h['ryw_settled_ms']:.1f} ms",
            "< 5 ms",
        )
    )
    out.append(
        (
            f"7. answer cache vs plain route, 16 conns ({h['answer_bytes']:,} B)",
            f"{h['cached_rps']:.0f} req/s, p99 {h['cached_p99_ms']:.0f} ms",
            f"plain {h['plain_rps']:.0f} req/s, p99 {h['plain_p99_ms']:.0f} ms; "
            f"{h['cached_rps'] / h['plain_rps']:.2f}x, p99 {h['cached_p99_ms'] / h['plain_p99_ms']:.1f}x",
            "≥ 0.9x, p99 ≤ 2x",
        )
    )
    for name, p in r["plain"].items():
        out.append(
            (
                f"8. {name} query, uncached (answer {p['fields'] / 1000:.0f} kB)",
                f"{p['registry_ms']:.1f} ms",
                f"plain strawberry {p['plain_ms']:.1f} ms; {p['plain_ms'] / p['registry_ms']:.2f}x"
                + ("" if p["same_answer"] else " (answers differ)"),
                "≥ 1x",
            )
        )
    for name, (small_ms, large_ms) in r["lists"].items():
        out.append(
            (
                f"9. {name}",
                f"{large_ms:.1f} ms at {r['large_events']:,}",
                f"{small_ms:.1f} ms at {r['small_events']:,}; {large_ms / small_ms:.2f}x",
                "flat (≈ 1x)",
            )
        )
    c = r["catch_up_large"]
    out.append(
        (
            "10. peak RSS",
            f"catch-up {c['peak_rss_mib']:.0f} MiB",
            f"server under load {h['server_peak_rss_mib']:.0f} MiB",
            "< 1 GiB",
        )
    )
    return out


def print_table(results: list[dict[str, Any]]) -> None:
    print()
    print("| store | figure | measured | anchor (same run) | target |")
    print("|---|---|---|---|---|")
    for r in results:
        for figure, measured, anchor, target in rows(r):
            print(f"| {r['store']} | {figure} | {measured} | {anchor} | {target} |")
    print(flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events", type=events_arg, default=20_000, help="2e4 (default), 1e5, 1e6, 1e7"
    )
    parser.add_argument("--stores", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions of each figure")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--postgres", default=DEFAULT_SERVER, help="server URL, no database")
    args = parser.parse_args(argv)
    args.stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    if not args.stores or set(args.stores) - {"sqlite", "postgres"}:
        parser.error("--stores takes sqlite, postgres or both")
    args.small = max(500, min(10_000, args.events // 10))

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    began = time.perf_counter()
    say(
        f"national benchmark, {datetime.now():%Y-%m-%d %H:%M}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; {args.events:,} and "
        f"{args.small:,} events, seed {args.seed}"
    )
    if "postgres" in args.stores:
        with psycopg.connect(f"{args.postgres}/postgres") as conn:
            say(f"PostgreSQL {conn.info.server_version // 10000} at {args.postgres}")
    results = []
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="national_")))
        made: dict = {}
        prepared = [prepare(kind, args, workdir, made, stack) for kind in args.stores]
        for r in prepared:
            say(f"{r['store']}:")
            results.append(measure(r, args, workdir))
    print_table(results)
    say(
        f"load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
        f"total run time {time.perf_counter() - began:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
