"""Read-model tables declared once (projections/tables.py) and migrated by rebuilding
(projections/versions.py): the declarations make the same tables, columns and indexes a
store had when each dialect's DDL was written by hand; a changed schema version, or a store
with no versions stored, rebuilds every read model from the event log at start, with the
tracked position unchanged; the same versions rebuild nothing."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from projections.memberships import MembershipsReadModel
from projections.runner import ProjectionRunner
from projections.versions import stored_versions
from registry.application import Registry
from registry.config import StoreSettings
from tests.catalogue import catalogue
from tests.read_scenario import build

# The catalogue of a fresh store made by the hand-written DDL of each dialect (before the
# declarations), as tests/catalogue.py reads it.
BEFORE = json.loads((Path(__file__).parent / "data" / "read_model_catalogue.json").read_text())


def affinity(declared: str) -> str:
    """SQLite's type affinity of a declared column type (its only meaning there)."""
    if "INT" in declared:
        return "INTEGER"
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if not declared or "BLOB" in declared:
        return "BLOB"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def comparable(store: dict[str, Any], dialect: str) -> dict[str, Any]:
    if dialect == "postgres":
        return store
    return {
        name: {
            **table,
            "columns": [[c[0], affinity(c[1]), *c[2:]] for c in table["columns"]],
        }
        for name, table in store.items()
    }


def test_the_declared_tables_are_the_ones_the_hand_written_ddl_made(runner: ProjectionRunner):
    dialect = runner.views.dialect
    now = catalogue(runner)
    # One table more: the read models' schema versions, beside the tracking position.
    assert set(now) - set(BEFORE[dialect]) == {"read_model_versions"}
    del now["read_model_versions"]
    assert comparable(now, dialect) == comparable(BEFORE[dialect], dialect)


def without_snapshot_time(row: dict) -> dict:
    """A snapshot row without the moment the snapshot was taken (not part of the record)."""
    if "state" not in row or "topic" not in row:
        return row
    state = json.loads(row["state"])
    state.pop("timestamp", None)
    return {**row, "state": state}


def read_models(runner: ProjectionRunner) -> dict[str, list[dict]]:
    """Every row of every read-model table, in a stable order."""
    tables = [
        table
        for model in runner.views.read_models
        for table in model.schema.table_names(runner.views.dialect)
        if not table.startswith("search_fts")  # FTS5: read through its content table
    ]
    # PostgreSQL: rows as JSON (psycopg cannot load an 'infinity' timestamptz).
    select = "SELECT row_to_json(t)::text AS row FROM {s}%s t"
    with runner.views.reading() as db:
        if runner.views.dialect == "postgres":
            found = {t: [json.loads(r["row"]) for r in db.rows(select % t)] for t in tables}
        else:
            found = {t: db.rows(f"SELECT * FROM {t}") for t in tables}
    return {
        table: sorted(
            map(without_snapshot_time, rows),
            key=lambda r: json.dumps(r, sort_keys=True, default=str),
        )
        for table, rows in found.items()
    }


@pytest.fixture
def projected(settings: StoreSettings) -> Iterator[Registry]:
    """A store with the read scenario recorded and projected, its runner closed."""
    registry = Registry(settings)
    runner = ProjectionRunner(registry)
    build(registry)
    runner.catch_up()
    runner.close()
    yield registry
    registry.close()


MARK = "INSERT INTO {s}bodies (body_id, name, kind) VALUES ('marker', 'Marker', 'board')"


def mark_tables(registry: Registry) -> None:
    """A row no event made: gone after a rebuild, kept otherwise."""
    runner = ProjectionRunner(registry)
    with runner.views.datastore.transaction(commit=True) as c:
        runner.views._db(c).execute(MARK)
    runner.close()


def marked(runner: ProjectionRunner) -> bool:
    with runner.views.reading() as db:
        return db.one("SELECT 1 AS x FROM {s}bodies WHERE body_id = 'marker'") is not None


def versions(runner: ProjectionRunner) -> dict[str, int]:
    with runner.views.reading() as db:
        return stored_versions(db)


@contextmanager
def restarted(registry: Registry) -> Iterator[ProjectionRunner]:
    runner = ProjectionRunner(registry)
    try:
        yield runner
    finally:
        runner.close()


def before_and_after(registry: Registry, change: Any) -> tuple[Any, Any]:
    """(position, rows) of the read models before `change(db, dialect)` and after a start."""
    runner = ProjectionRunner(registry)
    before = (runner.position(), read_models(runner))
    with runner.views.datastore.transaction(commit=True) as c:
        change(runner.views._db(c), runner.views.dialect)
        runner.views._db(c).execute(MARK)
    runner.close()
    after = ProjectionRunner(registry)
    try:
        assert not marked(after)  # rebuilt
        return before, (after.position(), read_models(after), versions(after))
    finally:
        after.close()


def test_a_changed_schema_version_rebuilds_the_read_models_from_the_log(
    projected: Registry, monkeypatch: pytest.MonkeyPatch
):
    def bump(_db: Any, _dialect: str) -> None:
        schema = MembershipsReadModel.schema
        monkeypatch.setattr(
            MembershipsReadModel, "schema", dataclasses.replace(schema, version=schema.version + 1)
        )

    (position, rows), (position_after, rows_after, stored) = before_and_after(projected, bump)
    assert position_after == position > 0
    assert rows_after == rows  # what projecting the same events gave
    assert stored["memberships"] == MembershipsReadModel.schema.version == 2
    # Started again with the same versions: nothing is rebuilt.
    mark_tables(projected)
    with restarted(projected) as runner:
        assert marked(runner)
        assert runner.position() == position


def test_a_store_without_stored_versions_is_rebuilt_once_with_its_new_columns(
    projected: Registry,
):
    # A store made before versions were kept, whose agreement table lacks a column added
    # since (an earlier version added it with ALTER TABLE).
    def older(db: Any, _dialect: str) -> None:
        db.execute("DROP TABLE {s}read_model_versions")
        db.execute("ALTER TABLE {s}agreement_versions DROP COLUMN valid_from_not_after")

    (position, rows), (position_after, rows_after, stored) = before_and_after(projected, older)
    assert position_after == position > 0
    assert rows_after == rows
    assert stored["agreements"] == 1 and len(stored) == 8
    mark_tables(projected)
    with restarted(projected) as runner:
        assert marked(runner)


def test_a_fresh_store_records_its_versions_and_replays_nothing(runner: ProjectionRunner):
    assert runner.position() == 0
    assert versions(runner) == {m.name: m.schema.version for m in runner.views.read_models}
