"""Creating the store's tables, one process at a time.

Every process creates the tables it needs when it starts (the eventsourcing library's
`CREATE TABLE IF NOT EXISTS`, `CREATE TYPE`, `CREATE OR REPLACE FUNCTION`; our read models'
DDL and migrations). On PostgreSQL those statements are not safe to run concurrently: two
processes started together fail with `tuple concurrently updated` or a unique violation in
the catalogue. So table setup runs inside `setup_lock(settings)`: a session-level advisory
lock on a fixed key, taken on a connection of its own and released as soon as the setup is
done. It is one lock per database (not per schema) because some setup, such as
`CREATE EXTENSION ... WITH SCHEMA public`, is shared by every schema.

A batch of the projection runner takes the same lock shared in its transaction
(projections/views.py), so a setup waits for a batch in progress and the next batch waits
for the setup: without it, a process starting while the leader applies a batch can deadlock
with it, since even DDL that changes nothing waits for the tables' locks.

Anything else that creates or alters tables (a rebuild into a new schema, a custom recorder)
should run its DDL inside the same `with setup_lock(settings):`. The block must not be
nested: the inner one would wait for the outer one for ever (separate connections).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg

from registry.config import StoreSettings

# A fixed, arbitrary 64-bit key: "registry table setup". Leader election keys are derived
# from a schema and a runner name (projections/leadership.py) and do not collide with it.
SETUP_LOCK_KEY = 0x7265_6769_7374_7279  # b"registry"

# Waiting longer than this for another process's setup means something is stuck: fail
# with a clear error rather than hang at start.
SETUP_LOCK_TIMEOUT_SECONDS = 60


def connection_arguments(settings: StoreSettings) -> dict[str, Any]:
    """psycopg.connect() keyword arguments for the PostgreSQL server of `settings`."""
    env = settings.eventsourcing_env()
    arguments: dict[str, Any] = {
        "dbname": env["POSTGRES_DBNAME"],
        "host": env["POSTGRES_HOST"],
        "port": env["POSTGRES_PORT"],
        "user": env["POSTGRES_USER"],
        "connect_timeout": 5,
    }
    if env.get("POSTGRES_PASSWORD"):
        arguments["password"] = env["POSTGRES_PASSWORD"]
    return arguments


@contextmanager
def setup_lock(settings: StoreSettings) -> Iterator[None]:
    """Hold the table-setup lock for the block (PostgreSQL); on SQLite do nothing, since
    SQLite serialises writers itself and runs in one process."""
    if not settings.is_postgres:
        yield
        return
    with psycopg.connect(
        **connection_arguments(settings),
        autocommit=True,
        application_name="registry table setup",
    ) as connection:
        connection.execute(f"SET lock_timeout = '{SETUP_LOCK_TIMEOUT_SECONDS}s'")
        connection.execute("SELECT pg_advisory_lock(%s)", (SETUP_LOCK_KEY,))
        try:
            yield
        finally:
            # Closing the connection releases the lock too; unlocking first says so plainly.
            # If the connection broke, the lock is gone with it: keep the block's own error.
            with suppress(psycopg.Error):
                connection.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK_KEY,))
