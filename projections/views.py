"""The materialised views: read-model tables plus the library's tracking table, in the same
store as the events. `process_batch` applies a batch of events to every read model and records
the batch's last position in one transaction: a repeated position raises IntegrityError and the
whole batch rolls back, so nothing is applied twice."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder

from projections.sql import POSTGRES, SQLITE, Db


class ReadModel(Protocol):
    name: str

    def ddl(self, dialect: str) -> list[str]: ...

    def apply(self, db: Db, event: Any, position: int) -> None: ...


class Views(Protocol):
    read_models: Sequence[ReadModel]

    def attach(self, read_models: Sequence[ReadModel]) -> None: ...

    def process_batch(self, events: Sequence[tuple[Any, int]], tracking: Tracking) -> None: ...

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def reading(self) -> Any: ...


class SQLiteViews(SQLiteTrackingRecorder):
    """Read models in the SQLite file of the event store."""

    dialect = SQLITE
    read_models: Sequence[ReadModel] = ()

    def attach(self, read_models: Sequence[ReadModel]) -> None:
        self.read_models = list(read_models)
        with self.datastore.transaction(commit=True) as c:
            db = Db(c, self.dialect)
            for model in self.read_models:
                db.script(model.ddl(self.dialect))

    def process_batch(self, events: Sequence[tuple[Any, int]], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            db = Db(c, self.dialect)
            for event, position in events:
                for model in self.read_models:
                    model.apply(db, event, position)
            self._insert_tracking(c, tracking)

    @contextmanager
    def reading(self) -> Iterator[Db]:
        with self.datastore.transaction(commit=False) as c:
            yield Db(c, self.dialect)


class PostgresViews(PostgresTrackingRecorder):
    """Read models in the PostgreSQL schema of the event store."""

    dialect = POSTGRES
    read_models: Sequence[ReadModel] = ()

    def attach(self, read_models: Sequence[ReadModel]) -> None:
        self.read_models = list(read_models)
        with self.datastore.transaction(commit=True) as c:
            db = Db(c, self.dialect, self.datastore.schema)
            for model in self.read_models:
                db.script(model.ddl(self.dialect))

    def process_batch(self, events: Sequence[tuple[Any, int]], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            db = Db(c, self.dialect, self.datastore.schema)
            for event, position in events:
                for model in self.read_models:
                    model.apply(db, event, position)
            self._insert_tracking(c, tracking)

    @contextmanager
    def reading(self) -> Iterator[Db]:
        with self.datastore.transaction(commit=False) as c:
            yield Db(c, self.dialect, self.datastore.schema)
