"""Helpers for the hash-chain tests: run the CLI as a real process, fill a store, and
tamper with the raw stored rows the way someone with database access could."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from registry.application import Registry
from registry.config import StoreSettings
from registry.values import Context, Source

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`registry ARGS...` as its own process."""
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import app; app()", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def fill(settings: StoreSettings, organisations: int = 12) -> int:
    """Write a few events (one organisation each); returns the last position."""
    registry = Registry(settings)
    try:
        ctx = Context(actor="chain-test", source=Source("test minutes", "§ 1"))
        # Kommun k is the event at position k + 1 (on an empty store and after earlier fills).
        first = registry.max_position()
        for n in range(first, first + organisations):
            registry.register_organisation(f"Kommun {n}", "kommun", ctx)
        return registry.max_position()
    finally:
        registry.close()


class RawStore:
    """Direct SQL access to the event and chain tables, bypassing the registry."""

    def __init__(self, settings: StoreSettings) -> None:
        self.settings = settings
        self.postgres = settings.is_postgres
        if self.postgres:
            base, _, query = settings.url.partition("?schema=")
            self.schema = query
            self.conn: Any = psycopg.connect(base, autocommit=True)
            self.conn.execute(f'SET search_path TO "{self.schema}"')
            self.events = "registry_events"
            self.pos = "notification_id"
        else:
            self.conn = sqlite3.connect(settings.url, isolation_level=None)
            self.events = "stored_events"
            self.pos = "rowid"

    def close(self) -> None:
        self.conn.close()

    def q(self, statement: str, params: tuple = ()) -> list[tuple]:
        if self.postgres:
            statement = statement.replace("?", "%s")
        statement = statement.replace("{events}", self.events).replace("{pos}", self.pos)
        cursor = self.conn.execute(statement, params)
        try:
            return list(cursor.fetchall())
        except (sqlite3.Error, psycopg.ProgrammingError):
            return []

    def state(self, position: int) -> bytes:
        return bytes(self.q("SELECT state FROM {events} WHERE {pos} = ?", (position,))[0][0])

    def set_state(self, position: int, state: bytes) -> None:
        self.q("UPDATE {events} SET state = ? WHERE {pos} = ?", (state, position))

    def delete(self, position: int) -> None:
        self.q("DELETE FROM {events} WHERE {pos} = ?", (position,))

    def swap(self, a: int, b: int) -> None:
        self.q("UPDATE {events} SET {pos} = ? WHERE {pos} = ?", (-1, a))
        self.q("UPDATE {events} SET {pos} = ? WHERE {pos} = ?", (a, b))
        self.q("UPDATE {events} SET {pos} = ? WHERE {pos} = ?", (b, -1))

    def insert_copy(self, position: int, new_position: int) -> None:
        """Store a copy of the event at `position` as a new version at `new_position`."""
        oid, version, topic, state = self.q(
            "SELECT originator_id, originator_version, topic, state FROM {events} WHERE {pos} = ?",
            (position,),
        )[0]
        self.q(
            "INSERT INTO {events} ({pos}, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?, ?)",
            (new_position, oid, version + 100, topic, state),
        )

    def max_position(self) -> int:
        return int(self.q("SELECT MAX({pos}) FROM {events}")[0][0])


@contextmanager
def raw(settings: StoreSettings) -> Iterator[RawStore]:
    store = RawStore(settings)
    try:
        yield store
    finally:
        store.close()
