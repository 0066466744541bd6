"""Statuses on valid time as stored ranges, so that lists are filtered and paged in SQL
(issue 13): "decisions IN_FORCE on D as known at T, page after cursor C" is one indexed
query whatever the size of the registry.

A status is a rule of the domain (registry/status/decision.py, registry/status/agreement.py,
registry/status/assignment.py) over what one version of an entity records. Each rule compares
the day only with dates it is given (`day < X`, `X <= day`, `day > X`), so between two of
those dates (or the day after one) its answer cannot change. At projection time, for each
new version of a decision, assignment or agreement, this model evaluates the rule itself on
the first day, on every date the version records and on the day after each, and stores the
resulting runs as rows (kind, entity, status, valid_from, valid_to, recorded_from,
recorded_to): the rule is not restated in SQL, only sampled where it can change.

Each row also carries the list's sort key as text (components joined so that text order is
the order of the API's key tuples: binary collation on SQLite, "C" on PostgreSQL), and the
columns the lists filter on (body, key date, decision kind, holder). A list is then

    SELECT entity_id, sort_key FROM status_ranges
    WHERE kind = :k AND <day in valid range> AND <T in recorded range> [AND status IN ...]
      [AND sort_key > :cursor] ORDER BY sort_key LIMIT :n

read in the index's order (kind, [status,] sort_key), and only the page's entities are then
loaded. Open bounds are stored as far-past/far-future values on both stores so the range
tests are plain comparisons.

The model takes the versions the entities and agreements models wrote for the batch's
events (by log position) in `flush`, after theirs (it is registered after them), from what
they keep of the batch (`written`), not by reading them back. A store made before this
model existed has no schema version for it and is rebuilt from the event log
(projections/versions.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from projections.agreements import AgreementRow
from projections.agreements import _row as agreement_row
from projections.sql import POSTGRES, Db, as_date, as_datetime, in_list
from projections.tables import Index, ReadModelSchema, Table
from registry.status import decision as statuses
from registry.status.assignment import assignment_status, overdue

DECISION = "decision"
ASSIGNMENT = "assignment"
AGREEMENT = "agreement"

FIRST_DAY = date(1, 1, 1)
LAST_DAY = date(9999, 12, 31)
OPEN_TIME_TEXT = "9999-12-31 00:00:00.000000"
OPEN_TIME = datetime(9999, 12, 31)  # PostgreSQL: as timestamptz with the session's zone

# Each list index carries the range columns and the id after its sort key, so a page is
# read from the index alone (no table look-up per row scanned).
_COVER = "sort_key, valid_from, valid_to, recorded_from, recorded_to, entity_id"
SCHEMA = ReadModelSchema(
    version=1,
    tables=[
        Table(
            "status_ranges",
            """kind text!, entity_id text!, status text!, late bigint!, valid_from date!,
            valid_to date!, recorded_from time!, recorded_to time!, sort_key sort_key!,
            body_id text, key_date date, variant text, holder_id text, event_position bigint!""",
            indexes=[
                Index("status_ranges_by_status", f"kind, status, {_COVER}"),
                Index("status_ranges_by_key", f"kind, {_COVER}"),
                Index("status_ranges_by_late", f"kind, late, {_COVER}"),
                Index("status_ranges_by_body", f"kind, body_id, {_COVER}"),
                Index("status_ranges_current", "entity_id, recorded_to"),
            ],
        )
    ],
)

# -- the sort keys: text whose order is the order of the API's key tuples ---------------------

_SEP = "\x01"  # below every character a name, item or date holds


def natural(item: str) -> str:
    """Sort "9" before "10": zero-pad a leading number (as the API's decision key does)."""
    digits = len(item) - len(item.lstrip("0123456789"))
    return item[:digits].zfill(8) + item[digits:] if digits else item


def _part(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        if not -(10**15) < value < 10**15:
            raise TypeError(value)
        return f"{value + 10**15:016d}"  # non-negative, fixed width: text order is int order
    if isinstance(value, str):
        return value
    raise TypeError(value)


def sort_key_text(key: Sequence[Any]) -> str:
    """The text for a key tuple (str and int parts); TypeError for anything else."""
    return _SEP.join(_part(v) for v in key)


# The types of the parts of each kind's sort key (a cursor of another shape is not of its list).
KEY_SHAPE: dict[str, tuple[type, ...]] = {
    DECISION: (str, str, int, str),
    ASSIGNMENT: (str, str, str),
    AGREEMENT: (str, str),
}


def decision_key(view: Mapping[str, Any], entity_id: str) -> list[Any]:
    return [view["decided_on"], natural(view["item"]), view["ordinal"], entity_id]


def assignment_key(view: Mapping[str, Any], entity_id: str) -> list[Any]:
    return [view.get("due_date") or "9999-12-31", view["task"], entity_id]


def agreement_key(row: AgreementRow) -> list[Any]:
    return [row.title, str(row.agreement_id)]


# -- the rules on a version's record ------------------------------------------------------------


def decision_status_of(view: Mapping[str, Any], day: date) -> statuses.DecisionStatus:
    """registry/status/decision.py's rule on a decision's view (entities.py)."""
    return statuses.decision_status(
        kind=view["kind"],
        decided_on=as_date(view["decided_on"]),  # type: ignore[arg-type]
        conditions=[
            statuses.ConditionState(as_date(c.get("met_on")), as_date(c.get("withdrawn_on")))
            for c in view.get("conditions", [])
        ],
        revoked_on=as_date(view.get("revoked_on")),
        superseded=bool(view.get("superseded_by")),
        superseded_on=as_date(view.get("superseded_on")),
        day=day,
    )


def assignment_status_of(view: Mapping[str, Any], day: date) -> str:
    """registry/status/assignment.py's rule on an assignment's view (entities.py)."""
    return assignment_status(
        given_on=as_date(view.get("given_on")),
        status=view["status"],
        ended_on=as_date(view.get("ended_on")),
        day=day,
    )


def _decision_dates(view: Mapping[str, Any]) -> list[date | None]:
    days = [view.get("decided_on"), view.get("revoked_on"), view.get("superseded_on")]
    for c in view.get("conditions", []):
        days += [c.get("met_on"), c.get("withdrawn_on")]
    return [as_date(d) for d in days]


def _assignment_dates(view: Mapping[str, Any]) -> list[date | None]:
    return [as_date(view.get(k)) for k in ("given_on", "ended_on", "due_date")]


def _agreement_dates(row: AgreementRow) -> list[date | None]:
    return [
        row.valid_from,
        row.valid_from_not_after,
        row.not_before,
        row.effective_until,
        row.terminated_on,
        *row.adoptions.values(),
    ]


def runs(
    value_on: Callable[[date], Hashable], dates: Iterable[date | None]
) -> list[tuple[date, date, Any]]:
    """The runs [from, to) of days over which `value_on` is constant, given every date it
    compares the day with: it is sampled on the first day, on each date and the day after."""
    cuts = {FIRST_DAY}
    for d in dates:
        if d is not None:
            cuts.add(d)
            if d < LAST_DAY:
                cuts.add(d + timedelta(days=1))
    ordered = sorted(cuts)
    found: list[tuple[date, date, Any]] = []
    for start, end in zip(ordered, [*ordered[1:], LAST_DAY], strict=True):
        value = value_on(start)
        if found and found[-1][2] == value:
            found[-1] = (found[-1][0], end, value)
        else:
            found.append((start, end, value))
    return found


@dataclass(frozen=True)
class Version:
    """One recorded version of an entity, as a list reads it."""

    kind: str
    entity_id: str
    recorded_from: datetime
    recorded_to: datetime | None
    event_position: int
    sort_key: str
    body_id: str | None
    key_date: date | None
    variant: str | None
    holder_id: str | None
    runs: list[tuple[date, date, Any]]


def decision_version(r: Mapping[str, Any]) -> Version:
    view = json.loads(r["view"]) if isinstance(r["view"], str) else r["view"]
    entity_id = str(r["entity_id"])
    return Version(
        DECISION,
        entity_id,
        as_datetime(r["recorded_from"]),  # type: ignore[arg-type]
        as_datetime(r["recorded_to"]),
        int(r["event_position"]),
        sort_key_text(decision_key(view, entity_id)),
        view.get("body_id"),
        as_date(view.get("decided_on")),
        view.get("kind"),
        None,
        runs(lambda d: (str(decision_status_of(view, d)), False), _decision_dates(view)),
    )


def assignment_version(r: Mapping[str, Any]) -> Version:
    view = json.loads(r["view"]) if isinstance(r["view"], str) else r["view"]
    entity_id = str(r["entity_id"])
    due = as_date(view.get("due_date"))

    def value(d: date) -> tuple[str, bool]:
        status = assignment_status_of(view, d)
        return status, overdue(due_date=due, status_on_day=status, day=d)

    return Version(
        ASSIGNMENT,
        entity_id,
        as_datetime(r["recorded_from"]),  # type: ignore[arg-type]
        as_datetime(r["recorded_to"]),
        int(r["event_position"]),
        sort_key_text(assignment_key(view, entity_id)),
        view.get("body_id"),
        due,
        None,
        view.get("holder_id"),
        runs(value, _assignment_dates(view)),
    )


def agreement_version(r: Mapping[str, Any]) -> Version:
    row = agreement_row(dict(r))
    return Version(
        AGREEMENT,
        str(row.agreement_id),
        as_datetime(r["recorded_from"]),  # type: ignore[arg-type]
        as_datetime(r["recorded_to"]),
        int(r["event_position"]),
        sort_key_text(agreement_key(row)),
        None,
        None,
        None,
        None,
        runs(lambda d: (str(row.status(d)), False), _agreement_dates(row)),
    )


_SOURCES: list[tuple[str, str, Callable[[Mapping[str, Any]], Version]]] = [
    ("entity_versions", "entity_type = 'decision'", decision_version),
    ("entity_versions", "entity_type = 'assignment'", assignment_version),
    ("agreement_versions", "1 = 1", agreement_version),
]


class StatusRangesReadModel:
    """The validity ranges of decisions', assignments' and agreements' statuses."""

    gated = True  # skips what projections/pending.py holds, as the models it reads do
    name = "status_ranges"
    schema = SCHEMA

    def __init__(self) -> None:
        self._positions: list[int] = []
        self._entities: Any = None
        self._agreements: Any = None

    def backfill(self, db: Db) -> None:
        """Fill an empty table from the versions already in the store (tests and benchmarks
        that write entity versions directly)."""
        if db.one("SELECT 1 AS x FROM {s}status_ranges LIMIT 1") is not None:
            return
        for table, where, _ in _SOURCES:
            if db.one(f"SELECT 1 AS x FROM {{s}}{table} WHERE {where} LIMIT 1") is not None:
                self._write(db, self._read(db, None))
                return

    # -- writing ------------------------------------------------------------------------

    def apply(self, db: Db, event: Any, position: int) -> None:
        self._positions.append(position)

    def bind(self, read_models: list[Any]) -> None:
        """The models whose versions this one samples (they flush first, and keep the rows
        they wrote: `written`)."""
        for model in read_models:
            if model.name == "entities":
                self._entities = model
            elif model.name == "agreements":
                self._agreements = model

    def flush(self, db: Db) -> None:
        positions, self._positions = self._positions, []
        if not positions:
            return
        if self._entities is None or self._agreements is None:  # not bound: read them back
            for start in range(0, len(positions), 500):
                self._write(db, self._read(db, positions[start : start + 500]))
            return
        self._write(db, self._written(set(positions)))

    def _written(self, positions: set[int]) -> list[Version]:
        """The versions the entities and agreements models wrote for `positions` in this
        batch, from their memory (as `_read` would read them back, in the same order)."""
        decisions: list[tuple[int, Version]] = []
        assignments: list[tuple[int, Version]] = []
        agreements: list[tuple[int, Version]] = []
        for row, view in self._entities.written:
            position = row["event_position"]
            if position not in positions:
                continue
            kind = row["entity_type"]
            if kind == DECISION:
                decisions.append((position, decision_version({**row, "view": view})))
            elif kind == ASSIGNMENT:
                assignments.append((position, assignment_version({**row, "view": view})))
        for row in self._agreements.written:
            position = row["event_position"]
            if position in positions:
                decision_id = row["decision_id"]
                as_stored = {
                    **row,
                    "agreement_id": str(row["agreement_id"]),
                    "decision_id": str(decision_id) if decision_id else None,
                }
                agreements.append((position, agreement_version(as_stored)))
        found: list[Version] = []
        for part in (decisions, assignments, agreements):
            part.sort(key=lambda pair: pair[0])
            found += [version for _, version in part]
        return found

    def discard(self) -> None:
        self._positions = []

    def _read(self, db: Db, positions: list[int] | None) -> list[Version]:
        found: list[Version] = []
        for table, where, make in _SOURCES:
            params: dict[str, Any] = {}
            clause = where
            if positions is not None:
                marks, params = in_list(positions)
                if not params:
                    return []
                clause += f" AND event_position IN ({marks})"
            rows = db.rows(
                f"SELECT * FROM {{s}}{table} WHERE {clause} ORDER BY event_position", params
            )
            found += [make(r) for r in rows]
        return found

    def _write(self, db: Db, versions: list[Version]) -> None:
        if not versions:
            return
        # The versions these replace: closed at the first new one's recorded time (the
        # entities and agreements models close theirs at the same moment).
        first: dict[str, datetime] = {}
        for v in versions:
            if v.entity_id not in first or v.recorded_from < first[v.entity_id]:
                first[v.entity_id] = v.recorded_from
        closing = list(first.items())
        stamp = "CAST(:a{n} AS TIMESTAMPTZ)" if db.dialect == POSTGRES else ":a{n}"
        for start in range(0, len(closing), 200):  # one statement per 200 entities
            part = closing[start : start + 200]
            params: dict[str, Any] = {"open": _open_time(db)}
            cases = []
            for n, (entity_id, at) in enumerate(part):
                params[f"e{n}"], params[f"a{n}"] = entity_id, at
                cases.append(f"WHEN :e{n} THEN {stamp.format(n=n)}")
            ids = ", ".join(f":e{n}" for n in range(len(part)))
            # Only ranges of versions before this batch are open here (the batch's own are
            # inserted below), and each of those was replaced at the batch's first version.
            db.execute(
                "UPDATE {s}status_ranges SET recorded_to = CASE entity_id "
                + " ".join(cases)
                + f" END WHERE entity_id IN ({ids}) AND recorded_to = :open",
                params,
            )
        rows = []
        for v in versions:
            for start, end, (status, late) in v.runs:
                rows.append(
                    {
                        "kind": v.kind,
                        "entity_id": v.entity_id,
                        "status": status,
                        "late": 1 if late else 0,
                        "valid_from": start,
                        "valid_to": end,
                        "recorded_from": v.recorded_from,
                        "recorded_to": v.recorded_to or _open_time(db),
                        "sort_key": v.sort_key,
                        "body_id": v.body_id,
                        "key_date": v.key_date,
                        "variant": v.variant,
                        "holder_id": v.holder_id,
                        "event_position": v.event_position,
                    }
                )
        db.insert_many("status_ranges", rows, chunk=50)


def _open_time(db: Db) -> Any:
    return OPEN_TIME_TEXT if db.dialect != POSTGRES else "infinity"


# -- reading: a page of a list ------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """The ids of one page, in order, with their key texts; `more`: rows follow it."""

    ids: list[UUID]
    more: bool
    before: bool


@dataclass
class ListQuery:
    """What a list asks: the kind, the day and moment, and its filters."""

    kind: str
    day: date
    known_at: datetime
    statuses: list[str] | None = None
    late: bool | None = None
    body_ids: list[str] | None = None
    key_from: date | None = None
    key_to: date | None = None
    key_before: date | None = None
    variants: list[str] | None = None
    holders: list[str] | None = None

    def where(self, db: Db) -> tuple[str, dict[str, Any]]:
        clauses = [
            "kind = :kind",
            "valid_from <= :day AND valid_to > :day",
            "recorded_from <= :t AND recorded_to > :t",
        ]
        params: dict[str, Any] = {"kind": self.kind, "day": self.day, "t": self.known_at}
        for column, values, prefix in (
            ("status", self.statuses, "st"),
            ("body_id", self.body_ids, "b"),
            ("variant", self.variants, "va"),
            ("holder_id", self.holders, "h"),
        ):
            if values is not None:
                marks, found = in_list(values, prefix)
                clauses.append(f"{column} IN ({marks})" if found else "1 = 0")
                params.update(found)
        if self.late is not None:
            clauses.append("late = :late")
            params["late"] = 1 if self.late else 0
        if self.key_from is not None:
            clauses.append("key_date >= :key_from")
            params["key_from"] = self.key_from
        if self.key_to is not None:
            clauses.append("key_date <= :key_to")
            params["key_to"] = self.key_to
        if self.key_before is not None:
            clauses.append("key_date IS NOT NULL AND key_date < :key_before")
            params["key_before"] = self.key_before
        return " AND ".join(clauses), params

    def page(self, db: Db, after: str | None, size: int) -> Page:
        """The ids of up to `size` rows sorting after the key text `after`."""
        return keyset_page(db, "status_ranges", *self.where(db), after, size)

    def count(self, db: Db) -> int:
        return keyset_count(db, "status_ranges", *self.where(db))


def keyset_page(
    db: Db, table: str, where: str, params: dict[str, Any], after: str | None, size: int
) -> Page:
    """The ids of up to `size` rows of `table` matching `where`, sorting after the key text
    `after` (a table with `entity_id` and an indexed `sort_key`; list_keys.py too)."""
    if after is not None:
        params = {**params, "after": after}
    rows = db.rows(
        f"SELECT entity_id FROM {{s}}{table} WHERE {where}"
        + (" AND sort_key > :after" if after is not None else "")
        + " ORDER BY sort_key LIMIT :limit",
        {**params, "limit": size + 1},
    )
    before = after is not None and (
        db.one(
            f"SELECT 1 AS x FROM {{s}}{table} WHERE {where} AND sort_key <= :after LIMIT 1",
            params,
        )
        is not None
    )
    return Page([UUID(r["entity_id"]) for r in rows[:size]], len(rows) > size, before)


def keyset_count(db: Db, table: str, where: str, params: dict[str, Any]) -> int:
    row = db.one(f"SELECT COUNT(*) AS n FROM {{s}}{table} WHERE {where}", params)
    return int(row["n"]) if row else 0


__all__ = [
    "AGREEMENT",
    "ASSIGNMENT",
    "DECISION",
    "ListQuery",
    "Page",
    "StatusRangesReadModel",
    "assignment_status_of",
    "decision_status_of",
    "keyset_count",
    "keyset_page",
    "runs",
    "sort_key_text",
]
