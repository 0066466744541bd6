"""Helpers for tests and benchmarks that run the registry as several real processes on one
PostgreSQL store: starting `registry` commands, waiting for them, asking them over HTTP, and
looking at the projection's leader, position and batches from the server's side."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import psycopg

from projections.leadership import Leader, current_leader
from projections.runner import ProjectionRunner
from projections.sql import POSTGRES
from registry.application import Registry
from registry.config import StoreSettings
from registry.store_setup import connection_arguments

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
TRACKING_TABLE = f"{ProjectionRunner.name.lower()}_tracking"
EVENTS_TABLE = f"{Registry.name.lower()}_events"


def registry_command() -> list[str]:
    """The `registry` console script of the Python running the tests (this checkout)."""
    script = Path(sys.executable).with_name("registry")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from api.cli import app; app()"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """`registry` processes started by a test, each with its output in a log file; all
    stopped (SIGKILL if need be) by `stop_all`."""

    def __init__(self, settings: StoreSettings, logs: Path) -> None:
        self.settings = settings
        self.logs = logs
        self.started: list[subprocess.Popen] = []
        logs.mkdir(parents=True, exist_ok=True)

    def start(self, *args: str) -> subprocess.Popen:
        log = self.logs / f"{len(self.started):03}-{args[0]}.log"
        # Each process keeps two connection pools (the event store's and the read models');
        # at the library's default of 5 idle connections each, the tests' processes alone
        # would take most of the server's max_connections (100).
        env = {
            **os.environ,
            "REGISTRY_DATABASE": self.settings.url,
            "POSTGRES_POOL_SIZE": os.environ.get("POSTGRES_POOL_SIZE", "1"),
        }
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*registry_command(), *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        process.log = log  # type: ignore[attr-defined]
        self.started.append(process)
        return process

    def serve(self, *options: str) -> tuple[subprocess.Popen, int]:
        port = free_port()
        return self.start("serve", "--port", str(port), *options), port

    def output(self, process: subprocess.Popen) -> str:
        return process.log.read_text("utf-8", errors="replace")  # type: ignore[attr-defined]

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 15
        for process in self.started:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until(condition: Callable[[], T], timeout: float, what: str, interval: float = 0.02) -> T:
    """Poll `condition` until it returns something true; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def get(port: int, path: str, timeout: float = 30) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")


def graphql(port: int, query: str, timeout: float = 60) -> dict[str, Any]:
    """POST `query` to one API process; its data. Fails on any status but 200 or any error."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        assert response.status == 200, response.status
        body = json.loads(response.read())
    assert not body.get("errors"), body["errors"]
    return body["data"]


def healthy(port: int, process: subprocess.Popen) -> bool:
    """True once the API process answers /healthz; fails if it exited."""
    assert process.poll() is None, f"the process on port {port} exited with {process.returncode}"
    try:
        return get(port, "/healthz", timeout=2)[0] == 200
    except OSError:
        return False


def connect(settings: StoreSettings) -> psycopg.Connection:
    return psycopg.connect(**connection_arguments(settings), autocommit=True)


def leader(settings: StoreSettings) -> Leader | None:
    return current_leader(settings, ProjectionRunner.name)


def runners_polling(settings: StoreSettings) -> set[int]:
    """The process ids of the projection runners that have connected for the leadership (the
    leader and the standbys ready to take over), from their connections' application names."""
    with connect(settings) as c:
        names = c.execute(
            "SELECT application_name FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name LIKE %s",
            ("registry projections %",),
        ).fetchall()
    return {Leader(name, 0).pid for (name,) in names} - {None}  # type: ignore[misc]


def tracked_position(settings: StoreSettings) -> int:
    with connect(settings) as c:
        row = c.execute(
            f'SELECT notification_id FROM "{settings.postgres_schema}".{TRACKING_TABLE} '
            "WHERE application_name = %s",
            (Registry.name,),
        ).fetchone()
    return row[0] if row else 0


def last_event(settings: StoreSettings) -> int:
    with connect(settings) as c:
        row = c.execute(
            f'SELECT max(notification_id) FROM "{settings.postgres_schema}".{EVENTS_TABLE}'
        ).fetchone()
    return row[0] or 0


def batch_in_progress(settings: StoreSettings) -> int | None:
    """The server process of a transaction that is applying a batch now (it has written the
    tracking row and not committed: a batch writes the tracking row first), or None."""
    with connect(settings) as c:
        row = c.execute(
            "SELECT l.pid FROM pg_locks l WHERE l.granted AND l.mode = 'RowExclusiveLock' "
            "AND l.relation = to_regclass(%s)",
            (f'"{settings.postgres_schema}".{TRACKING_TABLE}',),
        ).fetchone()
    return row[0] if row else None


def backend_alive(settings: StoreSettings, backend_pid: int) -> bool:
    with connect(settings) as c:
        return bool(
            c.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (backend_pid,)).fetchone()
        )


def read_model_tables(runner: ProjectionRunner) -> list[str]:
    """The tables the runner's read models create (from their declarations)."""
    return [t for model in runner.views.read_models for t in model.schema.table_names(POSTGRES)]


# Columns whose values depend on how often a sequence was drawn from, not on the events: a
# batch rolled back (its leader killed) burns the sequence values it drew.
TECHNICAL_COLUMNS = {"version_id"}


def without_snapshot_time(state: str) -> str:
    """A snapshot's state without the moment the snapshot was taken (the wall clock of the
    runner that took it; everything else in it comes from the events)."""
    value = json.loads(state)
    value.pop("timestamp", None)
    return json.dumps(value, sort_keys=True)


def table_rows(settings: StoreSettings, table: str) -> list[tuple]:
    """Every row of `table` without its technical parts (sequence numbers, the time a
    snapshot was taken), in the order of its version ids where it has them (the order the
    versions were recorded in), else sorted."""
    schema = settings.postgres_schema
    with connect(settings) as c:
        columns = [
            r[0]
            for r in c.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                (schema, table),
            )
        ]
        kept = [col for col in columns if col not in TECHNICAL_COLUMNS]
        select = ", ".join(f'"{col}"::text' for col in kept)
        order = "version_id" if "version_id" in columns else "1"
        rows = [
            tuple(r)
            for r in c.execute(f'SELECT {select} FROM "{schema}"."{table}" ORDER BY {order}')
        ]
    if table.endswith("_snapshots"):
        state = kept.index("state")
        rows = [(*r[:state], without_snapshot_time(r[state]), *r[state + 1 :]) for r in rows]
    return rows if "version_id" in columns else sorted(rows, key=repr)


def copy_events(source: StoreSettings, target: StoreSettings) -> int:
    """Copy the stored events of `source` into the (empty, set up) store of `target`, with
    their positions; how many."""
    with connect(source) as c:
        count = c.execute(
            f'INSERT INTO "{target.postgres_schema}".{EVENTS_TABLE} '
            "(originator_id, originator_version, topic, state, notification_id) "
            "SELECT originator_id, originator_version, topic, state, notification_id "
            f'FROM "{source.postgres_schema}".{EVENTS_TABLE} ORDER BY notification_id'
        ).rowcount
        # The events' hash-chain links too: the projections refuse an event without one.
        c.execute(
            f'INSERT INTO "{target.postgres_schema}".event_chain '
            f'SELECT * FROM "{source.postgres_schema}".event_chain'
        )
    return count
