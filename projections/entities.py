"""Every other concept as a plain view, versioned on recorded time: organisations, persons,
bodies (their own facts; composition is in memberships.py), meetings, decisions, funds and
assignments.

Like agreements.py, the model keeps a snapshot of each aggregate (the library's `Snapshot`)
and applies each new event to it, so the rules stay the aggregate's own. After each event it
stores the aggregate's view (a JSON document) as a new version and closes the previous one at
the event's timestamp: "as known at T" is the version whose recorded range holds T. Facts that
change on valid time carry their dates in the view (a decision's revocation date, the date
each condition was met, an assignment's completion), and the readers compute the status on
any date from them.

A few indexed columns (type, body, key date, name) let lists be filtered in SQL.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, StoredEvent

from projections.mandates import MANDATE_VIEWS
from projections.plain import dumps, plain
from projections.plans import PLAN_VIEWS as _PLAN_VIEWS
from projections.sql import POSTGRES, Db, as_date, as_datetime, in_list, known_at_clause
from projections.tables import Index, ReadModelSchema, snapshot_table, versions_table
from registry.domain.assignment import Assignment
from registry.domain.body import Body
from registry.domain.decision import Decision
from registry.domain.fund import Fund
from registry.domain.meeting import Meeting
from registry.domain.organisation import Organisation
from registry.domain.person import Person

ORGANISATION = "organisation"
PERSON = "person"
BODY = "body"
MEETING = "meeting"
DECISION = "decision"
FUND = "fund"
ASSIGNMENT = "assignment"

# Views kept for aggregates of other modules: plans (plans.py) and mandates (mandates.py).
PLAN_VIEWS = {**_PLAN_VIEWS, **MANDATE_VIEWS}

_SNAPSHOTTED: dict[type, str] = {
    Organisation: ORGANISATION,
    Person: PERSON,
    Meeting: MEETING,
    Decision: DECISION,
    Fund: FUND,
    Assignment: ASSIGNMENT,
    **{cls: entity_type for cls, (entity_type, _, _) in PLAN_VIEWS.items()},
}

SCHEMA = ReadModelSchema(
    version=1,
    tables=[
        snapshot_table("entity_snapshots", "entity_id"),
        versions_table(
            "entity_versions",
            "entity_id",
            "entity_type text!, body_id text, key_date date, name text, view text!, "
            "event_type text!",
            [Index("entity_versions_list", "entity_type, body_id, key_date")],
        ),
    ],
)


@dataclass(frozen=True)
class EntityRow:
    """One entity as the registry knew it at some recorded time."""

    entity_id: UUID
    entity_type: str
    view: dict[str, Any]
    event_type: str
    recorded_from: datetime

    def __getitem__(self, key: str) -> Any:
        return self.view[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.view.get(key, default)

    def date(self, key: str) -> date | None:
        return as_date(self.view.get(key))

    def uuid(self, key: str) -> UUID | None:
        value = self.view.get(key)
        return UUID(value) if value else None


def _context(event: Any) -> dict[str, Any]:
    ctx = event.context
    return {
        "decision_id": plain(ctx.decision_id),
        "actor": ctx.actor,
        "source": plain(ctx.source),
        "note": getattr(ctx, "note", None),
    }


def _view(aggregate: Any, event: Any, previous: dict[str, Any] | None) -> dict[str, Any]:
    """The aggregate as a JSON-ready document; `previous` carries what only events tell."""
    view: dict[str, Any]
    if isinstance(aggregate, Organisation):
        view = {
            "name": aggregate.name,
            "kind": aggregate.kind,
            "former_names": [
                {"name": name, "until": plain(until)} for name, until in aggregate.former_names
            ],
        }
    elif isinstance(aggregate, Person):
        # Contact details as commitments and refs only: the values live apart in
        # personal_data and are read from there at query time, so a redaction leaves no
        # copy here to purge (docs/redaction.md).
        redactions = list((previous or {}).get("redactions", []))
        if isinstance(event, Person.Redacted):
            redactions.append(
                {
                    "refs": plain(event.refs),
                    "kinds": list(event.kinds),
                    "decision": event.decision,
                    "reason": event.reason,
                    "actor": event.context.actor,
                    "recorded_at": plain(event.timestamp),
                }
            )
        redacted = {str(r) for r in aggregate.redacted_refs}
        view = {
            "name": aggregate.name,
            "title": aggregate.title,
            "party": aggregate.party,
            "organisation_id": plain(aggregate.organisation_id),
            "name_variants": list(aggregate.name_variants),
            "merged_into": plain(aggregate.merged_into),
            "absorbed": plain(aggregate.absorbed),
            "contact_details": [
                {
                    "ref": str(c.ref),
                    "kind": c.kind,
                    "commitment": c.commitment,
                    "redacted": str(c.ref) in redacted,
                }
                for c in aggregate.contact_details
            ],
            "redactions": redactions,
        }
    elif isinstance(aggregate, Meeting):
        view = {
            "body_id": plain(aggregate.body_id),
            "held_on": plain(aggregate.held_on),
            "sequence": aggregate.sequence,
            "time": aggregate.time,
            "place": aggregate.place,
            "present": plain(aggregate.present),
            "absent": plain(aggregate.absent),
            "chair_id": plain(aggregate.chair_id),
            "secretary_id": plain(aggregate.secretary_id),
            "additional_secretary_ids": plain(aggregate.additional_secretary_ids),
            "items": plain(aggregate.items),
            "serving": plain(aggregate.serving),
            "approval": plain(aggregate.approval),
        }
    elif isinstance(aggregate, Decision):
        previous = previous or {}
        superseded_on = previous.get("superseded_on")
        if isinstance(event, Decision.Superseded):
            superseded_on = plain(event.effective_date)
        corrections = list(previous.get("corrections", []))
        if isinstance(event, Decision.Corrected):
            corrections.append({"reason": event.reason, "recorded_at": plain(event.timestamp)})
        view = {
            "body_id": plain(aggregate.body_id),
            "decided_on": plain(aggregate.decided_on),
            "decided_on_unknown": aggregate.decided_on_unknown,
            "decided_precision": aggregate.decided_precision,
            "item": aggregate.item,
            "ordinal": aggregate.ordinal,
            "meeting_id": plain(aggregate.meeting_id),
            "kind": str(aggregate.kind),
            "text": aggregate.text,
            "conditions": [
                {
                    "condition_id": str(c.condition_id),
                    "text": c.text,
                    "met_on": plain(aggregate.met_conditions.get(str(c.condition_id))),
                    "withdrawn_on": plain(aggregate.withdrawn_conditions.get(str(c.condition_id))),
                }
                for c in aggregate.conditions.values()
            ],
            "statements": plain(aggregate.statements),
            "votes": plain(aggregate.votes),
            "revoked_on": plain(aggregate.revoked_on),
            "superseded_by": plain(aggregate.superseded_by),
            "superseded_on": superseded_on,
            "corrections": corrections,
            "deferred_to": plain(aggregate.deferred_to),
            "appeals": plain(aggregate.appeals),
            "appeal_rulings": plain(aggregate.appeal_rulings),
        }
    elif isinstance(aggregate, Fund):
        previous_allocations = {
            a["allocation_id"]: a for a in (previous or {}).get("allocations", [])
        }
        allocations = []
        for allocation in aggregate.allocations.values():
            row = plain(allocation)
            before = previous_allocations.get(row["allocation_id"], {})
            touched = str(getattr(event, "allocation_id", "")) == row["allocation_id"] or (
                getattr(getattr(event, "allocation", None), "allocation_id", None)
                == allocation.allocation_id
            )
            if touched or not before:
                row["decision_id"] = plain(event.context.decision_id)
                row["effective_date"] = plain(event.effective_date)
            else:
                row["decision_id"] = before.get("decision_id")
                row["effective_date"] = before.get("effective_date")
            allocations.append(row)
        view = {
            "name": aggregate.name,
            "total": str(aggregate.total),
            "allocated": str(aggregate.allocated),
            "remaining": str(aggregate.remaining),
            "currency": aggregate.currency,
            "period_start": plain(aggregate.period_start),
            "period_end": plain(aggregate.period_end),
            "source_of_funds": aggregate.source_of_funds,
            "allocations": allocations,
        }
    elif isinstance(aggregate, Assignment):
        ended_on = (previous or {}).get("ended_on")
        if isinstance(event, Assignment.Completed | Assignment.Withdrawn):
            ended_on = plain(event.effective_date)
        view = {
            "key": aggregate.key,
            "body_id": plain(aggregate.given_by_body_id),
            "holder_kind": str(aggregate.holder_kind),
            "holder_id": plain(aggregate.holder_id),
            "holder_name": aggregate.holder_name,
            "task": aggregate.task,
            "due_date": plain(aggregate.due_date),
            "given_on": plain(aggregate.given_on),
            "status": aggregate.status,
            "ended_on": ended_on,
            "withdrawal_reason": getattr(event, "reason", None)
            if isinstance(event, Assignment.Withdrawn)
            else (previous or {}).get("withdrawal_reason"),
            "reports": [{"reported_on": plain(d), "text": t} for d, t in aggregate.reports],
        }
    elif type(aggregate) in PLAN_VIEWS:
        view = PLAN_VIEWS[type(aggregate)][1](aggregate, event, previous)
    else:  # pragma: no cover - only the types above are snapshotted
        raise TypeError(type(aggregate).__name__)
    change = _context(event)
    origin = (previous or {}).get("origin") or dict(change)
    view["origin"] = origin
    view["last_change"] = change | {"event_type": type(event).__name__}
    return view


# The view's field that gives each entity type's key date (read once, not per event).
_KEY_DATES: dict[str, str] = {
    MEETING: "held_on",
    DECISION: "decided_on",
    ASSIGNMENT: "due_date",
    BODY: "term_start",
    **{t: key for t, _, key in PLAN_VIEWS.values() if key},
}


def _columns(entity_type: str, view: dict[str, Any]) -> dict[str, Any]:
    key_date = _KEY_DATES.get(entity_type)
    return {
        "body_id": view.get("body_id"),
        "key_date": as_date(view.get(key_date)) if key_date else None,
        "name": view.get("name") or view.get("title") or view.get("task"),
    }


def _body_view(event: Body.Registered) -> dict[str, Any]:
    return {
        "name": event.name,
        "kind": event.kind,
        "key": event.key,
        "parent_body_id": plain(event.parent_body_id),
        "owner_organisation_ids": plain(event.owner_organisation_ids),
        "mandate": event.mandate,
        "term_start": plain(event.term_start),
        "term_end": plain(event.term_end),
        "origin": _context(event),
    }


def _body_changed(
    view: dict[str, Any], event: Body.Ceased | Body.CessationCorrected | Body.Renamed
) -> dict[str, Any]:
    """The body's view after it ceased or was renamed (dates as the source gives them)."""
    view = dict(view)
    change = _context(event)
    if isinstance(event, Body.Ceased | Body.CessationCorrected):
        view["ceased"] = {
            "on": event.on,
            "how": event.how,
            "successor_body_id": plain(event.successor_body_id),
            "correction_reason": getattr(event, "reason", None),
            **change,
        }
    else:
        view["renames"] = [
            *view.get("renames", []),
            {"old_name": view["name"], "name": event.name, "on": event.on, **change},
        ]
        view["name"] = event.name
    return view


class EntitiesReadModel:
    """Versions of every organisation, person, body, meeting, decision, fund and assignment."""

    gated = True  # skips what projections/pending.py holds
    name = "entities"
    schema = SCHEMA

    def __init__(self, mapper: Mapper, cache_size: int = 10_000) -> None:
        self.mapper = mapper
        self.cache_size = cache_size
        self._cache: OrderedDict[UUID, tuple[Any, dict[str, Any]]] = OrderedDict()
        self._dirty: dict[UUID, Any] = {}
        # The batch's new versions, written at its end: the rows in order, the latest of
        # each entity (closed in memory by the next), and the versions in the store that the
        # batch closes (one per entity at most).
        self._rows: list[dict[str, Any]] = []
        self._latest: dict[UUID, dict[str, Any]] = {}
        self._closes: list[dict[str, Any]] = []
        self._created: set[UUID] = set()  # aggregates created by the batch (no snapshot yet)
        # The view of each of the batch's rows (as the row's JSON holds it), and after `flush`
        # the rows it wrote with their views: status_ranges.py reads them from here rather
        # than from the table, in the same transaction (`written`).
        self._views: list[dict[str, Any]] = []
        self.written: list[tuple[dict[str, Any], dict[str, Any]]] = []

    # -- writing ------------------------------------------------------------------------

    def apply(self, db: Db, event: Any, position: int) -> None:
        if isinstance(event, Body.Registered):
            # A body's own facts come with its registration; its composition, which can
            # hold thousands of memberships, is versioned row by row in memberships.py.
            self._version(db, event, position, BODY, _body_view(event))
            return
        if isinstance(event, Body.Ceased | Body.CessationCorrected | Body.Renamed):
            view = self._current_view(db, event.originator_id)
            if view is not None:
                self._version(db, event, position, BODY, _body_changed(view, event))
            return
        entity_type = next(
            (t for cls, t in _SNAPSHOTTED.items() if isinstance(event, cls.Event)), None
        )
        if entity_type is None:
            return
        entity_id = event.originator_id
        if event.originator_version == 1:  # the event that created the aggregate
            aggregate = event.mutate(None)
            previous = None
            self._created.add(entity_id)
        else:
            cached = self._cache.get(entity_id)
            if cached is not None and cached[0].version == event.originator_version - 1:
                aggregate, previous = cached
            else:  # not in memory, or another runner has applied events since
                aggregate = self._load(db, entity_id)
                previous = self._current_view(db, entity_id)
            aggregate = event.mutate(aggregate)
        view = _view(aggregate, event, previous)
        self._remember(aggregate, view)
        self._version(db, event, position, entity_type, view)

    # The aggregates and views of recent events stay in memory, and each changed snapshot is
    # written once at the end of its batch instead of after every event. A cached aggregate
    # is used only if its version is the one just before the event's, so a batch rolled back
    # (or applied by another runner) is never built upon.

    def _remember(self, aggregate: Any, view: dict[str, Any]) -> None:
        self._cache[aggregate.id] = (aggregate, view)
        self._cache.move_to_end(aggregate.id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        self._dirty[aggregate.id] = aggregate

    def flush(self, db: Db) -> None:
        # Closing first: a version inserted by this batch is never closed by these.
        db.execute_many(
            "UPDATE {s}entity_versions SET recorded_to = :t "
            "WHERE entity_id = :id AND recorded_to IS NULL",
            self._closes,
        )
        db.insert_many("entity_versions", self._rows)
        # Snapshots of aggregates created by this batch are new rows; the others replace.
        new, changed = [], []
        for entity_id, aggregate in self._dirty.items():
            snapshot = self._snapshot(aggregate)
            if entity_id in self._created:
                new.append({"entity_id": snapshot.pop("id"), **snapshot})
            else:
                changed.append(snapshot)
        db.insert_many("entity_snapshots", new)
        db.execute_many(
            "INSERT INTO {s}entity_snapshots (entity_id, topic, version, state) "
            "VALUES (:id, :topic, :version, :state) ON CONFLICT (entity_id) DO UPDATE SET "
            "topic = excluded.topic, version = excluded.version, state = excluded.state",
            changed,
        )
        self._dirty.clear()
        written = list(zip(self._rows, self._views, strict=True))
        self._forget_batch()
        self.written = written

    def discard(self) -> None:
        self._dirty.clear()
        self._cache.clear()
        self._forget_batch()

    def _forget_batch(self) -> None:
        self._created.clear()
        self._rows = []
        self._views = []
        self.written = []
        self._latest.clear()
        self._closes = []

    def _version(
        self, db: Db, event: Any, position: int, entity_type: str, view: dict[str, Any]
    ) -> None:
        entity_id = event.originator_id
        latest = self._latest.get(entity_id)
        if latest is not None:
            latest["recorded_to"] = event.timestamp
        elif event.originator_version != 1:  # the creating event: no version to close
            self._closes.append({"id": entity_id, "t": event.timestamp})
        row = {
            "entity_id": entity_id,
            "entity_type": entity_type,
            **_columns(entity_type, view),
            "view": dumps(view),
            "event_type": type(event).__name__,
            "event_position": position,
            "recorded_from": event.timestamp,
            "recorded_to": None,
        }
        self._rows.append(row)
        self._views.append(view)
        self._latest[entity_id] = row

    def current_view(self, db: Db, entity_id: UUID) -> dict[str, Any] | None:
        """The entity's current view, with what this batch has applied so far."""
        return self._current_view(db, entity_id)

    def _current_view(self, db: Db, entity_id: UUID) -> dict[str, Any] | None:
        latest = self._latest.get(entity_id)
        if latest is not None:
            return json.loads(latest["view"])
        row = db.one(
            "SELECT view FROM {s}entity_versions WHERE entity_id = :id AND recorded_to IS NULL",
            {"id": entity_id},
        )
        return json.loads(row["view"]) if row else None

    def _load(self, db: Db, entity_id: UUID) -> Any:
        if entity_id in self._dirty:  # changed by this batch, its snapshot not yet written
            return self._dirty[entity_id]
        row = db.one("SELECT * FROM {s}entity_snapshots WHERE entity_id = :id", {"id": entity_id})
        if row is None:  # pragma: no cover - events arrive in order
            raise LookupError(f"no snapshot of {entity_id}")
        stored = StoredEvent(
            originator_id=entity_id,
            originator_version=int(row["version"]),
            topic=row["topic"],
            state=row["state"].encode("utf8"),
        )
        return self.mapper.to_domain_event(stored).mutate(None)

    def _snapshot(self, aggregate: Any) -> dict[str, Any]:
        stored = self.mapper.to_stored_event(Snapshot.take(aggregate))
        return {
            "id": aggregate.id,
            "topic": stored.topic,
            "version": stored.originator_version,
            "state": stored.state.decode("utf8"),
        }

    # -- reading ------------------------------------------------------------------------

    def get(self, db: Db, entity_id: UUID, known_at: datetime) -> EntityRow | None:
        rows = self.get_many(db, [entity_id], known_at)
        return rows.get(entity_id)

    def get_many(
        self, db: Db, entity_ids: Iterable[UUID | None], known_at: datetime
    ) -> dict[UUID, EntityRow]:
        """Many entities as known at `known_at`, in one statement."""
        ids, params = in_list(entity_ids)
        if not params:
            return {}
        if db.dialect == POSTGRES:
            # One statement text whatever the number of ids: prepared once per connection,
            # not planned again for every page (issue 13).
            rows = db.rows(
                "SELECT * FROM {s}entity_versions WHERE entity_id = ANY(:ids) "
                f"AND {known_at_clause(db)}",
                {"ids": [str(v) for v in params.values()], "t": known_at},
            )
        else:
            rows = db.rows(
                f"SELECT * FROM {{s}}entity_versions WHERE entity_id IN ({ids}) "
                f"AND {known_at_clause(db)}",
                {**params, "t": known_at},
            )
        return {UUID(r["entity_id"]): _entity(r) for r in rows}

    def list(
        self,
        db: Db,
        entity_type: str,
        known_at: datetime,
        body_ids: Iterable[UUID] | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> list[EntityRow]:
        """Entities of one type as known at `known_at`, optionally of some bodies and with
        their key date (decided on, held on, due) within [date_from, date_to]."""
        where = ["entity_type = :type", known_at_clause(db)]
        params: dict[str, Any] = {"type": entity_type, "t": known_at}
        if body_ids is not None:
            bodies, body_params = in_list(body_ids, "b")
            if not body_params:
                return []
            params.update(body_params)
            where.append(f"body_id IN ({bodies})")
        if date_from is not None:
            where.append("key_date >= :date_from")
            params["date_from"] = date_from
        if date_to is not None:
            where.append("key_date <= :date_to")
            params["date_to"] = date_to
        rows = db.rows(
            f"SELECT * FROM {{s}}entity_versions WHERE {' AND '.join(where)} "
            "ORDER BY key_date, name, entity_id",
            params,
        )
        return [_entity(r) for r in rows]

    def written_by(self, db: Db, positions: Iterable[int]) -> dict[int, EntityRow]:
        """The version each event (by log position) wrote: the entity right after it."""
        found, params = in_list(positions)
        if not params:
            return {}
        rows = db.rows(
            f"SELECT * FROM {{s}}entity_versions WHERE event_position IN ({found})", params
        )
        return {int(r["event_position"]): _entity(r) for r in rows}

    def versions(self, db: Db, entity_id: UUID) -> list[EntityRow]:
        rows = db.rows(
            "SELECT * FROM {s}entity_versions WHERE entity_id = :id ORDER BY version_id",
            {"id": entity_id},
        )
        return [_entity(r) for r in rows]


def _entity(r: dict) -> EntityRow:
    return EntityRow(
        entity_id=UUID(r["entity_id"]),
        entity_type=r["entity_type"],
        view=json.loads(r["view"]),
        event_type=r["event_type"],
        recorded_from=as_datetime(r["recorded_from"]),  # type: ignore[arg-type]
    )


def money(value: Any) -> Decimal:
    return Decimal(str(value))


__all__ = ["EntitiesReadModel", "EntityRow"]
