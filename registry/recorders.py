"""The event store's recorders: the library's, extended to write in the events' own
transaction the hash-chain links (registry/chain.py) and the personal data kept apart from
the events (registry/personal_data.py). One class per store combines both."""

from __future__ import annotations

from registry.chain import ChainedPostgresRecorder, ChainedSQLiteRecorder
from registry.idempotency import IdempotentPostgresRecorder, IdempotentSQLiteRecorder
from registry.personal_data import PostgresPersonalDataRecorder, SQLitePersonalDataRecorder


class RegistrySQLiteRecorder(
    IdempotentSQLiteRecorder, SQLitePersonalDataRecorder, ChainedSQLiteRecorder
):
    """SQLite: events, their chain links, personal data and idempotency keys in one
    transaction."""


class RegistryPostgresRecorder(
    IdempotentPostgresRecorder, PostgresPersonalDataRecorder, ChainedPostgresRecorder
):
    """PostgreSQL: events, their chain links, personal data and idempotency keys in one
    transaction."""


def recorder_topic(is_postgres: bool, chained: bool = True) -> str:
    """The APPLICATION_RECORDER_TOPIC for the store (`chained=False` only for measuring what
    the chain costs and for tests of stores written before it existed)."""
    if chained:
        cls: type = RegistryPostgresRecorder if is_postgres else RegistrySQLiteRecorder
    else:
        cls = PostgresPersonalDataRecorder if is_postgres else SQLitePersonalDataRecorder
    return f"{cls.__module__}:{cls.__qualname__}"
