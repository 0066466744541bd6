"""The event store's recorders: the library's, extended to write in the events' own
transaction the hash-chain links (registry/chain.py) and the personal data kept apart from
the events (registry/personal_data.py). One class per store combines both."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from registry.chain import ChainedPostgresRecorder, ChainedSQLiteRecorder
from registry.idempotency import IdempotentPostgresRecorder, IdempotentSQLiteRecorder
from registry.personal_data import PostgresPersonalDataRecorder, SQLitePersonalDataRecorder


class _ExistingIds:
    """Which of many aggregates have events, in one indexed query (an import probes a
    hundred ids; one round trip each was a large part of its time on PostgreSQL)."""

    def existing_ids(self, ids: Iterable[UUID]) -> set[UUID]:
        wanted = list(dict.fromkeys(ids))
        found: set[UUID] = set()
        store: Any = self
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            params = [i if store.is_postgres else i.hex for i in part]
            marks = ",".join("?" * len(part))
            statement = (
                f"SELECT DISTINCT originator_id FROM {{events}} WHERE originator_id IN ({marks})"
            )
            with store._read() as c:
                c.execute(store._sql(statement), params)
                for row in c.fetchall():
                    value = row["originator_id"]
                    found.add(value if isinstance(value, UUID) else UUID(str(value)))
        return found

    def changes_after(self, position: int, limit: int) -> list[tuple[int, UUID, int]]:
        """(position, aggregate id, version) of the events after `position`, in order, at
        most `limit`: the aggregate cache's freshness check in one narrow query (nothing
        comes back when no other writer wrote), instead of asking for the last position and
        then reading the new events whole."""
        store: Any = self
        statement = (
            "SELECT {pos} AS position, originator_id, originator_version FROM {events} "
            "WHERE {pos} > ? ORDER BY {pos} LIMIT ?"
        )
        with store._read() as c:
            c.execute(store._sql(statement), (position, limit))
            rows = c.fetchall()
        out = []
        for row in rows:
            value = row["originator_id"]
            aggregate_id = value if isinstance(value, UUID) else UUID(str(value))
            out.append((int(row["position"]), aggregate_id, int(row["originator_version"])))
        return out


class RegistrySQLiteRecorder(
    _ExistingIds, IdempotentSQLiteRecorder, SQLitePersonalDataRecorder, ChainedSQLiteRecorder
):
    """SQLite: events, their chain links, personal data and idempotency keys in one
    transaction."""


class RegistryPostgresRecorder(
    _ExistingIds, IdempotentPostgresRecorder, PostgresPersonalDataRecorder, ChainedPostgresRecorder
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
