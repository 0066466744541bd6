"""The hash-chained event log's tables, next to the events: each stored event gets one row
in `event_chain`, written by the application recorder in the same transaction as the event
itself (so no event is ever stored without its link, and no link without its event). What a
link is, byte by byte, is registry/chain_links.py and docs/audit.md; the signed checkpoints
of the head are registry/signing.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from registry.chain_links import (
    GENESIS_HEX,
    ChainRow,
    Checkpoint,
    RawEvent,
    canonical_id,
    link_rows,
)

log = logging.getLogger("registry.chain")


class ChainBroken(Exception):
    """A stored event does not match its link: the log was edited outside the registry.
    The projection runner stops with this error rather than apply events around it."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(f"hash chain broken at position {position}: {message}")
        self.position = position
        self.detail = message


# -- the chain tables ------------------------------------------------------------------------

_CHAIN_COLUMNS = (
    "position, originator_id, originator_version, recorded_at, event_hash, hash, prev_hash"
)


def _chain_ddl(integer: str, serial: str) -> list[str]:
    return [
        f"""CREATE TABLE IF NOT EXISTS {{s}}event_chain (
            position {integer} PRIMARY KEY, originator_id TEXT NOT NULL,
            originator_version {integer} NOT NULL, recorded_at TEXT NOT NULL,
            event_hash TEXT NOT NULL, hash TEXT NOT NULL, prev_hash TEXT NOT NULL)""",
        "CREATE TABLE IF NOT EXISTS {s}chain_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"""CREATE TABLE IF NOT EXISTS {{s}}chain_checkpoints (
            id {serial} PRIMARY KEY, position {integer} NOT NULL, hash TEXT NOT NULL,
            signed_at TEXT NOT NULL, signature TEXT NOT NULL, public_key TEXT NOT NULL)""",
    ]


class ChainStore:
    """Reads and writes the chain tables next to the events (shared by both recorders)."""

    is_postgres: bool
    datastore: Any
    events_table_name: str

    # -- SQL plumbing ---------------------------------------------------------------------

    def _sql(self, statement: str) -> Any:
        """`{s}` is the schema prefix, `{events}` the events table, `{pos}` its position
        column; `?` placeholders become `%s` on PostgreSQL."""
        if self.is_postgres:
            schema = self.datastore.schema
            text = statement.replace("?", "%s").replace("{pos}", "notification_id")
            text = text.replace("{events}", "{s}{events_table}")
            return SQL(text.replace("{s}", "{schema}.")).format(  # type: ignore[arg-type]
                schema=Identifier(schema), events_table=Identifier(self.events_table_name)
            )
        text = statement.replace("{pos}", "rowid").replace("{events}", self.events_table_name)
        return text.replace("{s}", "")

    def _ddl(self) -> list[str]:
        if self.is_postgres:
            return _chain_ddl("bigint", "bigserial")
        return _chain_ddl("INTEGER", "INTEGER")

    def _read(self) -> Any:
        return self.datastore.transaction(commit=False)

    def _write(self) -> Any:
        return self.datastore.transaction(commit=True)

    def _lock_events(self, c: Any) -> None:
        """Serialise with writers: PostgreSQL's inserts take this lock too; on SQLite the
        write transaction's first write takes the file's write lock."""
        if self.is_postgres:
            c.execute(self._sql("LOCK TABLE {events} IN EXCLUSIVE MODE"))

    # -- writing links with the events ----------------------------------------------------

    def _head_in(self, c: Any) -> tuple[int, str]:
        c.execute(
            self._sql("SELECT position, hash FROM {s}event_chain ORDER BY position DESC LIMIT 1")
        )
        row = c.fetchone()
        return (int(row["position"]), row["hash"]) if row else (0, GENESIS_HEX)

    def _insert_chain_rows(self, c: Any, rows: Sequence[ChainRow]) -> None:
        if not rows:
            return
        c.executemany(
            self._sql(f"INSERT INTO {{s}}event_chain ({_CHAIN_COLUMNS}) VALUES (?,?,?,?,?,?,?)"),
            [
                (
                    r.position,
                    r.originator_id,
                    r.originator_version,
                    r.recorded_at,
                    r.event_hash,
                    r.hash,
                    r.prev_hash,
                )
                for r in rows
            ],
        )

    def _link_new_events(
        self, c: Any, positions: Sequence[int], stored_events: Sequence[StoredEvent]
    ) -> None:
        events = sorted(
            (
                RawEvent(p, canonical_id(s.originator_id), s.originator_version, s.topic, s.state)
                for p, s in zip(positions, stored_events, strict=True)
            ),
            key=lambda e: e.position,
        )
        _, prev = self._head_in(c)
        self._insert_chain_rows(c, link_rows(prev, events))

    # -- building the chain of a store written before it existed ---------------------------

    def ensure_chain(self) -> int:
        """Build the chain once for events stored before the chain existed, and record that
        fact in `chain_meta`. Returns how many links were built (0 normally)."""
        with self._read() as c:
            c.execute(self._sql("SELECT 1 AS x FROM {s}event_chain LIMIT 1"))
            if c.fetchone() is not None:
                return 0
            # A chain that existed once (facts or checkpoints recorded) and is now gone was
            # deleted: never rebuild it silently; `registry verify` reports the events as
            # having no links.
            for table in ("chain_meta", "chain_checkpoints"):
                c.execute(self._sql(f"SELECT 1 AS x FROM {{s}}{table} LIMIT 1"))
                if c.fetchone() is not None:
                    log.error("the hash chain is empty but %s is not: not rebuilding it", table)
                    return 0
            c.execute(self._sql("SELECT 1 AS x FROM {events} LIMIT 1"))
            if c.fetchone() is None:
                return 0
        with self._write() as c:
            self._lock_events(c)
            c.execute(self._sql("SELECT 1 AS x FROM {s}event_chain LIMIT 1"))
            if c.fetchone() is not None:  # another process built it meanwhile
                return 0
            c.execute(
                self._sql(
                    "SELECT {pos} AS position, originator_id, originator_version, topic, state "
                    "FROM {events} ORDER BY {pos}"
                )
            )
            events = [self._raw(r) for r in c.fetchall()]
            rows = link_rows(GENESIS_HEX, events)
            self._insert_chain_rows(c, rows)
            now = datetime.now(UTC).isoformat()
            c.executemany(
                self._sql("INSERT INTO {s}chain_meta (key, value) VALUES (?, ?)"),
                [("built_from_existing_at", now), ("up_to_position", str(rows[-1].position))],
            )
        log.warning(
            "built the hash chain for %d events stored before it existed (up to position %d)",
            len(rows),
            rows[-1].position,
        )
        return len(rows)

    # -- reading ----------------------------------------------------------------------------

    @staticmethod
    def _raw(r: Any) -> RawEvent:
        return RawEvent(
            position=int(r["position"]),
            originator_id=canonical_id(r["originator_id"]),
            originator_version=int(r["originator_version"]),
            topic=r["topic"],
            state=bytes(r["state"]),
        )

    @staticmethod
    def _chain_row(r: Any) -> ChainRow:
        return ChainRow(
            position=int(r["position"]),
            originator_id=r["originator_id"],
            originator_version=int(r["originator_version"]),
            recorded_at=r["recorded_at"],
            event_hash=r["event_hash"],
            hash=r["hash"],
            prev_hash=r["prev_hash"],
        )

    def raw_events(
        self, after: int = 0, limit: int = 2000, upto: int | None = None
    ) -> list[RawEvent]:
        """Stored events after position `after`, in store order, exactly as stored."""
        statement = (
            "SELECT {pos} AS position, originator_id, originator_version, topic, state "
            "FROM {events} WHERE {pos} > ?"
        )
        params: list[Any] = [after]
        if upto is not None:
            statement += " AND {pos} <= ?"
            params.append(upto)
        with self._read() as c:
            c.execute(self._sql(statement + " ORDER BY {pos} LIMIT ?"), [*params, limit])
            return [self._raw(r) for r in c.fetchall()]

    def iter_raw_events(self, after: int = 0, page: int = 2000) -> Iterator[RawEvent]:
        while True:
            events = self.raw_events(after, page)
            yield from events
            if len(events) < page:
                return
            after = events[-1].position

    def chain_rows(
        self, after: int = 0, limit: int = 2000, upto: int | None = None
    ) -> list[ChainRow]:
        statement = f"SELECT {_CHAIN_COLUMNS} FROM {{s}}event_chain WHERE position > ?"
        params: list[Any] = [after]
        if upto is not None:
            statement += " AND position <= ?"
            params.append(upto)
        with self._read() as c:
            c.execute(self._sql(statement + " ORDER BY position LIMIT ?"), [*params, limit])
            return [self._chain_row(r) for r in c.fetchall()]

    def iter_chain_rows(self, after: int = 0, page: int = 2000) -> Iterator[ChainRow]:
        while True:
            rows = self.chain_rows(after, page)
            yield from rows
            if len(rows) < page:
                return
            after = rows[-1].position

    def chain_row_at(self, position: int) -> ChainRow | None:
        """The link stored at `position`."""
        return self._one_chain_row("position = ?", position)

    def chain_row_before(self, position: int) -> ChainRow | None:
        """The link stored at the greatest position before `position`."""
        return self._one_chain_row("position < ? ORDER BY position DESC LIMIT 1", position)

    def _one_chain_row(self, where: str, position: int) -> ChainRow | None:
        with self._read() as c:
            c.execute(
                self._sql(f"SELECT {_CHAIN_COLUMNS} FROM {{s}}event_chain WHERE {where}"),
                [position],
            )
            row = c.fetchone()
            return self._chain_row(row) if row else None

    def chain_hashes(self, positions: Sequence[int]) -> dict[int, str]:
        """The link hash at each of `positions` (for the audit trail)."""
        if not positions:
            return {}
        marks = ",".join("?" for _ in positions)
        with self._read() as c:
            c.execute(
                self._sql(
                    f"SELECT position, hash FROM {{s}}event_chain WHERE position IN ({marks})"
                ),
                list(positions),
            )
            return {int(r["position"]): r["hash"] for r in c.fetchall()}

    def position_of(self, originator_id: UUID | str, version: int) -> int | None:
        """The position the chain recorded for an entity's event of `version`."""
        with self._read() as c:
            c.execute(
                self._sql(
                    "SELECT position FROM {s}event_chain "
                    "WHERE originator_id = ? AND originator_version = ?"
                ),
                [canonical_id(originator_id), version],
            )
            row = c.fetchone()
            return int(row["position"]) if row else None

    def check_batch(self, after: int, events: Sequence[RawEvent]) -> tuple[int, ChainBroken | None]:
        """Check the links of `events` (read after position `after`, in order): returns how
        many of them verify, and the break after them if any. A deleted event shows as a
        link without its event, an inserted one as an event without its link."""
        if not events:
            return 0, None
        from registry.audit import walk_chain  # the walk is shared with `registry verify`

        before = self.chain_row_before(after + 1)
        rows = self.chain_rows(after=after, limit=len(events) + 1000, upto=events[-1].position)
        walk = walk_chain(before.hash if before else GENESIS_HEX, events, rows)
        if walk.broken is None:
            return len(events), None
        good = sum(1 for e in events if e.position < (walk.broken.position or 0))
        return good, ChainBroken(walk.broken.position or 0, walk.broken.message)

    def chain_head(self) -> tuple[int, str]:
        """(position, link hash) of the last stored link; (0, 64 zeros) when empty."""
        with self._read() as c:
            return self._head_in(c)

    def count_events(self) -> int:
        with self._read() as c:
            c.execute(self._sql("SELECT COUNT(*) AS n FROM {events}"))
            return int(c.fetchone()["n"])

    def chain_meta(self) -> dict[str, str]:
        with self._read() as c:
            c.execute(self._sql("SELECT key, value FROM {s}chain_meta ORDER BY key"))
            return {r["key"]: r["value"] for r in c.fetchall()}

    def checkpoints(self) -> list[Checkpoint]:
        with self._read() as c:
            c.execute(
                self._sql(
                    "SELECT position, hash, signed_at, signature, public_key "
                    "FROM {s}chain_checkpoints ORDER BY id"
                )
            )
            return [
                Checkpoint(
                    position=int(r["position"]),
                    hash=r["hash"],
                    signed_at=r["signed_at"],
                    signature=r["signature"],
                    public_key=r["public_key"],
                )
                for r in c.fetchall()
            ]

    def latest_checkpoint(self) -> Checkpoint | None:
        found = self.checkpoints()
        return found[-1] if found else None

    def add_checkpoint(self, checkpoint: Checkpoint) -> None:
        with self._write() as c:
            self._insert_checkpoint(c, checkpoint)

    def _insert_checkpoint(self, c: Any, checkpoint: Checkpoint) -> None:
        c.execute(
            self._sql(
                "INSERT INTO {s}chain_checkpoints (position, hash, signed_at, signature, "
                "public_key) VALUES (?,?,?,?,?)"
            ),
            [
                checkpoint.position,
                checkpoint.hash,
                checkpoint.signed_at,
                checkpoint.signature,
                checkpoint.public_key,
            ],
        )

    # -- restore -----------------------------------------------------------------------------

    def restore(
        self,
        events: Sequence[RawEvent],
        checkpoints: Sequence[Checkpoint],
        meta: dict[str, str],
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Write `events` at their own positions, their links, the checkpoints and the chain
        facts into an EMPTY store, in one transaction (all or nothing)."""
        with self._write() as c:
            self._lock_events(c)
            c.execute(self._sql("SELECT COUNT(*) AS n FROM {events}"))
            if int(c.fetchone()["n"]):
                raise ValueError("the store is not empty: restore only into an empty registry")
            insert = self._sql(
                "INSERT INTO {events} ({pos}, originator_id, originator_version, topic, state) "
                "VALUES (?,?,?,?,?)"
            )
            chunk = 1000
            for start in range(0, len(events), chunk):
                part = events[start : start + chunk]
                c.executemany(
                    insert,
                    [
                        (
                            e.position,
                            UUID(e.originator_id)
                            if self.is_postgres
                            else UUID(e.originator_id).hex,
                            e.originator_version,
                            e.topic,
                            e.state,
                        )
                        for e in part
                    ],
                )
                if progress is not None:
                    progress(len(part))
            self._insert_chain_rows(c, link_rows(GENESIS_HEX, events))
            for checkpoint in checkpoints:
                self._insert_checkpoint(c, checkpoint)
            if meta:
                c.executemany(
                    self._sql("INSERT INTO {s}chain_meta (key, value) VALUES (?, ?)"),
                    sorted(meta.items()),
                )
            if self.is_postgres and events:
                # Later writes must continue after the restored positions.
                c.execute(
                    self._sql("SELECT setval(pg_get_serial_sequence(?, 'notification_id'), ?)"),
                    [
                        f'"{self.datastore.schema}"."{self.events_table_name}"',
                        max(e.position for e in events),
                    ],
                )


# -- the recorders ---------------------------------------------------------------------------


class ChainedSQLiteRecorder(ChainStore, SQLiteApplicationRecorder):
    """The library's SQLite application recorder, plus a chain link for each event, inserted
    in the events' own transaction."""

    is_postgres = False

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *(self._sql(s) for s in self._ddl())]

    def _insert_events(
        self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        if positions:
            self._link_new_events(c, positions, stored_events)
        return positions


#: Channel of the NOTIFY sent with each write on PostgreSQL (payload: the schema), so that a
#: projection runner in another process wakes at once (projections/wakeup.py).
EVENTS_CHANNEL = "registry_events"


class ChainedPostgresRecorder(ChainStore, PostgresApplicationRecorder):
    """The library's PostgreSQL application recorder, plus a chain link for each event. The
    library inserts under LOCK TABLE ... EXCLUSIVE, so reading the head here is serialised
    with every other writer; the links commit or roll back with the events."""

    is_postgres = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sql_create_statements.extend(self._sql(s) for s in self._ddl())

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if positions:
            self._link_new_events(curs, positions, stored_events)
            # Delivered when the events commit, never for a rolled-back write.
            curs.execute("SELECT pg_notify(%s, %s)", (EVENTS_CHANNEL, self.datastore.schema))
        return positions
