"""The projection runner's heartbeat: one row per runner in the store, so that any process
behind the same store (an API started with --no-projections) can tell whether some runner is
alive and keeping the read models current.

    projection_heartbeat(name, holder, position, beat_at)

`beat(runner)` is called by the runner after each pass of its loop and writes at most once a
second. `beat_at` is the store's clock (PostgreSQL `clock_timestamp()`; on SQLite, which is
one machine's file, that machine's clock), and ages are computed by the store too, so clocks
of different machines never meet. `holder` names the process (host and pid) for operators
who query the table; it is never shown in HTTP answers.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from projections.sql import POSTGRES, Db
from projections.tables import Table

TABLE = "projection_heartbeat"
MIN_INTERVAL = 1.0  # seconds between writes of one runner; readiness allows several missed

_SQLITE_NOW = "((julianday('now') - 2440587.5) * 86400.0)"
_POSTGRES_NOW = "extract(epoch from clock_timestamp())"

HOLDER = f"{socket.gethostname()}:{os.getpid()}"


def _now(dialect: str) -> str:
    return _POSTGRES_NOW if dialect == POSTGRES else _SQLITE_NOW


# Runtime state, not derived from events: created beside the read models, never rebuilt.
_TABLE = Table(TABLE, "name text, holder text!, position bigint!, beat_at real!", key=["name"])


@dataclass(frozen=True)
class Beat:
    """The latest heartbeat of one runner name: how old it is (seconds, by the store's clock)
    and the position it had projected."""

    holder: str
    position: int
    age: float


class _State:
    def __init__(self) -> None:
        self.last = 0.0
        self.created = False
        self.lock = threading.Lock()


_states: weakref.WeakKeyDictionary[Any, _State] = weakref.WeakKeyDictionary()
_states_lock = threading.Lock()


def _state(runner: Any) -> _State:
    with _states_lock:
        state = _states.get(runner)
        if state is None:
            state = _states[runner] = _State()
        return state


def _db(views: Any, cursor: Any) -> Db:
    return Db(cursor, views.dialect, getattr(views.datastore, "schema", "public") or "public")


def ensure_table(views: Any) -> None:
    """Create the heartbeat table if it is not there (both stores; idempotent)."""
    try:
        with views.datastore.transaction(commit=True) as cursor:
            _db(views, cursor).script(_TABLE.ddl(views.dialect))
    except Exception:
        # Two runners starting together on PostgreSQL can both try to create it, and one
        # fails on the catalogue's unique index: fine, as long as the table is there now.
        if not _exists(views):
            raise


def beat(runner: Any, force: bool = False) -> None:
    """Record that `runner` (a ProjectionRunner) is alive at its current position. Writes at
    most once per MIN_INTERVAL unless `force`."""
    state = _state(runner)
    now = time.monotonic()
    with state.lock:
        if not force and now - state.last < MIN_INTERVAL:
            return
        views = runner.views
        if not state.created:
            ensure_table(views)
            state.created = True
        position = runner.position()
        with views.datastore.transaction(commit=True) as cursor:
            db = _db(views, cursor)
            db.execute(
                f"INSERT INTO {{s}}{TABLE} (name, holder, position, beat_at) "
                f"VALUES (:name, :holder, :position, {_now(views.dialect)}) "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                "position = excluded.position, beat_at = excluded.beat_at",
                {"name": runner.name, "holder": HOLDER, "position": position},
            )
        state.last = now


def latest(views: Any, name: str) -> Beat | None:
    """The latest heartbeat recorded for runners called `name`, or None if none ever beat."""
    if not _exists(views):
        return None
    with views.datastore.transaction(commit=False) as cursor:
        db = _db(views, cursor)
        row = db.one(
            f"SELECT holder, position, {_now(views.dialect)} - beat_at AS age "
            f"FROM {{s}}{TABLE} WHERE name = :name",
            {"name": name},
        )
    if row is None:
        return None
    return Beat(
        holder=row["holder"], position=int(row["position"]), age=max(0.0, float(row["age"]))
    )


def _exists(views: Any) -> bool:
    with views.datastore.transaction(commit=False) as cursor:
        db = _db(views, cursor)
        if views.dialect == POSTGRES:
            row = db.one(
                "SELECT to_regclass(:table) IS NOT NULL AS found",
                {"table": f'"{db.schema}".{TABLE}'},
            )
            return bool(row and row["found"])
        row = db.one(
            "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = :table",
            {"table": TABLE},
        )
        return row is not None
