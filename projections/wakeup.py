"""Wakes a projection runner as soon as another process records events.

In one process a write wakes the runner at once (`Registry.on_recorded`); a write by another
process (an API started with --no-projections beside `registry project`, or a second API) was
seen only at the runner's next poll. Now:

- PostgreSQL: the recorder sends `NOTIFY registry_events` (payload: the schema) in the
  events' own transaction (registry/chain.py), so it is delivered when they commit and never
  for a rolled-back write. A thread here LISTENs on a connection of its own and wakes the
  runner. After (re)connecting it wakes the runner once, for writes made meanwhile.
- SQLite: no notifications between processes; a thread asks `PRAGMA data_version` on a
  connection of its own every SQLITE_INTERVAL seconds (a read of a counter in shared memory)
  and wakes the runner when another connection has committed.

The runner's own poll stays as the fallback: a missed wake-up only delays, never loses.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable

import psycopg

from registry.chain import EVENTS_CHANNEL
from registry.config import StoreSettings
from registry.store_setup import connection_arguments

log = logging.getLogger("registry.projections")

SQLITE_INTERVAL = 0.002  # seconds between two looks at PRAGMA data_version
LISTEN_TIMEOUT = 0.5  # seconds a LISTEN loop waits before looking whether to stop
RETRY = 1.0  # seconds before reconnecting after an error


class ExternalWrites:
    """Calls `wake()` when events may have been recorded by another connection."""

    def __init__(self, settings: StoreSettings, wake: Callable[[], None]) -> None:
        self.settings = settings
        self.wake = wake
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> ExternalWrites:
        if self.settings.is_postgres:
            target = self._listen
        elif _is_file(self.settings.sqlite_path):
            target = self._poll
        else:  # an in-memory SQLite store: no other process can write to it
            return self
        self._thread = threading.Thread(target=target, name="projection-wakeup", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=LISTEN_TIMEOUT + 1)
            self._thread = None

    def _listen(self) -> None:
        schema = self.settings.postgres_schema
        while not self._stopping.is_set():
            try:
                with psycopg.connect(
                    **connection_arguments(self.settings), autocommit=True
                ) as connection:
                    connection.execute(f"LISTEN {EVENTS_CHANNEL}")
                    self.wake()
                    while not self._stopping.is_set():
                        for note in connection.notifies(timeout=LISTEN_TIMEOUT):
                            if note.payload == schema:
                                self.wake()
                            if self._stopping.is_set():
                                break
            except Exception as error:  # the runner's poll covers the gap
                log.warning("projection wake-up: %s; retrying", error)
                self._stopping.wait(RETRY)

    def _poll(self) -> None:
        while not self._stopping.is_set():
            try:
                connection = sqlite3.connect(
                    self.settings.sqlite_path, uri=True, check_same_thread=False
                )
                try:
                    seen = connection.execute("PRAGMA data_version").fetchone()[0]
                    while not self._stopping.wait(SQLITE_INTERVAL):
                        version = connection.execute("PRAGMA data_version").fetchone()[0]
                        if version != seen:
                            seen = version
                            self.wake()
                finally:
                    connection.close()
            except Exception as error:  # the runner's poll covers the gap
                log.warning("projection wake-up: %s; retrying", error)
                self._stopping.wait(RETRY)


def _is_file(path: str) -> bool:
    return bool(path) and path != ":memory:" and "mode=memory" not in path
