"""Agreements with their effective validity, versioned on valid time and recorded time.

The read model keeps the current state of each agreement as a snapshot (the library's
`Snapshot`) and applies each new event to it, so the rules of effective validity (entry into
force, adopted and pending extensions, termination) are the aggregate's own and never
duplicated here. Each event closes the current version row and inserts the new one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, StoredEvent

from projections.sql import POSTGRES, SQLITE, Db, as_date, as_datetime, in_list, known_at_clause
from projections.tables import Index, ReadModelSchema, snapshot_table, versions_table
from registry.domain.agreement import Agreement
from registry.status.agreement import (
    AgreementStatus,
    agreement_status,
    parties_not_adopted,
)

# The days an agreement is in force, on PostgreSQL. A computed start after the end (the last
# party adopted after the agreement expired, or it was terminated before it entered into force)
# means it is never in force: an empty range, where daterange() would raise an error and stop
# the projection at that event.
_PG_IN_FORCE = (
    "(CASE WHEN in_force_from > effective_until THEN 'empty'::daterange "
    "ELSE daterange(in_force_from, effective_until, '[]') END)"
)

SCHEMA = ReadModelSchema(
    version=1,
    tables=[
        snapshot_table("agreement_snapshots", "agreement_id"),
        versions_table(
            "agreement_versions",
            "agreement_id",
            """title text!, party_ids text!, valid_from date, valid_from_not_after date,
            valid_until date, not_before date, requires_all_adoptions int!,
            in_force_from date, effective_until date, terminated_on date, adoptions text!,
            extensions text!, revisions text!, decision_id text, source_document text,
            source_item text, source_url text, actor text, event_type text!""",
            [
                Index(
                    "agreement_versions_valid",
                    "recorded_to, in_force_from, effective_until",
                    only=SQLITE,
                ),
                Index(
                    "agreement_versions_in_force",
                    "",
                    postgres="USING gist ("
                    + _PG_IN_FORCE
                    + ", tstzrange(recorded_from, recorded_to, '[)'))",
                    only=POSTGRES,
                ),
            ],
        ),
    ],
    extras={POSTGRES: ["CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public"]},
)


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class ExtensionRow:
    key: str
    new_until: date
    status: str
    adopted_by: list[UUID]
    decision_id: UUID | None


@dataclass(frozen=True)
class AgreementRow:
    """One agreement as the registry knew it at some recorded time."""

    agreement_id: UUID
    title: str
    party_ids: list[UUID]
    valid_from: date | None
    valid_from_not_after: date | None
    valid_until: date | None
    not_before: date | None
    requires_all_adoptions: bool
    in_force_from: date | None
    effective_until: date | None
    terminated_on: date | None
    adoptions: dict[UUID, date]
    extensions: list[ExtensionRow]
    revisions: list[dict]
    decision_id: UUID | None
    source_document: str | None
    source_item: str | None
    actor: str | None
    event_type: str
    recorded_from: datetime

    @property
    def pending_extensions(self) -> list[ExtensionRow]:
        return [e for e in self.extensions if e.status == "pending"]

    @property
    def parties_not_adopted(self) -> list[UUID]:
        return self.parties_not_adopted_on(None)

    def parties_not_adopted_on(self, day: date | None) -> list[UUID]:
        """Parties yet to adopt it by `day` where its entry into force needs them to."""
        return parties_not_adopted(self.party_ids, self.adoptions, self.requires_all_adoptions, day)

    def status(self, day: date) -> AgreementStatus:
        """Its status on `day` (the domain's rule)."""
        return agreement_status_of(self, day)


def agreement_status_of(row: AgreementRow, day: date) -> AgreementStatus:
    """registry/status/agreement.py's rule on an agreement's row."""
    return agreement_status(
        day,
        party_ids=row.party_ids,
        adoptions=row.adoptions,
        valid_from=row.valid_from,
        valid_from_not_after=row.valid_from_not_after,
        not_before=row.not_before,
        requires_all_adoptions=row.requires_all_adoptions,
        effective_until=row.effective_until,
        terminated_on=row.terminated_on,
    )


def _row(r: dict) -> AgreementRow:
    extensions = [
        ExtensionRow(
            key=e["extension_key"],
            new_until=date.fromisoformat(e["new_until"]),
            status=e["status"],
            adopted_by=[UUID(p) for p in e["adoptions"]],
            decision_id=UUID(e["decision_id"]) if e.get("decision_id") else None,
        )
        for e in json.loads(r["extensions"])
    ]
    return AgreementRow(
        agreement_id=UUID(r["agreement_id"]),
        title=r["title"],
        party_ids=[UUID(p) for p in json.loads(r["party_ids"])],
        valid_from=as_date(r["valid_from"]),
        valid_from_not_after=as_date(r.get("valid_from_not_after")),
        valid_until=as_date(r["valid_until"]),
        not_before=as_date(r["not_before"]),
        requires_all_adoptions=bool(r["requires_all_adoptions"]),
        in_force_from=as_date(r["in_force_from"]),
        effective_until=as_date(r["effective_until"]),
        terminated_on=as_date(r["terminated_on"]),
        adoptions={UUID(k): date.fromisoformat(v) for k, v in json.loads(r["adoptions"]).items()},
        extensions=extensions,
        revisions=json.loads(r["revisions"]),
        decision_id=UUID(r["decision_id"]) if r["decision_id"] else None,
        source_document=r["source_document"],
        source_item=r["source_item"],
        actor=r["actor"],
        event_type=r["event_type"],
        recorded_from=as_datetime(r["recorded_from"]),  # type: ignore[arg-type]
    )


class AgreementsReadModel:
    """Applies Agreement events to a snapshot and versions the effective validity."""

    gated = True  # skips what projections/pending.py holds
    name = "agreements"
    schema = SCHEMA

    def __init__(self, mapper: Mapper) -> None:
        self.mapper = mapper
        # A batch is applied in memory and written at its end (`flush`): each agreement it
        # changed (its snapshot once), the new versions in order, the latest version of each
        # agreement, and the versions in the store it closes. `discard` forgets a batch.
        self._agreements: dict[UUID, Agreement] = {}
        self._rows: list[dict[str, Any]] = []
        self._latest: dict[UUID, dict[str, Any]] = {}
        self._closes: list[dict[str, Any]] = []
        self._created: set[UUID] = set()  # agreements registered by the batch
        self.written: list[dict[str, Any]] = []  # the rows `flush` wrote (status_ranges.py)

    def apply(self, db: Db, event: Any, position: int) -> None:
        if not isinstance(event, Agreement.Event):
            return
        if isinstance(event, Agreement.Registered):
            agreement = event.mutate(None)
            self._created.add(agreement.id)
        else:
            agreement = event.mutate(self._load(db, event.originator_id))
        self._agreements[agreement.id] = agreement
        latest = self._latest.get(agreement.id)
        if latest is not None:
            latest["recorded_to"] = event.timestamp
        elif event.originator_version != 1:  # the creating event: no version to close
            self._closes.append({"id": agreement.id, "t": event.timestamp})
        rule = agreement.entry_into_force
        ctx = event.context
        row = {
            "agreement_id": agreement.id,
            "title": agreement.title,
            "party_ids": _json(agreement.party_ids),
            "valid_from": agreement.valid_from,
            "valid_from_not_after": agreement.valid_from_not_after,
            "valid_until": agreement.valid_until,
            "not_before": rule.not_before if rule else None,
            "requires_all_adoptions": int(bool(rule and rule.requires_all_adoptions)),
            "in_force_from": agreement.in_force_from(),
            "effective_until": agreement.effective_until(),
            "terminated_on": agreement.terminated_on,
            "adoptions": _json(agreement.adoptions),
            "extensions": _json(list(agreement.extensions.values())),
            "revisions": _json(agreement.revisions),
            "decision_id": ctx.decision_id,
            "source_document": ctx.source.document,
            "source_item": ctx.source.item,
            "source_url": ctx.source.url,
            "actor": ctx.actor,
            "event_type": type(event).__name__,
            "event_position": position,
            "recorded_from": event.timestamp,
            "recorded_to": None,
        }
        self._rows.append(row)
        self._latest[agreement.id] = row

    def current_version(self, db: Db, agreement_id: UUID) -> dict[str, Any] | None:
        """The agreement's current version row (title, revisions as JSON, ...), with what
        this batch has applied so far."""
        latest = self._latest.get(agreement_id)
        if latest is not None:
            return latest
        return db.one(
            "SELECT * FROM {s}agreement_versions WHERE agreement_id = :id AND recorded_to IS NULL",
            {"id": agreement_id},
        )

    def flush(self, db: Db) -> None:
        # Closing first: a version inserted by this batch is never closed by these.
        db.execute_many(
            "UPDATE {s}agreement_versions SET recorded_to = :t "
            "WHERE agreement_id = :id AND recorded_to IS NULL",
            self._closes,
        )
        db.insert_many("agreement_versions", self._rows)
        snapshots = [self._snapshot(a) for a in self._agreements.values()]
        db.execute_many(
            "DELETE FROM {s}agreement_snapshots WHERE agreement_id = :id",
            [
                {"id": row["agreement_id"]}
                for row in snapshots
                if row["agreement_id"] not in self._created
            ],
        )
        db.insert_many("agreement_snapshots", snapshots)
        written = self._rows
        self.discard()
        self.written = written

    def discard(self) -> None:
        self._agreements.clear()
        self._created.clear()
        self._rows = []
        self.written = []
        self._latest.clear()
        self._closes = []

    def _load(self, db: Db, agreement_id: UUID) -> Agreement:
        if agreement_id in self._agreements:  # changed by this batch
            return self._agreements[agreement_id]
        row = db.one(
            "SELECT * FROM {s}agreement_snapshots WHERE agreement_id = :id", {"id": agreement_id}
        )
        if row is None:  # pragma: no cover - events arrive in order
            raise LookupError(f"no snapshot of agreement {agreement_id}")
        stored = StoredEvent(
            originator_id=agreement_id,
            originator_version=int(row["version"]),
            topic=row["topic"],
            state=row["state"].encode("utf8"),
        )
        return self.mapper.to_domain_event(stored).mutate(None)  # type: ignore[return-value]

    def _snapshot(self, agreement: Agreement) -> dict[str, Any]:
        stored = self.mapper.to_stored_event(Snapshot.take(agreement))
        return {
            "agreement_id": agreement.id,
            "topic": stored.topic,
            "version": stored.originator_version,
            "state": stored.state.decode("utf8"),
        }

    # -- reading ------------------------------------------------------------------------

    def valid_on(self, db: Db, as_of: date, known_at: datetime) -> list[AgreementRow]:
        """Agreements in force on `as_of` (after extensions, termination and the entry into
        force rule), as the registry knew them at `known_at`."""
        if db.dialect == POSTGRES:
            where = (
                f"in_force_from IS NOT NULL AND {_PG_IN_FORCE} @> :d::date "
                "AND tstzrange(recorded_from, recorded_to, '[)') @> :t::timestamptz"
            )
        else:
            where = (
                "in_force_from IS NOT NULL AND in_force_from <= :d "
                "AND (effective_until IS NULL OR effective_until >= :d) "
                "AND recorded_from <= :t AND (recorded_to IS NULL OR recorded_to > :t)"
            )
        rows = db.rows(
            f"SELECT * FROM {{s}}agreement_versions WHERE {where} ORDER BY title",
            {"d": as_of, "t": known_at},
        )
        return [_row(r) for r in rows]

    def all_known_at(self, db: Db, known_at: datetime) -> list[AgreementRow]:
        """Every agreement as the registry knew it at `known_at`, whatever its validity."""
        rows = db.rows(
            f"SELECT * FROM {{s}}agreement_versions WHERE {known_at_clause(db)} ORDER BY title",
            {"t": known_at},
        )
        return [_row(r) for r in rows]

    def as_known_at(self, db: Db, agreement_id: UUID, known_at: datetime) -> AgreementRow | None:
        return self.as_known_at_many(db, [agreement_id], known_at).get(agreement_id)

    def as_known_at_many(
        self, db: Db, agreement_ids: list[UUID], known_at: datetime
    ) -> dict[UUID, AgreementRow]:
        """Several agreements as known at `known_at`, in one statement."""
        ids, params = in_list(agreement_ids)
        if not params:
            return {}
        rows = db.rows(
            f"SELECT * FROM {{s}}agreement_versions WHERE agreement_id IN ({ids}) "
            f"AND {known_at_clause(db)}",
            {**params, "t": known_at},
        )
        return {UUID(r["agreement_id"]): _row(r) for r in rows}

    def written_by(self, db: Db, positions: Iterable[int]) -> dict[int, AgreementRow]:
        """The version each agreement event (by log position) wrote."""
        found, params = in_list(positions)
        if not params:
            return {}
        rows = db.rows(
            f"SELECT * FROM {{s}}agreement_versions WHERE event_position IN ({found})", params
        )
        return {int(r["event_position"]): _row(r) for r in rows}
