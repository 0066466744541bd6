"""The audit trail and the change feed: every event, in order, with its provenance.

`event_log` holds one row per event (entity, type, effective date, recorded time, actor,
source, authorising decision and the event's own data as JSON). `event_refs` indexes every
id mentioned inside an event, so "the events behind this membership, allocation, condition or
seat" is one indexed lookup even though those live inside a body's, fund's or decision's
events. Corrections, retractions and withdrawals are events like any other: the change feed
carries them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from projections.plain import dumps, plain_with_ids
from projections.sql import Db, as_date, as_datetime, in_list
from projections.tables import Index, ReadModelSchema, Table

_HIDDEN = {
    "originator_id",
    "originator_topic",
    "originator_version",
    "timestamp",
    "context",
    "effective_date",
}

SCHEMA = ReadModelSchema(
    version=1,
    tables=[
        Table(
            "event_log",
            """position bigint, entity_id text!, entity_type text!, event_type text!,
            entity_version bigint!, effective_date date, recorded_at time!, actor text,
            source_document text, source_item text, source_url text, note text,
            decision_id text, data text!""",
            key=["position"],
            indexes=[
                Index("event_log_entity", "entity_id, position"),
                Index("event_log_decision", "decision_id, position"),
            ],
        ),
        Table("event_refs", "ref_id text!, position bigint!", key=["ref_id", "position"]),
    ],
)


@dataclass(frozen=True)
class EventRow:
    position: int
    entity_id: UUID
    entity_type: str
    event_type: str
    entity_version: int
    effective_date: date | None
    recorded_at: datetime
    actor: str | None
    source_document: str | None
    source_item: str | None
    source_url: str | None
    note: str | None
    decision_id: UUID | None
    data: dict[str, Any]


def _row(r: dict) -> EventRow:
    return EventRow(
        position=int(r["position"]),
        entity_id=UUID(r["entity_id"]),
        entity_type=r["entity_type"],
        event_type=r["event_type"],
        entity_version=int(r["entity_version"]),
        effective_date=as_date(r["effective_date"]),
        recorded_at=as_datetime(r["recorded_at"]),  # type: ignore[arg-type]
        actor=r["actor"],
        source_document=r["source_document"],
        source_item=r["source_item"],
        source_url=r["source_url"],
        note=r["note"],
        decision_id=UUID(r["decision_id"]) if r["decision_id"] else None,
        data=json.loads(r["data"]),
    )


_ENTITY_TYPES: dict[type, str] = {}


def entity_type_of(event: Any) -> str:
    """`Body.MemberAppointed` → "body"."""
    kind = type(event)
    entity_type = _ENTITY_TYPES.get(kind)
    if entity_type is None:
        entity_type = _ENTITY_TYPES[kind] = kind.__qualname__.split(".")[0].lower()
    return entity_type


class LedgerReadModel:
    name = "ledger"
    schema = SCHEMA

    def __init__(self) -> None:
        self._log: list[dict[str, Any]] = []
        self._refs: list[dict[str, Any]] = []

    def apply(self, db: Db, event: Any, position: int) -> None:
        """Collects the event's rows; `flush` writes a batch's rows in a few statements."""
        if not hasattr(event, "context"):
            return
        mentioned: set[str] = set()
        data = {k: plain_with_ids(v, mentioned) for k, v in vars(event).items() if k not in _HIDDEN}
        ctx = event.context
        self._log.append(
            {
                "position": position,
                "entity_id": event.originator_id,
                "entity_type": entity_type_of(event),
                "event_type": type(event).__name__,
                "entity_version": event.originator_version,
                "effective_date": getattr(event, "effective_date", None),
                "recorded_at": event.timestamp,
                "actor": ctx.actor,
                "source_document": ctx.source.document,
                "source_item": ctx.source.item,
                "source_url": ctx.source.url,
                "note": getattr(ctx, "note", None),
                "decision_id": ctx.decision_id,
                "data": dumps(data),
            }
        )
        mentioned.discard(str(event.originator_id))
        for ref in sorted(mentioned):
            self._refs.append({"ref_id": ref, "position": position})

    def flush(self, db: Db) -> None:
        db.insert_many("event_log", self._log)
        db.insert_many("event_refs", self._refs)
        self.discard()

    def discard(self) -> None:
        self._log.clear()
        self._refs.clear()

    # -- reading ------------------------------------------------------------------------

    def about(
        self, db: Db, entity_id: UUID, after: int = 0, limit: int | None = None
    ) -> list[EventRow]:
        """The events of an entity, or mentioning it, oldest first, after a position."""
        rows = db.rows(
            "SELECT * FROM {s}event_log WHERE position > :after AND (entity_id = :id "
            "OR position IN (SELECT position FROM {s}event_refs WHERE ref_id = :id)) "
            "ORDER BY position" + (" LIMIT :limit" if limit is not None else ""),
            {"id": entity_id, "after": after, "limit": limit},
        )
        return [_row(r) for r in rows]

    def about_many(self, db: Db, ids: Iterable[UUID]) -> dict[UUID, list[EventRow]]:
        """The events behind many answer rows, in one statement."""
        placeholders, params = in_list(ids)
        if not params:
            return {}
        rows = db.rows(
            "SELECT e.*, e.entity_id AS about_id FROM {s}event_log e "
            f"WHERE e.entity_id IN ({placeholders}) "
            "UNION ALL SELECT e.*, r.ref_id AS about_id FROM {s}event_log e "
            f"JOIN {{s}}event_refs r ON r.position = e.position WHERE r.ref_id IN ({placeholders}) "
            "ORDER BY position",
            params,
        )
        found: dict[UUID, list[EventRow]] = {UUID(str(i)): [] for i in params.values()}
        for r in rows:
            found[UUID(r["about_id"])].append(_row(r))
        return found

    def authorised_by(self, db: Db, decision_ids: Iterable[UUID]) -> dict[UUID, list[EventRow]]:
        """The effects of decisions: every event each one authorised."""
        placeholders, params = in_list(decision_ids)
        if not params:
            return {}
        rows = db.rows(
            f"SELECT * FROM {{s}}event_log WHERE decision_id IN ({placeholders}) "
            "AND entity_id <> decision_id ORDER BY position",
            params,
        )
        found: dict[UUID, list[EventRow]] = {UUID(str(i)): [] for i in params.values()}
        for r in rows:
            found[UUID(r["decision_id"])].append(_row(r))
        return found

    def since(self, db: Db, after: int, limit: int) -> list[EventRow]:
        """The change feed: events recorded after a position, oldest first."""
        rows = db.rows(
            "SELECT * FROM {s}event_log WHERE position > :after ORDER BY position LIMIT :limit",
            {"after": after, "limit": limit},
        )
        return [_row(r) for r in rows]

    def count_since(self, db: Db, after: int) -> int:
        row = db.one(
            "SELECT COUNT(*) AS n FROM {s}event_log WHERE position > :after", {"after": after}
        )
        return int(row["n"]) if row else 0
