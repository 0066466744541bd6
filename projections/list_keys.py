"""The sort keys of the top-level lists without statuses (bodies, organisations, persons,
meetings, funds), so that each page is read by keyset in SQL (issue 13): "bodies of kind K
with `name` in their name, as known at T, page after cursor C" reads only that page, whatever
the size of the registry.

One row per recorded version of an entity (kind, entity, recorded_from, recorded_to) with the
list's sort key as text (projections/status_ranges.py `sort_key_text`: text order is the
order of the API's key tuples, binary collation on SQLite, "C" on PostgreSQL) and the columns
the lists filter on: the body, the key date (a meeting's day), the variant (a body's or an
organisation's kind), `hidden` (a person merged into another) and `folded`: every name the
list matches `name` against, with case, whitespace and diacritics folded, one per line.

Like status_ranges.py the model reads, in `flush`, the versions the entities model wrote for
the batch's events (by log position), so it is registered after that model. A store made
before this model existed has no schema version for it and is rebuilt from the event log
(projections/versions.py).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.sql import POSTGRES, Db, as_date, as_datetime, in_list
from projections.status_ranges import (
    OPEN_TIME_TEXT,
    Page,
    keyset_count,
    keyset_page,
    sort_key_text,
)
from projections.tables import Index, ReadModelSchema, Table
from registry.ids import normalise

BODY = "body"
ORGANISATION = "organisation"
PERSON = "person"
MEETING = "meeting"
FUND = "fund"
KINDS = (BODY, ORGANISATION, PERSON, MEETING, FUND)

# The types of the parts of each list's sort key (a cursor of another shape is not of it).
KEY_SHAPE: dict[str, tuple[type, ...]] = {
    BODY: (str, str),
    ORGANISATION: (str, str),
    PERSON: (str, str),
    MEETING: (str, int, str),
    FUND: (str, str),
}

_LINE = "\n"  # between the folded names of one entity (folding turns a newline into a space)

_COVER = "sort_key, recorded_from, recorded_to, entity_id"
SCHEMA = ReadModelSchema(
    version=1,
    tables=[
        Table(
            "list_keys",
            """kind text!, entity_id text!, recorded_from time!, recorded_to time!,
            sort_key sort_key!, body_id text, key_date date, variant text, hidden bigint!,
            folded text!, event_position bigint!""",
            indexes=[
                Index("list_keys_by_key", f"kind, {_COVER}"),
                Index("list_keys_by_body", f"kind, body_id, {_COVER}"),
                Index("list_keys_by_variant", f"kind, variant, {_COVER}"),
                Index("list_keys_current", "entity_id, recorded_to"),
            ],
        )
    ],
)


def folded(text: str) -> str:
    """`text` with case, whitespace and diacritics folded: "Nyström-Hägg" → "nystrom-hagg"."""
    decomposed = unicodedata.normalize("NFD", normalise(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def list_key(kind: str, view: Mapping[str, Any], entity_id: str) -> list[Any]:
    """The API's sort key of an entity's row in its list (api/schema.py)."""
    if kind == MEETING:
        return [view["held_on"], view["sequence"], entity_id]
    return [view["name"], entity_id]


def _row(r: Mapping[str, Any], open_time: Any) -> dict[str, Any]:
    view = json.loads(r["view"]) if isinstance(r["view"], str) else r["view"]
    kind = r["entity_type"]
    entity_id = str(r["entity_id"])
    names = [view.get("name") or ""]
    if kind == PERSON:
        names += list(view.get("name_variants") or [])
    return {
        "kind": kind,
        "entity_id": entity_id,
        "recorded_from": as_datetime(r["recorded_from"]),
        "recorded_to": as_datetime(r["recorded_to"]) or open_time,
        "sort_key": sort_key_text(list_key(kind, view, entity_id)),
        "body_id": view.get("body_id") if kind == MEETING else None,
        "key_date": as_date(view.get("held_on")) if kind == MEETING else None,
        "variant": view.get("kind") if kind in (BODY, ORGANISATION) else None,
        "hidden": 1 if kind == PERSON and view.get("merged_into") else 0,
        "folded": _LINE.join(folded(n) for n in names),
        "event_position": int(r["event_position"]),
    }


def _open_time(db: Db) -> Any:
    return OPEN_TIME_TEXT if db.dialect != POSTGRES else "infinity"


_TYPES = "entity_type IN ('body', 'organisation', 'person', 'meeting', 'fund')"


class ListKeysReadModel:
    """The sort keys and filter columns of the lists of bodies, organisations, persons,
    meetings and funds, versioned on recorded time."""

    gated = True  # skips what projections/pending.py holds, as the entities model does
    name = "list_keys"
    schema = SCHEMA

    def __init__(self) -> None:
        self._positions: list[int] = []

    def backfill(self, db: Db) -> None:
        """Fill an empty table from the entity versions already in the store (tests and
        benchmarks that write entity versions directly)."""
        if db.one("SELECT 1 AS x FROM {s}list_keys LIMIT 1") is not None:
            return
        if db.one(f"SELECT 1 AS x FROM {{s}}entity_versions WHERE {_TYPES} LIMIT 1") is None:
            return
        rows = db.rows(f"SELECT * FROM {{s}}entity_versions WHERE {_TYPES} ORDER BY version_id")
        db.insert_many("list_keys", [_row(r, _open_time(db)) for r in rows], chunk=50)

    # -- writing ------------------------------------------------------------------------

    def apply(self, db: Db, event: Any, position: int) -> None:
        self._positions.append(position)

    def flush(self, db: Db) -> None:
        positions, self._positions = self._positions, []
        for start in range(0, len(positions), 500):
            marks, params = in_list(positions[start : start + 500])
            if params:
                rows = db.rows(
                    f"SELECT * FROM {{s}}entity_versions WHERE {_TYPES} "
                    f"AND event_position IN ({marks}) ORDER BY version_id",
                    params,
                )
                self._write(db, rows)

    def discard(self) -> None:
        self._positions = []

    def _write(self, db: Db, versions: list[Mapping[str, Any]]) -> None:
        if not versions:
            return
        rows = [_row(r, _open_time(db)) for r in versions]
        # The versions these replace: closed at the first new one's recorded time (the
        # entities model closes its own at the same moment).
        first: dict[str, datetime] = {}
        for row in rows:
            at = row["recorded_from"]
            if row["entity_id"] not in first or at < first[row["entity_id"]]:
                first[row["entity_id"]] = at
        closing = list(first.items())
        stamp = "CAST(:a{n} AS TIMESTAMPTZ)" if db.dialect == POSTGRES else ":a{n}"
        for start in range(0, len(closing), 200):
            part = closing[start : start + 200]
            params: dict[str, Any] = {"open": _open_time(db)}
            cases = []
            for n, (entity_id, at) in enumerate(part):
                params[f"e{n}"], params[f"a{n}"] = entity_id, at
                cases.append(f"WHEN :e{n} THEN {stamp.format(n=n)}")
            ids = ", ".join(f":e{n}" for n in range(len(part)))
            db.execute(
                "UPDATE {s}list_keys SET recorded_to = CASE entity_id "
                + " ".join(cases)
                + f" END WHERE entity_id IN ({ids}) AND recorded_to = :open",
                params,
            )
        db.insert_many("list_keys", rows, chunk=50)


# -- reading: a page of a list ------------------------------------------------------------------


KeyPage = Page  # one page of a keyset list (status_ranges.py)


@dataclass
class KeyQuery:
    """What a list asks: the kind, the moment, and its filters."""

    kind: str
    known_at: datetime
    name: str | None = None  # folded already
    variant: str | None = None
    body_ids: Sequence[str] | None = None
    key_from: Any = None
    key_to: Any = None

    def where(self, db: Db) -> tuple[str, dict[str, Any]]:
        clauses = ["kind = :kind", "recorded_from <= :t AND recorded_to > :t"]
        params: dict[str, Any] = {"kind": self.kind, "t": self.known_at}
        if self.kind == PERSON:
            clauses.append("hidden = 0")
        if self.name is not None:
            if _LINE in self.name:
                clauses.append("1 = 0")
            else:
                find = "strpos(folded, :name)" if db.dialect == POSTGRES else "instr(folded, :name)"
                clauses.append(f"{find} > 0")
                params["name"] = self.name
        if self.variant is not None:
            clauses.append("variant = :variant")
            params["variant"] = self.variant
        if self.body_ids is not None:
            marks, found = in_list(self.body_ids, "b")
            clauses.append(f"body_id IN ({marks})" if found else "1 = 0")
            params.update(found)
        if self.key_from is not None:
            clauses.append("key_date >= :key_from")
            params["key_from"] = self.key_from
        if self.key_to is not None:
            clauses.append("key_date <= :key_to")
            params["key_to"] = self.key_to
        return " AND ".join(clauses), params

    def page(self, db: Db, after: str | None, size: int) -> KeyPage:
        """The ids of up to `size` rows sorting after the key text `after`."""
        return keyset_page(db, "list_keys", *self.where(db), after, size)

    def count(self, db: Db) -> int:
        return keyset_count(db, "list_keys", *self.where(db))


__all__ = ["KEY_SHAPE", "KeyPage", "KeyQuery", "ListKeysReadModel", "folded", "list_key"]
