"""Idempotency keys: a command retried with the same key is answered as the first time and
writes nothing again.

The table `idempotency_keys` holds, per (subject, key), a hash of the request and the answer
the first attempt gave. A command's row is written by the recorders below in the same
database transaction as the command's events, after the events have their positions, so the
stored answer carries them. Two attempts racing with one key cannot both commit: the second
violates the primary key (or, first, the aggregates' version constraint) and its whole
transaction, events included, rolls back; its caller then finds the first attempt's row.
There is no moment at which the events are written and the key is not, or the other way
round. A command that writes no event (an import of a file already imported) stores its row
on its own: there is nothing to duplicate.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

TABLE = "idempotency_keys"
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class KeptAnswer:
    """What the first attempt with a key answered."""

    request_hash: str
    answer: dict[str, Any]


@dataclass(frozen=True)
class IdempotentWrite:
    """The row to write with a command's events: `answer` is completed with the events'
    positions, entity ids, versions and types (under "events") once they have positions."""

    subject: str
    key: str
    request_hash: str
    answer: dict[str, Any]

    def completed(self, positions: Sequence[int], stored: Sequence[StoredEvent]) -> str:
        events = [
            written_event(p, e.originator_id, e.originator_version, e.topic)
            for p, e in zip(positions, stored, strict=True)
        ]
        return json.dumps(complete(self.answer, events), default=str, sort_keys=True)


def complete(answer: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    """`answer` with the events written: its `position` is the last of theirs, its `version`
    the entity's after them (both as given when no event was written)."""
    answer = {**answer, "events": events}
    if events:
        answer["position"] = max(e["position"] for e in events)
        mine = [e["version"] for e in events if e["entityId"] == answer.get("entityId")]
        if mine:
            answer["version"] = max(mine)
    return answer


def written_event(position: int, entity_id: Any, version: int, topic: str) -> dict[str, Any]:
    """An event as a write's answer lists it (the names the ledger read model uses)."""
    qualname = topic.rsplit(":", 1)[-1]
    return {
        "position": position,
        "entityId": str(entity_id),
        "entityType": qualname.split(".")[0].lower(),
        "type": qualname.rsplit(".", 1)[-1],
        "version": version,
    }


def request_hash(name: str, arguments: dict[str, Any]) -> str:
    """A stable hash of a command and its arguments."""
    text = json.dumps([name, arguments], default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write(kwargs: dict[str, Any]) -> IdempotentWrite | None:
    write = kwargs.get("idempotency")
    return write if isinstance(write, IdempotentWrite) else None


def _kept(row: Any) -> KeptAnswer | None:
    if row is None:
        return None
    return KeptAnswer(row["request_hash"], json.loads(row["answer"]))


class IdempotentSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLite: the key's row in the events' transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {TABLE} (subject TEXT NOT NULL, key TEXT NOT NULL, "
            "request_hash TEXT NOT NULL, answer TEXT NOT NULL, recorded_at TEXT NOT NULL, "
            "PRIMARY KEY (subject, key))",
        ]

    def _insert_events(
        self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        write = _write(kwargs)
        if write is not None and positions:
            c.execute(
                f"INSERT INTO {TABLE} (subject, key, request_hash, answer, recorded_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    write.subject,
                    write.key,
                    write.request_hash,
                    write.completed(positions, stored_events),
                    datetime.now(UTC).isoformat(),
                ),
            )
        return positions

    def select_idempotent(self, subject: str, key: str) -> KeptAnswer | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT request_hash, answer FROM {TABLE} WHERE subject = ? AND key = ?",
                (subject, key),
            )
            return _kept(c.fetchone())

    def insert_idempotent(self, write: IdempotentWrite) -> bool:
        """Store the answer of a command that wrote no event; False if the key was taken."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {TABLE} (subject, key, request_hash, answer, recorded_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    write.subject,
                    write.key,
                    write.request_hash,
                    write.completed([], []),
                    datetime.now(UTC).isoformat(),
                ),
            )
            return c.rowcount == 1


class IdempotentPostgresRecorder(PostgresApplicationRecorder):
    """PostgreSQL: the key's row in the events' transaction, once they have their ids."""

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._keys = SQL("{}.{}").format(Identifier(self.datastore.schema), Identifier(TABLE))
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {t} (subject text NOT NULL, key text NOT NULL, "
                "request_hash text NOT NULL, answer text NOT NULL, "
                "recorded_at timestamptz NOT NULL, PRIMARY KEY (subject, key))"
            ).format(t=self._keys)
        )

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        write = _write(kwargs)
        if write is not None and positions:
            curs.execute(
                SQL(
                    "INSERT INTO {t} (subject, key, request_hash, answer, recorded_at) "
                    "VALUES (%s, %s, %s, %s, %s)"
                ).format(t=self._keys),
                (
                    write.subject,
                    write.key,
                    write.request_hash,
                    write.completed(positions, stored_events),
                    datetime.now(UTC),
                ),
            )
        return positions

    def select_idempotent(self, subject: str, key: str) -> KeptAnswer | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT request_hash, answer FROM {t} WHERE subject = %s AND key = %s").format(
                    t=self._keys
                ),
                (subject, key),
            )
            return _kept(curs.fetchone())

    def insert_idempotent(self, write: IdempotentWrite) -> bool:
        """Store the answer of a command that wrote no event; False if the key was taken."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL(
                    "INSERT INTO {t} (subject, key, request_hash, answer, recorded_at) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
                ).format(t=self._keys),
                (
                    write.subject,
                    write.key,
                    write.request_hash,
                    write.completed([], []),
                    datetime.now(UTC),
                ),
            )
            return curs.rowcount == 1
