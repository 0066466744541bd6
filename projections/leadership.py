"""Which of several processes keeps the read models current: leader election.

Any number of processes may run a projection runner against one PostgreSQL store (`registry
project`, or `registry serve` with its projections). Exactly one of them, the leader, applies
events: the one holding a session-level advisory lock whose key is derived from the database,
the schema and the runner's name. The lock is held on a connection of its own, so it lasts as
long as the leader's process: when that process dies, even by SIGKILL, PostgreSQL ends its
session and releases the lock, and a standby, which tries to take it every poll interval,
takes over. The new leader resumes from the tracked position (the tracking row committed
with each batch), so no event is lost or applied twice; a batch the old leader had not
committed was rolled back with its session.

The lock's session asks the server to probe the connection with TCP keepalives, so a leader
whose machine vanishes without closing its connection loses the lock within about 11 s
instead of the operating system's default of hours.

On SQLite there is one process, which always leads.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from contextlib import suppress
from dataclasses import dataclass
from typing import Protocol

import psycopg

from registry.config import StoreSettings
from registry.store_setup import connection_arguments

log = logging.getLogger(__name__)

# Server-side keepalive probes on the lock's connection (seconds, probes): a silent leader is
# dropped after about idle + interval * count.
KEEPALIVE_IDLE = 5
KEEPALIVE_INTERVAL = 2
KEEPALIVE_COUNT = 3


class Leadership(Protocol):
    """Decides whether this process applies events now."""

    @property
    def leading(self) -> bool: ...

    def lead(self) -> bool:
        """True if this process leads now: keeps the leadership it has, or tries to take it."""
        ...

    def release(self) -> None:
        """Give up the leadership (if held) and its connection."""
        ...


class SingleProcess:
    """SQLite: one process, always the leader."""

    leading = True

    def lead(self) -> bool:
        return True

    def release(self) -> None:
        pass


def leadership_key(settings: StoreSettings, name: str) -> int:
    """The advisory lock key of runner `name` on the schema of `settings` (a signed 64-bit
    integer, as pg_advisory_lock takes). Advisory locks are per database, so the schema is
    part of the key: a rebuild into another schema elects its own leader."""
    env = settings.eventsourcing_env()
    text = f"registry projections\0{settings.postgres_schema}\0{name}\0{env['POSTGRES_DBNAME']}"
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryLockLeadership:
    """PostgreSQL: leads while holding `pg_advisory_lock(key)` on a dedicated connection."""

    def __init__(self, settings: StoreSettings, name: str) -> None:
        self.settings = settings
        self.name = name
        self.key = leadership_key(settings, name)
        # Shown in pg_stat_activity: which process (host and pid) holds or wants the lock.
        self.application_name = f"registry projections {socket.gethostname()}:{os.getpid()}"[:63]
        self._connection: psycopg.Connection | None = None
        self._leading = False
        self.since: float | None = None  # time.monotonic() when this process took the lead

    @property
    def leading(self) -> bool:
        return self._leading

    def lead(self) -> bool:
        try:
            if self._leading:
                # The lock lives as long as its session: a live connection still holds it.
                self._connect().execute("SELECT 1")
                return True
            taken = self._connect().execute("SELECT pg_try_advisory_lock(%s)", (self.key,))
            row = taken.fetchone()
            if row is None or not row[0]:
                return False
        except psycopg.Error as error:
            if self._leading:
                log.warning("projections %s: lost the leadership (%s)", self.name, error)
            self._drop()
            return False
        self._leading = True
        self.since = time.monotonic()
        log.info("projections %s: this process (%s) now leads", self.name, self.application_name)
        return True

    def release(self) -> None:
        if self._connection is not None and self._leading:
            # If the session is gone, the lock went with it.
            with suppress(psycopg.Error):
                self._connection.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        self._drop()

    def _connect(self) -> psycopg.Connection:
        if self._connection is None or self._connection.closed:
            connection = psycopg.connect(
                **connection_arguments(self.settings),
                autocommit=True,
                application_name=self.application_name,
                # Client side: notice a vanished server instead of waiting on it for ever.
                keepalives=1,
                keepalives_idle=KEEPALIVE_IDLE,
                keepalives_interval=KEEPALIVE_INTERVAL,
                keepalives_count=KEEPALIVE_COUNT,
            )
            # Server side: end a vanished leader's session (and release its lock) soon.
            for setting, value in (
                ("tcp_keepalives_idle", KEEPALIVE_IDLE),
                ("tcp_keepalives_interval", KEEPALIVE_INTERVAL),
                ("tcp_keepalives_count", KEEPALIVE_COUNT),
            ):
                connection.execute(f"SET {setting} = {int(value)}")
            self._connection = connection
        return self._connection

    def _drop(self) -> None:
        self._leading = False
        self.since = None
        if self._connection is not None:
            with suppress(psycopg.Error):
                self._connection.close()
            self._connection = None


def leadership_for(settings: StoreSettings, name: str) -> Leadership:
    """The leader election for runner `name` on the store of `settings`."""
    if settings.is_postgres:
        return AdvisoryLockLeadership(settings, name)
    return SingleProcess()


@dataclass(frozen=True)
class Leader:
    """The process that leads runner `name`, as PostgreSQL sees it."""

    application_name: str  # "registry projections HOST:PID"
    backend_pid: int  # the server process of its lock's session

    @property
    def pid(self) -> int | None:
        """The leader's process id (on its host), from its application name."""
        tail = self.application_name.rsplit(":", 1)[-1]
        return int(tail) if tail.isdigit() else None


def current_leader(settings: StoreSettings, name: str) -> Leader | None:
    """Who holds runner `name`'s leadership on the store of `settings` now (None: nobody,
    so no process is projecting). PostgreSQL only."""
    key = leadership_key(settings, name) & 0xFFFF_FFFF_FFFF_FFFF
    with psycopg.connect(**connection_arguments(settings), autocommit=True) as connection:
        # A bigint advisory key shows in pg_locks as classid (high half), objid (low half).
        row = connection.execute(
            "SELECT a.application_name, l.pid FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND l.classid = %s::bigint::oid AND l.objid = %s::bigint::oid",
            (key >> 32, key & 0xFFFF_FFFF),
        ).fetchone()
    return Leader(row[0], row[1]) if row else None
