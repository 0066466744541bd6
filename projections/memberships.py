"""Memberships, versioned on valid time and recorded time.

Each row is one version of one membership: valid over [valid_from, valid_to) (valid_to NULL:
open) and recorded over [recorded_from, recorded_to) (recorded_to NULL: current). An event
that changes a membership closes the current version at the event's timestamp and inserts the
new one, so "members of B on D as known at T" is one indexed lookup whatever the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from projections import fast_rows
from projections.sql import POSTGRES, Db, as_date, as_datetime, in_list
from projections.tables import Index, ReadModelSchema, Table, versions_table
from registry.domain.body import Body, Membership

SCHEMA = ReadModelSchema(
    version=1,
    tables=[
        Table("bodies", "body_id text, name text!, kind text!", key=["body_id"]),
        Table(
            "body_seats",
            """seat_id text, body_id text!, label text!, on_behalf_of text, note text,
            role text, ordinal bigint, defined_on date, recorded_from time""",
            key=["seat_id"],
        ),
        versions_table(
            "membership_versions",
            "membership_id",
            """body_id text!, person_id text!, person_name text!, role text!, seat_id text,
            on_behalf_of text, deputy_for text, start_date date, start_not_after date,
            valid_from date!, valid_to date, note text, decision_id text,
            source_document text, source_item text, source_url text, actor text,
            event_type text!, correction_reason text""",
            [
                Index(
                    "membership_versions_as_of",
                    "body_id, recorded_to, valid_from, valid_to",
                    postgres="USING gist (body_id, daterange(valid_from, valid_to, '[)'), "
                    "tstzrange(recorded_from, recorded_to, '[)'))",
                ),
                Index(
                    "membership_versions_person",
                    "person_id, recorded_to, valid_from, valid_to",
                    postgres="(person_id, recorded_to)",
                ),
            ],
        ),
    ],
    extras={POSTGRES: ["CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public"]},
)


@dataclass(frozen=True)
class MembershipRow:
    """One membership as the registry knew it at some recorded time."""

    membership_id: UUID
    body_id: UUID
    person_id: UUID
    person_name: str
    role: str
    seat_id: UUID | None
    seat_label: str | None
    on_behalf_of: UUID | None
    deputy_for: UUID | None
    start_date: date | None
    start_not_after: date | None
    end_date: date | None
    note: str | None
    decision_id: UUID | None
    source_document: str | None
    source_item: str | None
    source_url: str | None
    actor: str | None
    event_type: str
    correction_reason: str | None
    event_position: int
    recorded_from: datetime
    recorded_to: datetime | None


# SQLite cannot bound an index range by "IS NULL OR > x", so open bounds are stored there as
# far-future sentinels (every version of a body was visited otherwise; see benchmarks/).
# PostgreSQL keeps NULL, which its range types read as unbounded.
OPEN_DATE = "9999-12-31"
OPEN_TIME = "9999-12-31 00:00:00.000000"


def _open_date(db: Db, value: date | None) -> date | str | None:
    return OPEN_DATE if value is None and db.dialect != POSTGRES else value


def _open_time(db: Db) -> str | None:
    return None if db.dialect == POSTGRES else OPEN_TIME


def _held(db: Db) -> str:
    """Membership versions valid on `:d` as recorded at `:t` (one indexed range test)."""
    if db.dialect == POSTGRES:
        return (
            "daterange(v.valid_from, v.valid_to, '[)') @> :d::date "
            "AND tstzrange(v.recorded_from, v.recorded_to, '[)') @> :t::timestamptz"
        )
    return "v.recorded_to > :t AND v.recorded_from <= :t AND v.valid_from <= :d AND v.valid_to > :d"


def _current(db: Db) -> str:
    return "recorded_to IS NULL" if db.dialect == POSTGRES else "recorded_to = :open"


def _chunks(values: list[Any], size: int) -> list[list[Any]]:
    return [values[n : n + size] for n in range(0, len(values), size)]


def _uuid(value: Any) -> UUID | None:
    return UUID(str(value)) if value is not None else None


def _row(r: dict) -> MembershipRow:
    return MembershipRow(
        membership_id=UUID(r["membership_id"]),
        body_id=UUID(r["body_id"]),
        person_id=UUID(r["person_id"]),
        person_name=r["person_name"],
        role=r["role"],
        seat_id=_uuid(r["seat_id"]),
        seat_label=r.get("seat_label"),
        on_behalf_of=_uuid(r["on_behalf_of"]),
        deputy_for=_uuid(r["deputy_for"]),
        start_date=as_date(r["start_date"]),
        start_not_after=as_date(r["start_not_after"]),
        end_date=None if r["valid_to"] == OPEN_DATE else as_date(r["valid_to"]),
        note=r["note"],
        decision_id=_uuid(r["decision_id"]),
        source_document=r["source_document"],
        source_item=r["source_item"],
        source_url=r["source_url"],
        actor=r["actor"],
        event_type=r["event_type"],
        correction_reason=r["correction_reason"],
        event_position=int(r["event_position"]),
        recorded_from=as_datetime(r["recorded_from"]),  # type: ignore[arg-type]
        recorded_to=None if r["recorded_to"] == OPEN_TIME else as_datetime(r["recorded_to"]),
    )


# The read path (issue 13): the columns of MembershipRow in its field order, read as tuples
# and built through projections/fast_rows.py's caches. `_row` above is the general path.
_SELECT = (
    "SELECT v.membership_id, v.body_id, v.person_id, v.person_name, v.role, v.seat_id, "
    "s.label, v.on_behalf_of, v.deputy_for, v.start_date, v.start_not_after, v.valid_to, "
    "v.note, v.decision_id, v.source_document, v.source_item, v.source_url, v.actor, "
    "v.event_type, v.correction_reason, v.event_position, v.recorded_from, v.recorded_to "
    "FROM {s}membership_versions v LEFT JOIN {s}body_seats s ON s.seat_id = v.seat_id "
)
_ORDER = " ORDER BY v.role, v.person_name, v.valid_from"


def _build_rows(
    rows: list[Any],
    dates_as_text: bool,
    uuid: Any = fast_rows.uuid,
    day: Any = fast_rows.day,
    time: Any = fast_rows.time,
    new: Any = fast_rows.new,
    cls: type = MembershipRow,
) -> list[MembershipRow]:
    """MembershipRows from `_SELECT`'s tuples (dates as ISO text on SQLite, as dates on
    PostgreSQL: those need no conversion)."""
    found = []
    for r in rows:
        start, not_after, end, closed = r[9], r[10], r[11], r[22]
        if dates_as_text:
            start = start and day[start]
            not_after = not_after and day[not_after]
            end = None if end is None or end == OPEN_DATE else day[end]
            closed = None if closed is None or closed == OPEN_TIME else time[closed]
        elif closed is not None:
            closed = time[closed]
        found.append(
            new(
                cls,
                {
                    "membership_id": uuid[r[0]],
                    "body_id": uuid[r[1]],
                    "person_id": uuid[r[2]],
                    "person_name": r[3],
                    "role": r[4],
                    "seat_id": r[5] and uuid[r[5]],
                    "seat_label": r[6],
                    "on_behalf_of": r[7] and uuid[r[7]],
                    "deputy_for": r[8] and uuid[r[8]],
                    "start_date": start,
                    "start_not_after": not_after,
                    "end_date": end,
                    "note": r[12],
                    "decision_id": r[13] and uuid[r[13]],
                    "source_document": r[14],
                    "source_item": r[15],
                    "source_url": r[16],
                    "actor": r[17],
                    "event_type": r[18],
                    "correction_reason": r[19],
                    "event_position": r[20],
                    "recorded_from": time[r[21]],
                    "recorded_to": closed,
                },
            )
        )
    return found


# Rows already built, by the whole tuple read: the same inputs give an equal (immutable)
# row, so a repeated lookup reuses it instead of converting 23 columns again. Bounded.
_BUILT: dict[tuple, MembershipRow] = {}
_BUILT_LIMIT = 20_000


def _fast_rows(rows: list[Any], dates_as_text: bool) -> list[MembershipRow]:
    """MembershipRows for `_SELECT`'s tuples, built once per distinct tuple."""
    found = []
    missing: list[tuple] = []
    for r in rows:
        key = tuple(r)
        row = _BUILT.get(key)
        if row is None:
            missing.append(key)
        found.append(row)
    if missing:
        if len(_BUILT) + len(missing) > _BUILT_LIMIT:
            _BUILT.clear()
        built = dict(zip(missing, _build_rows(missing, dates_as_text), strict=True))
        _BUILT.update(built)
        found = [
            row if row is not None else built[tuple(r)] for r, row in zip(rows, found, strict=True)
        ]
    return found  # type: ignore[return-value]


def _held_params(db: Db, as_of: date, known_at: datetime) -> dict[str, Any]:
    return {"d": db.param(as_of), "t": db.param(known_at)}


class MembershipsReadModel:
    """Applies Body events to the membership versions and answers as-of lookups."""

    gated = True  # skips what projections/pending.py holds
    name = "memberships"
    schema = SCHEMA

    # -- writing ------------------------------------------------------------------------
    # A batch is applied in memory and written at its end (`flush`, in the batch's
    # transaction): new rows in a few set-based statements, and the current versions a batch
    # closes read once (`prepare`) rather than per event. `discard` forgets a rolled-back
    # batch. Nothing is kept from one batch to the next, so another runner's batches are
    # never missed.

    def __init__(self) -> None:
        self._bodies: list[dict[str, Any]] = []
        self._seats: list[dict[str, Any]] = []
        self._seat_counts: dict[tuple[str, str], int] = {}
        self._versions: list[dict[str, Any]] = []
        # Current version of each membership the batch touched (None: none), by id; a
        # version read from the store carries its `version_id`.
        self._current: dict[str, dict[str, Any] | None] = {}
        self._closes: list[dict[str, Any]] = []

    def prepare(self, db: Db, events: list[Any]) -> None:
        """Read the current versions of the memberships the batch changes, in one query."""
        ids = set()
        for event in events:
            if isinstance(event, Body.MemberReplaced):
                ids.add(str(event.outgoing_membership_id))
            elif isinstance(event, Body.MembershipEnded | Body.MembershipRetracted):
                ids.add(str(event.membership_id))
            elif isinstance(event, Body.MembershipCorrected):
                ids.add(str(event.membership.membership_id))
        ids -= set(self._current)
        if not ids:
            return
        for chunk in _chunks(sorted(ids), 500):
            placeholders, params = in_list(chunk)
            rows = db.rows(
                f"SELECT * FROM {{s}}membership_versions WHERE membership_id IN ({placeholders}) "
                f"AND {_current(db)}",
                {**params, "open": _open_time(db)},
            )
            for membership_id in chunk:
                self._current.setdefault(membership_id, None)
            for r in rows:
                self._current[r["membership_id"]] = r

    def flush(self, db: Db) -> None:
        # Closing first: a version inserted by this batch is never closed by these.
        db.execute_many(
            "UPDATE {s}membership_versions SET recorded_to = :t WHERE version_id = :id",
            self._closes,
        )
        db.insert_many("bodies", self._bodies)
        db.insert_many("body_seats", self._seats)
        db.insert_many("membership_versions", self._versions)
        self.discard()

    def discard(self) -> None:
        self._bodies = []
        self._seats = []
        self._seat_counts.clear()
        self._versions = []
        self._current.clear()
        self._closes = []

    def apply(self, db: Db, event: Any, position: int) -> None:
        if isinstance(event, Body.Registered):
            self._bodies.append(
                {"body_id": event.originator_id, "name": event.name, "kind": event.kind}
            )
        elif isinstance(event, Body.SeatsDefined):
            for seat in event.seats:
                # Numbered in the order defined, as the aggregate numbers them.
                key = (str(event.originator_id), seat.label)
                taken = self._seat_counts.get(key)
                if taken is None:
                    row = db.one(
                        "SELECT COUNT(*) AS n FROM {s}body_seats WHERE body_id = :b AND label = :l",
                        {"b": event.originator_id, "l": seat.label},
                    )
                    taken = int(row["n"]) if row else 0
                self._seat_counts[key] = taken + 1
                self._seats.append(
                    {
                        "seat_id": seat.seat_id,
                        "body_id": event.originator_id,
                        "label": seat.label,
                        "on_behalf_of": seat.on_behalf_of,
                        "note": seat.note,
                        "role": str(seat.role) if seat.role else None,
                        "ordinal": taken + 1,
                        "defined_on": event.effective_date,
                        "recorded_from": event.timestamp,
                    }
                )
        elif isinstance(event, Body.MemberAppointed):
            self._insert(db, event, position, event.membership)
        elif isinstance(event, Body.MemberReplaced):
            self._change_end(db, event, position, event.outgoing_membership_id)
            self._insert(db, event, position, event.incoming)
        elif isinstance(event, Body.MembershipEnded):
            self._change_end(db, event, position, event.membership_id)
        elif isinstance(event, Body.MembershipCorrected):
            self._close(db, event, event.membership.membership_id)
            self._insert(db, event, position, event.membership, reason=event.reason)
        elif isinstance(event, Body.MembershipRetracted):
            self._close(db, event, event.membership_id)

    def _insert(
        self, db: Db, event: Any, position: int, m: Membership, reason: str | None = None
    ) -> None:
        ctx = event.context
        row = {
            "membership_id": m.membership_id,
            "body_id": event.originator_id,
            "person_id": m.person_id,
            "person_name": m.person_name,
            "role": str(m.role),
            "seat_id": m.seat_id,
            "on_behalf_of": m.on_behalf_of,
            "deputy_for": m.deputy_for,
            "start_date": m.start,
            "start_not_after": m.start_not_after,
            "valid_from": m.lower,
            "valid_to": _open_date(db, m.end),
            "note": m.note,
            "decision_id": ctx.decision_id,
            "source_document": ctx.source.document,
            "source_item": ctx.source.item,
            "source_url": ctx.source.url,
            "actor": ctx.actor,
            "event_type": type(event).__name__,
            "correction_reason": reason,
            "event_position": position,
            "recorded_from": event.timestamp,
            "recorded_to": _open_time(db),
        }
        self._add_version(row)

    def _add_version(self, row: dict[str, Any]) -> None:
        self._versions.append(row)
        self._current[str(row["membership_id"])] = row

    def _close(self, db: Db, event: Any, membership_id: UUID) -> dict | None:
        """Close the current version at the event's timestamp; a copy of it (None: none)."""
        key = str(membership_id)
        if key not in self._current:  # not read by `prepare` (an effect released late)
            self._current[key] = db.one(
                "SELECT * FROM {s}membership_versions "
                f"WHERE membership_id = :id AND {_current(db)}",
                {"id": membership_id, "open": _open_time(db)},
            )
        current = self._current[key]
        if current is None:
            return None
        self._current[key] = None
        if "version_id" in current:  # in the store: closed at the end of the batch
            self._closes.append({"id": current["version_id"], "t": event.timestamp})
            current = dict(current)
            current.pop("version_id")
        else:  # inserted by this batch: closed before it is written
            current["recorded_to"] = event.timestamp
            current = dict(current)
        return current

    def _change_end(self, db: Db, event: Any, position: int, membership_id: UUID) -> None:
        current = self._close(db, event, membership_id)
        if current is None:  # pragma: no cover - the aggregate refuses this
            return
        ctx = event.context
        current.update(
            valid_to=_open_date(db, event.effective_date),
            decision_id=ctx.decision_id,
            source_document=ctx.source.document,
            source_item=ctx.source.item,
            source_url=ctx.source.url,
            actor=ctx.actor,
            event_type=type(event).__name__,
            correction_reason=None,
            event_position=position,
            recorded_from=event.timestamp,
            recorded_to=_open_time(db),
        )
        self._add_version(current)

    # -- reading ------------------------------------------------------------------------

    def members(
        self, db: Db, body_id: UUID, as_of: date, known_at: datetime
    ) -> list[MembershipRow]:
        """Who held a place in the body on `as_of`, as the registry knew it at `known_at`."""
        return self.members_of_many(db, [body_id], as_of, known_at).get(body_id, [])

    def members_of_many(
        self, db: Db, body_ids: list[UUID], as_of: date, known_at: datetime
    ) -> dict[UUID, list[MembershipRow]]:
        """Members of several bodies on one date, in one statement."""
        distinct = list(dict.fromkeys(b for b in body_ids if b is not None))
        if not distinct:
            return {}
        params = _held_params(db, as_of, known_at)
        if len(distinct) == 1:  # the common case: one statement text, prepared once
            where = "v.body_id = :b0"
            params["b0"] = str(distinct[0])
        else:
            in_bodies, bodies = in_list(distinct, "b")
            where = f"v.body_id IN ({in_bodies})"
            params.update((k, str(v)) for k, v in bodies.items())
        rows = fast_rows.tuples(db, f"{_SELECT}WHERE {where} AND {_held(db)}{_ORDER}", params)
        if len(distinct) == 1:
            return {distinct[0]: _fast_rows(rows, db.dialect != POSTGRES)}
        found: dict[UUID, list[MembershipRow]] = {b: [] for b in distinct}
        for row in _fast_rows(rows, db.dialect != POSTGRES):
            found[row.body_id].append(row)
        return found

    def mandates(
        self, db: Db, person_ids: list[UUID], as_of: date, known_at: datetime
    ) -> list[MembershipRow]:
        """Every place the persons held on `as_of` in any body, as known at `known_at`."""
        in_persons, persons = in_list(person_ids)
        if not persons:
            return []
        params = _held_params(db, as_of, known_at)
        params.update((k, str(v)) for k, v in persons.items())
        rows = fast_rows.tuples(
            db,
            f"{_SELECT}WHERE v.person_id IN ({in_persons}) AND {_held(db)} "
            "ORDER BY v.body_id, v.role, v.valid_from",
            params,
        )
        return _fast_rows(rows, db.dialect != POSTGRES)

    def seats(self, db: Db, body_ids: list[UUID]) -> dict[UUID, list[dict]]:
        """The seats defined for bodies, in the order they were defined."""
        bodies, params = in_list(body_ids)
        if not params:
            return {}
        rows = db.rows(
            f"SELECT * FROM {{s}}body_seats WHERE body_id IN ({bodies}) "
            "ORDER BY label, ordinal, seat_id",
            params,
        )
        found: dict[UUID, list[dict]] = {b: [] for b in params.values()}
        for r in rows:
            found[UUID(r["body_id"])].append(r)
        return found

    def written_by(self, db: Db, positions: list[int]) -> dict[int, list[MembershipRow]]:
        """The membership versions each event (by log position) wrote."""
        found_positions, params = in_list(positions)
        if not params:
            return {}
        rows = db.rows(
            "SELECT v.*, s.label AS seat_label FROM {s}membership_versions v "
            "LEFT JOIN {s}body_seats s ON s.seat_id = v.seat_id "
            f"WHERE v.event_position IN ({found_positions}) ORDER BY v.version_id",
            params,
        )
        found: dict[int, list[MembershipRow]] = {int(p): [] for p in params.values()}
        for r in rows:
            found[int(r["event_position"])].append(_row(r))
        return found

    def history(self, db: Db, membership_id: UUID) -> list[MembershipRow]:
        """Every recorded version of one membership, oldest first (for audits)."""
        rows = db.rows(
            "SELECT v.*, NULL AS seat_label FROM {s}membership_versions v "
            "WHERE v.membership_id = :id ORDER BY v.version_id",
            {"id": membership_id},
        )
        return [_row(r) for r in rows]

    def body(self, db: Db, body_id: UUID) -> dict | None:
        return db.one("SELECT * FROM {s}bodies WHERE body_id = :id", {"id": body_id})

    def bodies(self, db: Db) -> list[dict]:
        return db.rows("SELECT * FROM {s}bodies ORDER BY name")


__all__ = ["MembershipRow", "MembershipsReadModel"]
