"""Schema versions of the read models, and the rebuild from the event log that a changed
version causes (the way event-sourced read models migrate: never by ALTER TABLE).

Each read model declares its tables and a schema version (`schema`, projections/tables.py).
The versions the tables were built with are stored beside the tracking position, in the
table `read_model_versions (model, version)`. When the projection runner opens the read models
(`open_tables`, inside the views' transaction and, on PostgreSQL, the setup lock) it compares
them with the code's:

- the same versions: the tables are created if missing, nothing else;
- any version changed, a model added or removed, or no versions stored at all (a store made
  before versions were kept, whose tables may lack columns added since: it is rebuilt once):
  every read model is rebuilt in that one transaction. Their tables are dropped and created
  again, the events up to the tracked position are replayed through them by the runner's own
  batch code (`apply_batch`), and the new versions are written. The tracked position does not
  move, so the tables, the versions and the position commit together: no event is applied
  twice or skipped, and the runner goes on from that position as before.

All read models are rebuilt, not only the changed one: they share one tracked position, and
some read the tables of others within a batch (search, status ranges and list keys read
what the entities and agreements models wrote). A store with no tracked position (nothing
projected yet) has its tables made afresh and its versions written, with nothing to replay.

The rebuild holds the write lock (SQLite) or the tables' locks (PostgreSQL) until it commits:
readers of the same store wait. On PostgreSQL `registry rebuild`, run with the new code
before the servers restart, builds a new generation beside the serving one instead
(projections/generations.py); that generation carries the new versions, so nothing is rebuilt
again at start.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from projections.sql import POSTGRES, Db
from projections.tables import Table
from registry.chain import RawEvent, canonical_id

log = logging.getLogger("registry.projections")

VERSIONS = Table("read_model_versions", "model text, version int!", key=["model"])

#: Events replayed per batch in a rebuild.
REPLAY_BATCH = 500


def code_versions(read_models: Sequence[Any]) -> dict[str, int]:
    """The schema version of each read model, by its name, as the code declares them."""
    return {model.name: model.schema.version for model in read_models}


def stored_versions(db: Db) -> dict[str, int]:
    """The versions the store's read-model tables were built with (empty: none stored)."""
    return {r["model"]: int(r["version"]) for r in db.rows("SELECT * FROM {s}read_model_versions")}


def tracked_position(db: Db, tracking_table: str, application_name: str) -> int:
    """The position the read models hold, read in the caller's transaction."""
    row = db.one(
        f'SELECT MAX(notification_id) AS p FROM {{s}}"{tracking_table}" '
        "WHERE application_name = :name",
        {"name": application_name},
    )
    return int(row["p"]) if row and row["p"] is not None else 0


def open_tables(views: Any, db: Db, registry: Any) -> bool:
    """Make the read models' tables current (see the module docstring) inside `db`'s
    transaction; returns whether they were rebuilt."""
    tracking = getattr(views, "tracking_table_name", "tracking")
    # A write first: on SQLite it takes the file's write lock now, so no batch of another
    # process commits between what is read here and the rebuild.
    db.execute(f'DELETE FROM {{s}}"{tracking}" WHERE 0 = 1')
    db.script(VERSIONS.ddl(views.dialect))
    wanted = code_versions(views.read_models)
    stored = stored_versions(db)
    if stored == wanted:
        for model in views.read_models:
            db.script(model.schema.ddl(views.dialect))
        return False
    position = tracked_position(db, tracking, registry.name)
    if position:
        log.warning(
            "read-model schema versions %s differ from the store's %s: rebuilding the read "
            "models from the event log up to position %d",
            wanted,
            stored or "(none stored)",
            position,
        )
    rebuild(views, db, registry, position)
    return bool(position)


def rebuild(
    views: Any, db: Db, registry: Any, upto: int | None, batch_size: int = REPLAY_BATCH
) -> int:
    """Drop and create the read models' tables, replay the events up to `upto` (None: to
    the end of the log) and record the code's versions, in `db`'s transaction; returns the
    position replayed to. Never projects around a broken hash-chain link: ChainBroken is
    raised and the caller's transaction rolls back."""
    cascade = " CASCADE" if views.dialect == POSTGRES else ""
    for model in views.read_models:
        for table in model.schema.table_names(views.dialect):
            db.execute(f"DROP TABLE IF EXISTS {{s}}{table}{cascade}")
    for model in views.read_models:
        db.script(model.schema.ddl(views.dialect))
    position = 0
    while upto is None or position < upto:
        notifications = registry.recorder.select_notifications(
            start=position, limit=batch_size, stop=upto, inclusive_of_start=False
        )
        if not notifications:
            break
        raw = [
            RawEvent(n.id, canonical_id(n.originator_id), n.originator_version, n.topic, n.state)
            for n in notifications
        ]
        _good, broken = registry.chain.check_batch(position, raw)
        if broken is not None:
            raise broken
        views.apply_batch(db, [(registry.mapper.to_domain_event(n), n.id) for n in notifications])
        position = notifications[-1].id
    db.execute("DELETE FROM {s}read_model_versions")
    db.insert_many(
        "read_model_versions",
        [{"model": name, "version": v} for name, v in code_versions(views.read_models).items()],
    )
    return position
