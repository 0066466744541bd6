"""Generations of the read models: rebuild them beside the serving ones, then switch readers
over, with no downtime (`registry rebuild`).

Event-sourced read models migrate by rebuilding, not by ALTER TABLE. On PostgreSQL each
generation of the read models (and its tracking table) lives in its own schema, and a
one-row pointer table in the event store's schema says which generation readers use:

- generation 0 is the event store's own schema (where read models lived before there were
  generations), generation N > 0 the schema `<event schema>_gen<N>`;
- `registry rebuild` creates generation N+1, catches it up from the event log while N keeps
  serving, then takes the event table's write lock (readers are not blocked), applies the last
  events and moves the pointer in the same transaction: at the moment of the switch the new
  generation holds every event recorded, so no reader ever sees a position go backwards;
- API processes (`ReadSide`) and projection runners look at the pointer at most every
  `CHECK_INTERVAL` seconds (one indexed one-row read) and switch; each request reads from the
  one generation it started with;
- the old generation is dropped after a grace period (`registry rebuild --grace`), or later
  by `registry rebuild --drop-old`.

A streaming replica receives the new schema and the pointer in the order they were written,
so a reader of the replica sees the switch only once the new generation has arrived there.

SQLite has no schemas in one file, so there a rebuild runs in place in ONE write transaction
(`rebuild_in_place`): readers keep reading the old tables from their WAL snapshot until the
commit and then see the new ones whole, but writers (imports, the projection runner) wait for
the rebuild, and give up after the store's lock timeout (5 s).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.utils import Environment

from projections.sql import POSTGRES, Db
from projections.versions import VERSIONS, rebuild
from projections.views import PostgresViews, SQLiteViews
from registry.config import StoreSettings

POINTER_TABLE = "registry_read_generation"
VIEWS_NAME = "RegistryViews"  # the tracking table is `registryviews_tracking`
TRACKING_TABLE = VIEWS_NAME.lower() + "_tracking"
CHECK_INTERVAL = 0.2  # seconds between two looks at the pointer, per process
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def generation_schema(base: str, generation: int) -> str:
    """The PostgreSQL schema that holds `generation` of the read models."""
    if generation == 0:
        return base
    name = f"{base}_gen{generation}"
    if not _IDENTIFIER.match(name):
        raise ValueError(
            f"the schema name {name!r} for read-model generation {generation} is not a plain "
            "identifier of at most 63 characters: use a shorter ?schema= in REGISTRY_DATABASE"
        )
    return name


def open_views(
    settings: StoreSettings, generation: int, base_schema: str | None = None, create: bool = True
) -> Any:
    """A views recorder (read models + tracking) for `generation` of the store in `settings`.

    `base_schema` is the event store's schema (default: the one in `settings`; a replica's
    URL need not repeat it). With `create=False` no table is created: a replica is read-only.
    """
    # As the library's Application does: the process environment (POSTGRES_POOL_SIZE and the
    # like), overridden by the store settings.
    env = {**os.environ, **settings.eventsourcing_env()}
    if settings.is_postgres:
        env["POSTGRES_SCHEMA"] = generation_schema(
            base_schema or settings.postgres_schema, generation
        )
    if not create:
        env["CREATE_TABLE"] = "n"
    factory = InfrastructureFactory.construct(env=Environment(VIEWS_NAME, env))
    return factory.tracking_recorder(PostgresViews if settings.is_postgres else SQLiteViews)


def _quoted(schema: str, table: str) -> str:
    return f'"{schema}"."{table}"'


class Generations:
    """Reads and moves the pointer to the generation readers use (PostgreSQL; on SQLite
    there is only generation 0). `base_schema` is the event store's schema."""

    def __init__(self, is_postgres: bool, base_schema: str = "public") -> None:
        self.is_postgres = is_postgres
        self.base = base_schema
        self._pointer = _quoted(base_schema, POINTER_TABLE)
        self._pointer_exists = False

    def current(self, datastore: Any, default: int = 0, strict: bool = False) -> int:
        """The generation the pointer names, read on `datastore` (any connection to the
        database). `default` when there is no pointer yet or (unless `strict`) it cannot be
        read just now: a reader keeps its generation through a passing connection error."""
        if not self.is_postgres:
            return 0
        try:
            with datastore.transaction(commit=False) as c:
                if not self._pointer_exists:
                    # Reading a table that does not exist would raise: ask first, until it does.
                    c.execute("SELECT to_regclass(%s) AS t", (self._pointer,))
                    if c.fetchone()["t"] is None:
                        return default
                    self._pointer_exists = True
                c.execute(f"SELECT generation FROM {self._pointer}")
                row = c.fetchone()
        except Exception:  # any failure to read: stay where we are
            if strict:
                raise
            return default
        return default if row is None else int(row["generation"])

    def ensure_pointer(self, cursor: Any) -> None:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self._pointer} ("
            "one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), generation INTEGER NOT NULL, "
            "switched_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )

    def switch(self, cursor: Any, generation: int) -> None:
        """Point readers at `generation` (inside the caller's transaction)."""
        self.ensure_pointer(cursor)
        cursor.execute(
            f"INSERT INTO {self._pointer} (one, generation) VALUES (TRUE, %s) "
            "ON CONFLICT (one) DO UPDATE SET generation = EXCLUDED.generation, "
            "switched_at = now()",
            (generation,),
        )

    def existing(self, datastore: Any) -> list[int]:
        """Every generation with read models in the database (0: in the event schema)."""
        with datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                (self.base.replace("_", r"\_") + r"\_gen%",),
            )
            found = [
                int(row["nspname"][len(self.base) + 4 :])
                for row in c.fetchall()
                if row["nspname"][len(self.base) + 4 :].isdigit()
            ]
            c.execute("SELECT to_regclass(%s) AS t", (_quoted(self.base, TRACKING_TABLE),))
            if c.fetchone()["t"] is not None:
                found.append(0)
        return sorted(found)

    def drop(self, datastore: Any, generation: int, tables: Sequence[str]) -> None:
        """Remove a generation's read models. Generation 0 shares its schema with the events,
        so only its read-model `tables` (and its tracking table) go."""
        with datastore.transaction(commit=True) as c:
            if generation == 0:
                for table in [*tables, TRACKING_TABLE]:
                    c.execute(f"DROP TABLE IF EXISTS {_quoted(self.base, table)} CASCADE")
            else:
                schema = generation_schema(self.base, generation)
                c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def read_model_tables(read_models: Sequence[Any], dialect: str) -> list[str]:
    """The tables the read models create, and the table of their schema versions."""
    return [
        *(table for model in read_models for table in model.schema.table_names(dialect)),
        VERSIONS.name,
    ]


class ReadSide:
    """What the API reads: the current generation of the read models, on the primary or on
    a streaming replica (REGISTRY_READ_DATABASE). Readers use it as they use the projection
    runner (`views`, `position()` and the read models' query methods), so a request keeps
    one generation and its cache key is the position of what it actually reads."""

    def __init__(
        self,
        runner: Any,
        read_settings: StoreSettings | None = None,
        check_interval: float = CHECK_INTERVAL,
    ) -> None:
        self.runner = runner
        primary = runner.registry.settings
        self.replica = read_settings is not None
        self.settings = read_settings or primary
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._checked = 0.0
        self._retired: Any = None
        if self.replica and not primary.is_postgres:
            raise ValueError(
                "REGISTRY_READ_DATABASE needs REGISTRY_DATABASE on PostgreSQL: a SQLite store "
                "has no streaming replica"
            )
        if not primary.is_postgres:
            # One generation, in the runner's own file: read through the runner's views.
            self.generations: Generations | None = None
            self.generation = 0
            self._views = None
            return
        self.generations = Generations(True, primary.postgres_schema)
        self._base = primary.postgres_schema
        pointer_store = open_views(self.settings, 0, self._base, create=False)
        self.generation = self.generations.current(pointer_store.datastore)
        if self.generation == 0:
            self._views = pointer_store
        else:
            pointer_store.datastore.close()
            self._views = open_views(self.settings, self.generation, self._base, create=False)
        self._checked = time.monotonic()

    @property
    def views(self) -> Any:
        """The current generation's views (the pointer looked at, at most every
        `check_interval` seconds)."""
        if self._views is None:
            return self.runner.views
        if time.monotonic() - self._checked >= self.check_interval:
            self._follow()
        return self._views

    def _follow(self) -> None:
        with self._lock:
            self._checked = time.monotonic()
            latest = self.generations.current(self._views.datastore, default=self.generation)  # type: ignore[union-attr]
            if latest == self.generation:
                return
            views = open_views(self.settings, latest, self._base, create=False)
            # Requests that began on the old views may still be reading: close it at the
            # next switch, not now.
            if self._retired is not None:
                self._retired.datastore.close()
            self._retired, self._views, self.generation = self._views, views, latest

    def position(self) -> int:
        """The last event position in the read models this process reads."""
        return self.views.max_tracking_id(self.runner.registry.name) or 0

    # The read models' query methods are stateless (they take a Db): the runner's serve.
    @property
    def memberships(self) -> Any:
        return self.runner.memberships

    @property
    def pending(self) -> Any:
        return self.runner.pending

    @property
    def agreements(self) -> Any:
        return self.runner.agreements

    @property
    def entities(self) -> Any:
        return self.runner.entities

    @property
    def ledger(self) -> Any:
        return self.runner.ledger

    @property
    def search(self) -> Any:
        return self.runner.search

    @property
    def registry(self) -> Any:
        return self.runner.registry

    def close(self) -> None:
        for views in (self._views, self._retired):
            if views is not None:
                views.datastore.close()


@dataclass(frozen=True)
class Rebuilt:
    """What `rebuild_generation` did: the generation replaced, the one now read, the log
    position at the switch, the read-model tables (to drop generation 0 by name), and how
    long writes waited for the switch (seconds the event table's write lock was held)."""

    old: int
    new: int
    position: int
    tables: list[str]
    write_pause: float = 0.0


def rebuild_generation(
    registry: Any,
    runner_factory: Callable[[int], Any],
    report: Callable[[str], None] = lambda _message: None,
) -> Rebuilt:
    """Build the next generation of the read models beside the current one and switch
    readers to it (PostgreSQL). `runner_factory(generation)` makes a projection runner pinned
    to a generation. One rebuild at a time: a second one is refused while the first runs."""
    settings = registry.settings
    base = settings.postgres_schema
    generations = Generations(True, base)
    datastore = registry.recorder.datastore
    with exclusive(datastore, base):
        return _rebuild(registry, runner_factory, report, generations, base)


@contextmanager
def exclusive(datastore: Any, base: str) -> Iterator[None]:
    """One rebuild (or drop of old generations) of a store at a time: a second is refused
    with RuntimeError. The advisory lock goes with the session if this process dies."""
    key = f"registry rebuild {base}"
    with datastore.get_connection() as guard:
        got = guard.execute("SELECT pg_try_advisory_lock(hashtext(%s)) AS got", (key,))
        if not got.fetchone()["got"]:
            raise RuntimeError("another `registry rebuild` of this store is running")
        try:
            yield
        finally:
            guard.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))


def _rebuild(
    registry: Any,
    runner_factory: Callable[[int], Any],
    report: Callable[[str], None],
    generations: Generations,
    base: str,
) -> Rebuilt:
    datastore = registry.recorder.datastore
    old = generations.current(datastore, strict=True)
    new = max([old, *generations.existing(datastore)]) + 1
    schema = generation_schema(base, new)
    with datastore.transaction(commit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    runner = runner_factory(new)
    try:
        tables = read_model_tables(runner.views.read_models, POSTGRES)
        report(f"building generation {new} in schema {schema} (generation {old} serves)")
        while runner.catch_up(limit_batches=20):
            report(f"  at position {runner.position()} of {registry.max_position()}")
        events_table = registry.recorder.events_table_name
        locked = time.monotonic()
        with datastore.transaction(commit=True) as c:
            # The write lock that every save takes (EXCLUSIVE: readers go on): no event can be
            # recorded between the last batch and the switch.
            c.execute(f'LOCK TABLE "{base}"."{events_table}" IN EXCLUSIVE MODE')
            runner.catch_up()
            position = runner.position()
            generations.switch(c, new)
        write_pause = time.monotonic() - locked
    except BaseException:
        runner.close()
        # Not switched: the half-built generation goes, the serving one stays.
        generations.drop(datastore, new, [])
        raise
    runner.close()
    report(
        f"switched readers to generation {new} at position {position} "
        f"(writes waited {write_pause * 1000:.0f} ms)"
    )
    return Rebuilt(old, new, position, tables, write_pause)


def rebuild_in_place(registry: Any, read_models: Sequence[Any], batch_size: int = 500) -> int:
    """Rebuild the read models of a SQLite store in one write transaction (see the module
    docstring); returns the position they reach."""
    views = open_views(registry.settings, 0)
    views.read_models = list(read_models)
    try:
        with views.datastore.transaction(commit=True) as c:
            # A write first: it takes the file's write lock now, so no event is recorded
            # (and no runner writes) until the commit.
            c.execute("DELETE FROM tracking WHERE application_name = ?", (registry.name,))
            position = rebuild(views, Db(c, views.dialect), registry, None, batch_size)
            if position:
                views._insert_tracking(c, Tracking(registry.name, position))
        return position
    finally:
        views.datastore.close()
