"""Personal contact details kept apart from the event log, so that they can be destroyed
(gallring) while every stored event, and any hash chain over them, stays byte for byte as
it was.

A contact value (an e-mail address, a phone number, a postal address) never enters an
event. The event holds a salted commitment to it:

    commitment = hex(SHA-256(salt || UTF-8(value)))      salt: 32 random bytes

and a random `ref`. The value and its salt live in the table `personal_data`, one row per
ref, written in the same database transaction as the event that commits to it (the
recorders below extend the library's `_insert_events`, which runs inside the transaction
that inserts the stored events). Redaction is the same: the `Person.Redacted` event and
the erasure of the value and salt (the row keeps its ref, kind, person, time and decision)
commit together or not at all.

Anyone holding a value and its salt can check them against the commitment in the hashed
event; once both are erased, the commitment reveals nothing (the salt is too long to
guess), and the event that holds it is unchanged. See docs/redaction.md.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from registry.errors import InvalidInput

#: The kinds of contact detail the registry keeps, in the order they are shown.
KINDS = ("email", "phone", "address")

SALT_BYTES = 32
TABLE = "personal_data"


def new_salt() -> bytes:
    """A fresh random salt for one value (never reused)."""
    return secrets.token_bytes(SALT_BYTES)


def commitment(value: str, salt: bytes) -> str:
    """The commitment stored in the event: hex SHA-256 over the salt then the UTF-8 value."""
    return hashlib.sha256(salt + value.encode("utf-8")).hexdigest()


def verify(value: str, salt_hex: str, expected: str) -> bool:
    """Whether `value` with the salt (hex, as kept in personal_data) opens `expected`."""
    try:
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    return hmac.compare_digest(commitment(value, salt), expected.lower())


def check_kind(kind: str, field_name: str = "kind") -> str:
    if kind not in KINDS:
        raise InvalidInput(
            f"{kind!r} is not a kind of contact detail; use {', '.join(KINDS)}",
            field=field_name,
        )
    return kind


def check_value(kind: str, value: str, field_name: str | None = None) -> str:
    """A contact value as it will be kept: trimmed, and shaped like its kind."""
    field_name = field_name or kind
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field_name} must not be empty", field=field_name)
    value = value.strip()
    if kind == "email" and (value.count("@") != 1 or any(c.isspace() for c in value)):
        raise InvalidInput(
            f"{value!r} is not an e-mail address (one @, no spaces)",
            field=field_name,
        )
    if kind == "phone" and not all(c.isdigit() or c in "+-() " for c in value):
        raise InvalidInput(
            f"{value!r} is not a phone number (digits, spaces, + - and parentheses only)",
            field=field_name,
        )
    if len(value) > 500:
        raise InvalidInput(f"{field_name} is longer than 500 characters", field=field_name)
    return value


@dataclass(frozen=True)
class PersonalDatum:
    """One value to keep apart, under the ref its commitment names."""

    ref: UUID
    person_id: UUID
    kind: str
    value: str
    salt: bytes


@dataclass(frozen=True)
class Erasure:
    """Values to erase (their rows stay, with the time and the disposal decision)."""

    refs: tuple[UUID, ...]
    decision: str
    at: datetime


@dataclass
class PersonalDataChanges:
    """What a unit of work writes to personal_data together with its events."""

    added: list[PersonalDatum] = field(default_factory=list)
    erasures: list[Erasure] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.erasures)


@dataclass(frozen=True)
class StoredValue:
    """A row of personal_data: `value` and `salt` are None once redacted."""

    ref: UUID
    person_id: UUID
    kind: str
    value: str | None
    salt: str | None
    redacted_at: datetime | None
    decision: str | None


_COLUMNS = "ref, person_id, kind, value, salt, recorded_at, redacted_at, decision"


def _timestamp(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value.astimezone(UTC) if isinstance(value, datetime) else None
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _row(row: Any) -> StoredValue:
    return StoredValue(
        ref=UUID(str(row["ref"])),
        person_id=UUID(str(row["person_id"])),
        kind=row["kind"],
        value=row["value"],
        salt=row["salt"],
        redacted_at=_timestamp(row["redacted_at"]),
        decision=row["decision"],
    )


def _changes(kwargs: dict[str, Any]) -> PersonalDataChanges | None:
    changes = kwargs.get("personal_data")
    return changes if isinstance(changes, PersonalDataChanges) and changes else None


class SQLitePersonalDataRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, writing personal_data in the events' transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {TABLE} (ref TEXT PRIMARY KEY, person_id TEXT NOT NULL, "
            "kind TEXT NOT NULL, value TEXT, salt TEXT, recorded_at TEXT NOT NULL, "
            "redacted_at TEXT, decision TEXT)",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_person ON {TABLE} (person_id)",
        ]

    def _insert_events(
        self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        changes = _changes(kwargs)
        if changes is not None:
            now = _sqlite_time(datetime.now(UTC))
            for d in changes.added:
                c.execute(
                    f"INSERT INTO {TABLE} (ref, person_id, kind, value, salt, recorded_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (str(d.ref), str(d.person_id), d.kind, d.value, d.salt.hex(), now),
                )
            if changes.erasures:
                # Zero the erased bytes in the page instead of leaving them in free space.
                c.execute("PRAGMA secure_delete = ON")
            for e in changes.erasures:
                for ref in e.refs:
                    c.execute(
                        f"UPDATE {TABLE} SET value = NULL, salt = NULL, redacted_at = ?, "
                        "decision = ? WHERE ref = ?",
                        (_sqlite_time(e.at), e.decision, str(ref)),
                    )
        return ids

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super().insert_events(stored_events, **kwargs)
        changes = _changes(kwargs)
        if changes is not None and changes.erasures:
            self._truncate_journal()
        return ids

    def _truncate_journal(self) -> None:
        """The write-ahead log still holds the frames that once wrote an erased value:
        copy the log into the database file and truncate it to nothing. Readers in other
        processes can hold it back for a moment; after that the next checkpoint does it."""
        with self.datastore.get_connection(commit=True) as conn:
            for _ in range(50):
                busy = conn._sqlite_conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if not busy:
                    return
                time.sleep(0.02)

    def select_personal_data(self, refs: Iterable[UUID]) -> dict[UUID, StoredValue]:
        wanted = sorted({str(r) for r in refs})
        if not wanted:
            return {}
        marks = ", ".join("?" for _ in wanted)
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT {_COLUMNS} FROM {TABLE} WHERE ref IN ({marks})", wanted)
            return {v.ref: v for v in map(_row, c.fetchall())}


def _sqlite_time(value: datetime) -> str:
    # The same fixed-width UTC text as the read models (projections/sql.py).
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class PostgresPersonalDataRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder, writing personal_data in the events' transaction
    (`_insert_events` runs first inside the transaction that inserts the stored events)."""

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._table = SQL("{}.{}").format(Identifier(self.datastore.schema), Identifier(TABLE))
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {t} (ref uuid PRIMARY KEY, person_id uuid NOT NULL, "
                "kind text NOT NULL, value text, salt text, recorded_at timestamptz NOT NULL, "
                "redacted_at timestamptz, decision text)"
            ).format(t=self._table)
        )
        self.sql_create_statements.append(
            SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} (person_id)").format(
                i=Identifier(f"{TABLE}_person"), t=self._table
            )
        )

    def _insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        changes = _changes(kwargs)
        if changes is None:
            return
        now = datetime.now(UTC)
        for d in changes.added:
            curs.execute(
                SQL(
                    "INSERT INTO {t} (ref, person_id, kind, value, salt, recorded_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s)"
                ).format(t=self._table),
                (d.ref, d.person_id, d.kind, d.value, d.salt.hex(), now),
            )
        for e in changes.erasures:
            curs.execute(
                SQL(
                    "UPDATE {t} SET value = NULL, salt = NULL, redacted_at = %s, decision = %s "
                    "WHERE ref = ANY(%s)"
                ).format(t=self._table),
                (e.at, e.decision, list(e.refs)),
            )

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super().insert_events(stored_events, **kwargs)
        changes = _changes(kwargs)
        if changes is not None and changes.erasures:
            # The UPDATE leaves the old row version (with the value) as a dead tuple until
            # vacuumed; do it now rather than whenever autovacuum gets round to it. (The
            # server's WAL and base backups keep their own retention: docs/redaction.md.)
            with self.datastore.get_connection() as conn:
                conn.execute(SQL("VACUUM {t}").format(t=self._table))
        return ids

    def select_personal_data(self, refs: Iterable[UUID]) -> dict[UUID, StoredValue]:
        wanted = sorted({UUID(str(r)) for r in refs}, key=str)
        if not wanted:
            return {}
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(f"SELECT {_COLUMNS} FROM {{t}} WHERE ref = ANY(%s)").format(t=self._table),
                (wanted,),
            )
            return {v.ref: v for v in map(_row, curs.fetchall())}


def recorder_topic(is_postgres: bool) -> str:
    """The APPLICATION_RECORDER_TOPIC that installs the recorder for the store."""
    cls = PostgresPersonalDataRecorder if is_postgres else SQLitePersonalDataRecorder
    return f"{cls.__module__}:{cls.__qualname__}"
