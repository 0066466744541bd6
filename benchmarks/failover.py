"""Projection failover on PostgreSQL: how long until a standby runner takes over from a
leader killed with SIGKILL in the middle of a batch.

Two `registry project` processes run against one store while this process imports generated
minutes files (tests/generated_minutes.py, about 38 events each) without pause. Each round
waits for a batch in progress (a transaction that has written the tracking row), kills the
leader's process with SIGKILL and starts a new runner (so two always run), and measures from
the kill until

- **lock**: another runner holds the leadership lock (projections/leadership.py; standbys
  try every 0.5 s, the runner's poll interval), and
- **moves on**: the tracked position passes the one before the kill (the new leader has
  committed its first batch, 500 events at most).

    .venv/bin/python benchmarks/failover.py              # 10 kills
    .venv/bin/python benchmarks/failover.py --kills 20

Prints figures; asserts nothing but that the runners caught up. PostgreSQL: a temporary
database on the server given by --postgres or REGISTRY_TEST_POSTGRES (default
postgresql://postgres@127.0.0.1:5432), dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from registry.application import Registry  # noqa: E402
from registry.config import StoreSettings  # noqa: E402
from registry.importing import import_file  # noqa: E402
from tests.generated_minutes import write_minutes  # noqa: E402
from tests.multiprocess import (  # noqa: E402
    Processes,
    backend_alive,
    batch_in_progress,
    last_event,
    leader,
    runners_polling,
    tracked_position,
    wait_until,
)


def writer(settings: StoreSettings, directory: Path, stop: threading.Event) -> None:
    registry = Registry(settings)
    try:
        number = 0
        while not stop.is_set():
            (path,) = write_minutes(directory, "bench", 1, start=number)
            import_file(registry, path)
            number += 1
    finally:
        registry.close()


def run(server: str, kills: int) -> None:
    database = f"registry_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        with psycopg.connect(f"{server}/{database}", autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
            conn.execute("CREATE SCHEMA failover")
        settings = StoreSettings(f"{server}/{database}?schema=failover")
        Registry(settings).close()  # the event store's tables
        with tempfile.TemporaryDirectory(prefix="registry-failover-") as scratch:
            measure(settings, Path(scratch), kills)
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def measure(settings: StoreSettings, scratch: Path, kills: int) -> None:
    processes = Processes(settings, scratch / "logs")
    stop = threading.Event()
    thread = threading.Thread(target=writer, args=(settings, scratch / "minutes", stop))
    lock: list[float] = []
    moved: list[float] = []
    cut = 0
    try:
        runners = [processes.start("project") for _ in range(2)]
        wait_until(lambda: leader(settings), 120, "a leader")
        thread.start()
        for round_ in range(kills):
            current = wait_until(lambda: leader(settings), 120, "a leader")
            killed = next(p for p in runners if p.pid == current.pid)
            # Measure a standby that is up: the runner started last round polls the lock.
            wait_until(
                lambda: {p.pid for p in runners} <= runners_polling(settings), 120, "a standby"
            )
            batch = wait_until(lambda: batch_in_progress(settings), 120, "a batch")
            before = tracked_position(settings)
            killed.send_signal(signal.SIGKILL)
            start = time.monotonic()
            wait_until(lambda b=batch: not backend_alive(settings, b), 30, "the batch to end")
            cut += tracked_position(settings) == before
            wait_until(
                lambda old=current.pid: (found := leader(settings)) and found.pid != old,
                60,
                "a new leader",
            )
            lock.append(time.monotonic() - start)
            wait_until(lambda b=before: tracked_position(settings) > b, 120, "progress")
            moved.append(time.monotonic() - start)
            killed.wait(timeout=30)
            runners.remove(killed)
            runners.append(processes.start("project"))
            print(
                f"kill {round_ + 1:2}: lock after {lock[-1]:.2f} s, "
                f"position moves on after {moved[-1]:.2f} s",
                flush=True,
            )
        stop.set()
        thread.join()
        wait_until(lambda: tracked_position(settings) >= last_event(settings), 600, "the catch-up")
    finally:
        stop.set()
        processes.stop_all()
    print(
        f"\n{kills} SIGKILLs of the leader ({cut} cut a batch before its commit), "
        f"{last_event(settings)} events, all projected:\n"
        f"  standby holds the lock:  median {statistics.median(lock):.2f} s, "
        f"max {max(lock):.2f} s\n"
        f"  position moves on:       median {statistics.median(moved):.2f} s, "
        f"max {max(moved):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("REGISTRY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432"),
    )
    args = parser.parse_args()
    run(args.postgres, args.kills)


if __name__ == "__main__":
    main()
