"""Stores for the national benchmark: a temporary SQLite directory and a temporary PostgreSQL
database per run (dropped at the end, also on Ctrl-C or SIGTERM), and building the log.

The log is built once through the real importer (generated minutes, `national_data.py`) on
the first store and copied to the others with the chain's own export and restore (every link
recomputed and checked), so that both stores hold the same events; above COPY_LIMIT events
(the export is read whole into memory) each store is built by the importer instead.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import psycopg

from benchmarks.national_data import bodies_for, meetings
from registry.application import Registry
from registry.audit import read_export, verify_export, verify_store, write_ndjson
from registry.config import StoreSettings
from registry.importing.importer import import_data

DEFAULT_SERVER = os.environ.get("REGISTRY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
COPY_LIMIT = 200_000


class BuildRegistry(Registry):
    """The registry with the library's aggregate cache and no deep copies, for building only
    (no import here is refused, so a cached aggregate is never left half-changed). The events
    written are the same; the figures use the plain `Registry`."""

    name = "Registry"  # the same tables (the library names them after the application)
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "20000",
        "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
    }


@dataclass
class Store:
    kind: str  # "sqlite" or "postgres"
    label: str  # "SQLite" or "PostgreSQL"
    url: str  # what StoreSettings and `registry serve --database` take

    @property
    def settings(self) -> StoreSettings:
        return StoreSettings(self.url)


@dataclass
class Built:
    events: int
    documents: int
    corrections: int
    bodies: int
    seconds: float
    recorded_from: datetime  # the wall-clock span of the build: knownAt is drawn from it
    recorded_to: datetime
    how: str  # "imported" or "restored"


class Stores:
    """Makes stores for one kind; `close()` removes them all."""

    def __init__(self, kind: str, workdir: Path, server: str) -> None:
        self.kind = kind
        self.workdir = workdir
        self.server = server
        self.databases: list[str] = []

    def new(self, name: str) -> Store:
        if self.kind == "sqlite":
            return Store("sqlite", "SQLite", str(self.workdir / f"{name}.sqlite"))
        prefix = os.environ.get("NATIONAL_DATABASE_PREFIX", "registry_national")
        database = f"{prefix}_{uuid.uuid4().hex[:8]}_{name}"
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        self.databases.append(database)
        with psycopg.connect(f"{self.server}/{database}", autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
        return Store("postgres", "PostgreSQL", f"{self.server}/{database}")

    def scratch(self, name: str) -> StoreSettings:
        """A small fresh store (SQLite file, or a schema in a scratch database)."""
        if self.kind == "sqlite":
            return StoreSettings(str(self.workdir / f"{name}-{uuid.uuid4().hex[:6]}.sqlite"))
        if not any(d.endswith("_scratch") for d in self.databases):
            self.new("scratch")
        database = next(d for d in self.databases if d.endswith("_scratch"))
        schema = f"s_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(f"{self.server}/{database}", autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        return StoreSettings(f"{self.server}/{database}?schema={schema}")

    def close(self) -> None:
        if not self.databases:
            return
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as admin:
            for database in self.databases:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self.databases = []


@contextmanager
def stores(kind: str, workdir: Path, server: str) -> Iterator[Stores]:
    made = Stores(kind, workdir, server)
    try:
        yield made
    finally:
        made.close()


def build(store: Store, events: int, seed: int, progress: bool = True) -> Built:
    """Import generated minutes until the log holds at least `events` events."""
    registry = BuildRegistry(store.settings)
    try:
        began, first = time.perf_counter(), datetime.now(UTC)
        written = documents = corrections = 0
        bodies = bodies_for(events)
        shown = began
        for name, document, reason in meetings(seed, bodies):
            result = import_data(
                registry, document, name, correct=reason is not None, reason=reason
            )
            written += result.events
            documents += 1
            corrections += reason is not None
            if progress and time.perf_counter() - shown > 30:
                shown = time.perf_counter()
                print(f"    ... {written:,} events, {shown - began:.0f} s", flush=True)
            if written >= events:
                break
        seconds = time.perf_counter() - began
        return Built(
            registry.max_position(),
            documents,
            corrections,
            bodies,
            seconds,
            first,
            datetime.now(UTC),
            "imported",
        )
    finally:
        registry.close()


def verify(store: Store) -> tuple[bool, float]:
    registry = Registry(store.settings)
    try:
        began = time.perf_counter()
        report = verify_store(registry.chain, None)
        return report.ok, time.perf_counter() - began
    finally:
        registry.close()


def copy(source: Store, target: Store, built: Built, workdir: Path) -> Built:
    """The same log in another store, through the chain's export and restore."""
    began = time.perf_counter()
    path = workdir / f"export-{uuid.uuid4().hex[:6]}.ndjson"
    registry = Registry(source.settings)
    try:
        with path.open("w", encoding="utf-8") as out:
            write_ndjson(registry.chain, out)
    finally:
        registry.close()
    export = read_export(path)
    checked = verify_export(export, None)
    if not checked.ok:
        raise SystemExit(f"the export does not verify: {checked.findings}")
    registry = Registry(target.settings)
    try:
        registry.chain.restore(export.events, export.checkpoints, export.meta)
    finally:
        registry.close()
    path.unlink()
    return Built(
        built.events,
        built.documents,
        built.corrections,
        built.bodies,
        time.perf_counter() - began,
        built.recorded_from,
        built.recorded_to,
        "restored",
    )
