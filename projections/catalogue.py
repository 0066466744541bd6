"""Names the other read models refer to by id: organisations and decisions (current state).

Kept so that an answer row can say "on behalf of Region Örebro län, by decision § 9 of
2020-02-07" with one batched lookup instead of a query per row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from projections.sql import POSTGRES, Db
from registry.domain.decision import Decision
from registry.domain.organisation import Organisation

_DDL = [
    """CREATE TABLE IF NOT EXISTS {s}organisations (
        organisation_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS {s}decisions (
        decision_id TEXT PRIMARY KEY, body_id TEXT NOT NULL, decided_on {d} NOT NULL,
        item TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL)""",
]


class CatalogueReadModel:
    name = "catalogue"

    def ddl(self, dialect: str) -> list[str]:
        return [s.replace("{d}", "DATE" if dialect == POSTGRES else "TEXT") for s in _DDL]

    def apply(self, db: Db, event: Any, position: int) -> None:
        if isinstance(event, Organisation.Registered):
            db.insert(
                "organisations",
                {"organisation_id": event.originator_id, "name": event.name, "kind": event.kind},
            )
        elif isinstance(event, Organisation.Renamed):
            db.execute(
                "UPDATE {s}organisations SET name = :name WHERE organisation_id = :id",
                {"name": event.name, "id": event.originator_id},
            )
        elif isinstance(event, Decision.Recorded):
            db.insert(
                "decisions",
                {
                    "decision_id": event.originator_id,
                    "body_id": event.body_id,
                    "decided_on": event.decided_on,
                    "item": event.item,
                    "kind": str(event.kind),
                    "text": event.text,
                },
            )
        elif isinstance(event, Decision.Corrected):
            db.execute(
                "UPDATE {s}decisions SET kind = :kind, text = :text WHERE decision_id = :id",
                {"kind": str(event.kind), "text": event.text, "id": event.originator_id},
            )

    def _by_ids(self, db: Db, table: str, key: str, ids: Iterable[UUID | None]) -> dict[UUID, dict]:
        wanted = sorted({str(i) for i in ids if i is not None})
        if not wanted:
            return {}
        params = {f"p{n}": v for n, v in enumerate(wanted)}
        placeholders = ", ".join(f":{p}" for p in params)
        rows = db.rows(f"SELECT * FROM {{s}}{table} WHERE {key} IN ({placeholders})", params)
        return {UUID(r[key]): r for r in rows}

    def organisations(self, db: Db, ids: Iterable[UUID | None]) -> dict[UUID, dict]:
        return self._by_ids(db, "organisations", "organisation_id", ids)

    def decisions(self, db: Db, ids: Iterable[UUID | None]) -> dict[UUID, dict]:
        return self._by_ids(db, "decisions", "decision_id", ids)
