"""The materialised views: read-model tables plus the library's tracking table, in the same
store as the events. `process_batch` applies a batch of events to every read model and records
the batch's last position in one transaction: a repeated position raises IntegrityError and the
whole batch rolls back, so nothing is applied twice."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL, Identifier

from projections.pending import HELD
from projections.sql import POSTGRES, SQLITE, Db
from projections.tables import ReadModelSchema
from projections.versions import open_tables
from registry.store_setup import SETUP_LOCK_KEY

#: Batches of at most this many events flush their writes pipelined (PostgreSQL).
PIPELINED_BATCH = 50


class ReadModel(Protocol):
    name: str
    schema: ReadModelSchema  # its tables and schema version (projections/tables.py)

    # Optional: `prepare(db, events)` reads ahead for a batch; `flush(db)` ends a batch (in
    # its transaction); `discard()` forgets a batch rolled back.

    def apply(self, db: Db, event: Any, position: int) -> None: ...


class Views(Protocol):
    read_models: Sequence[ReadModel]

    def attach(self, read_models: Sequence[ReadModel], registry: Any) -> bool: ...

    def process_batch(
        self, events: Sequence[tuple[Any, int]], tracking: Tracking, after: int | None = None
    ) -> None: ...

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def reading(self) -> Any: ...


class PositionMoved(IntegrityError):
    """A batch was refused because another runner moved the tracked position since it was
    read; nothing of the batch was written."""


class _ViewsMixin:
    """Shared by both stores: the read models' tables next to the tracking table."""

    dialect: str
    datastore: Any
    read_models: Sequence[ReadModel] = ()

    def _db(self, cursor: Any) -> Db:
        return Db(cursor, self.dialect, getattr(self.datastore, "schema", "public"))

    def attach(self, read_models: Sequence[ReadModel], registry: Any) -> bool:
        """Create the read models' tables, or rebuild them from the events of `registry`
        if their schema versions changed (projections/versions.py); returns whether they
        were rebuilt. On PostgreSQL call it inside `registry.store_setup.setup_lock`:
        concurrent DDL from processes started together fails (ProjectionRunner does so)."""
        self.read_models = list(read_models)
        for model in self.read_models:
            if (bind := getattr(model, "bind", None)) is not None:
                bind(self.read_models)
        with self.datastore.transaction(commit=True) as c:
            return open_tables(self, self._db(c), registry)

    def process_batch(
        self, events: Sequence[tuple[Any, int]], tracking: Tracking, after: int | None = None
    ) -> None:
        """Apply `events` and record `tracking` in one transaction. `after`, the position the
        batch was read after, makes the write conditional on the tracked position still
        being that (PostgreSQL): if another runner moved it meanwhile, PositionMoved is
        raised and nothing is written."""
        with self.datastore.transaction(commit=True) as c:
            # Tracking first: its write takes SQLite's write lock at once (waiting for a
            # command's commit if need be). A batch that read first and wrote after a command
            # committed would fail with "database is locked" (its WAL snapshot is stale) and
            # stop the runner. A repeated position still rolls the whole batch back.
            self._record_position(c, tracking, after)
            self.apply_batch(self._db(c), events)

    def apply_batch(self, db: Db, events: Sequence[tuple[Any, int]]) -> None:
        """Apply `events` to every read model in `db`'s transaction (the position is the
        caller's to record)."""
        try:
            # Optional: `prepare(db, events)` reads what the batch will need in a few
            # queries rather than one per event.
            batch = [event for event, _ in events]
            for model in self.read_models:
                if (prepare := getattr(model, "prepare", None)) is not None:
                    prepare(db, batch)
            appliers = [
                (model.apply, bool(getattr(model, "gated", False))) for model in self.read_models
            ]
            for event, position in events:
                held = False
                for apply, gated in appliers:
                    # An effect of a decision that waits for its condition is held by
                    # projections/pending.py; the models that answer validity skip it.
                    if held and gated:
                        continue
                    if apply(db, event, position) == HELD:
                        held = True
            # A small batch (read-your-writes) on PostgreSQL: its writes go in one
            # round trip; a large one (a catch-up) writes with COPY.
            with db.pipeline() if len(events) <= PIPELINED_BATCH else nullcontext():
                for model in self.read_models:
                    if (flush := getattr(model, "flush", None)) is not None:
                        flush(db)
        except BaseException:
            # The batch rolls back: what a model keeps in memory about it must go too.
            for model in self.read_models:
                if (discard := getattr(model, "discard", None)) is not None:
                    discard()
            raise

    def _record_position(self, cursor: Any, tracking: Tracking, after: int | None) -> None:
        self._insert_tracking(cursor, tracking)  # type: ignore[attr-defined]

    @contextmanager
    def reading(self) -> Iterator[Db]:
        with self.datastore.transaction(commit=False) as c:
            yield self._db(c)


class SQLiteViews(_ViewsMixin, SQLiteTrackingRecorder):
    """Read models in the SQLite file of the event store."""

    dialect = SQLITE


class PostgresViews(_ViewsMixin, PostgresTrackingRecorder):
    """Read models in the PostgreSQL schema of the event store."""

    dialect = POSTGRES

    @contextmanager
    def reading(self) -> Iterator[Db]:
        # No BEGIN ... ROLLBACK around a read: the pool's connections are in autocommit and
        # the isolation is READ COMMITTED, where every statement takes its own snapshot even
        # inside a transaction, so the transaction bought nothing but two round trips (the
        # first statement after BEGIN also cost 2-3x a lone one). Each statement still reads
        # one snapshot. Readers only SELECT (the pool may be the runner's, which writes).
        with self.datastore.get_connection() as connection:
            yield self._db(connection.cursor())

    def _record_position(self, cursor: Any, tracking: Tracking, after: int | None) -> None:
        # A process starting up runs the tables' DDL under the setup lock, and even DDL that
        # changes nothing (CREATE INDEX IF NOT EXISTS, ALTER TABLE ... IF NOT EXISTS) waits
        # for the table locks a batch holds, while the batch may wait for its: a deadlock
        # that would abort one of them. Taking the setup lock shared before any table lock
        # orders them: a batch waits for a setup in progress, a setup for the batch.
        # The commit need not wait for the WAL to reach the disk: a batch lost in a server
        # crash takes its tracked position with it (one transaction), so it is applied again,
        # never twice. Read models are derived data; the events keep the default.
        if after is None:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", (SETUP_LOCK_KEY,))
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            super()._record_position(cursor, tracking, after)
            return
        with cursor.connection.pipeline():  # the three statements in one round trip, in order
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", (SETUP_LOCK_KEY,))
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            self._compare_and_set(cursor, tracking, after)

    def _compare_and_set(self, cursor: Any, tracking: Tracking, after: int) -> None:
        # Compare-and-set rather than the library's "only forwards": several processes may
        # run a projection runner and only the elected leader should write, but should two
        # ever overlap (a leader cut off from its lock's connection and not yet aware), the
        # library's check would let a batch read after position 100 commit over one that
        # already recorded 150, applying 101..150 twice. A concurrent writer of the same
        # row waits for this transaction, then finds the position changed and writes nothing.
        row = cursor.execute(
            SQL(
                "INSERT INTO {0}.{1} AS t (application_name, notification_id) "
                "VALUES (%(name)s, %(position)s) ON CONFLICT (application_name) DO UPDATE "
                "SET notification_id = EXCLUDED.notification_id "
                "WHERE t.notification_id = %(after)s RETURNING notification_id"
            ).format(Identifier(self.datastore.schema), Identifier(self.tracking_table_name)),
            {
                "name": tracking.application_name,
                "position": tracking.notification_id,
                "after": after,
            },
        ).fetchone()
        if row is None:
            raise PositionMoved(
                f"the tracked position of {tracking.application_name} is no longer {after}: "
                "another projection runner recorded these events"
            )
