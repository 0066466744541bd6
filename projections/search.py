"""Full-text search over decisions, agenda items and agreements.

PostgreSQL: a tsvector with the Swedish snowball stemmer (title weighted above text), a GIN
index, `websearch_to_tsquery` (quotes, OR, -word) and `ts_headline` snippets. SQLite: an FTS5
table (unicode61 tokenizer, diacritics kept so "har" and "här" stay apart); SQLite has no
Swedish stemmer, so each word of the query matches as a prefix ("avtal" finds "avtalet").

Documents are rebuilt from the current views of the entities and agreements models, which
run before this one in each batch.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from projections.sql import POSTGRES, SQLITE, Db, in_list
from projections.tables import ReadModelSchema, Table
from registry.dates import within_of
from registry.domain.agreement import Agreement
from registry.domain.decision import Decision
from registry.domain.meeting import Meeting

# FTS5 (SQLite) and a generated tsvector column (PostgreSQL) exist on one store each: the
# search tables are the stores' own, written here once per store.
SCHEMA = ReadModelSchema(
    version=1,
    tables=[
        # FTS5 cannot index doc_id (a lookup by it scans the whole table), so each
        # document's rowid is kept here: a changed document is deleted by rowid, an index away.
        Table(
            "search_rowids",
            "doc_id text, rid int!",
            key=["doc_id"],
            without_rowid=True,
            only=SQLITE,
        ),
    ],
    extras={
        SQLITE: [
            """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
            doc_id UNINDEXED, entity_type UNINDEXED, entity_id UNINDEXED, title, text,
            tokenize = 'unicode61 remove_diacritics 0')"""
        ],
        POSTGRES: [
            """CREATE TABLE IF NOT EXISTS {s}search_documents (
            doc_id TEXT PRIMARY KEY, entity_type TEXT NOT NULL, entity_id TEXT NOT NULL,
            title TEXT NOT NULL, text TEXT NOT NULL,
            tsv tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('swedish', title), 'A')
                || setweight(to_tsvector('swedish', text), 'B')) STORED)""",
            "CREATE INDEX IF NOT EXISTS search_documents_tsv ON {s}search_documents "
            "USING gin (tsv)",
        ],
    },
)

KINDS = ("decision", "agenda_item", "agreement")


@dataclass(frozen=True)
class SearchHit:
    doc_id: str
    entity_type: str
    entity_id: UUID
    title: str
    snippet: str
    rank: float


class SearchReadModel:
    gated = True  # skips what projections/pending.py holds
    name = "search"
    schema = SCHEMA

    def __init__(self) -> None:
        # The batch's documents, written at its end (`flush`): the latest of each, and the
        # ids whose document may already be in the store (deleted first, in one statement).
        self._docs: dict[str, dict[str, Any]] = {}
        self._stale: set[str] = set()
        self._entities: Any = None
        self._agreements: Any = None

    def bind(self, read_models: list[Any]) -> None:
        """The models whose current views the documents are built from (they run first and
        hold what the batch has applied so far)."""
        for model in read_models:
            if model.name == "entities":
                self._entities = model
            elif model.name == "agreements":
                self._agreements = model

    def flush(self, db: Db) -> None:
        if db.dialect == POSTGRES:
            stale = sorted(self._stale)
            for start in range(0, len(stale), 500):
                placeholders, params = in_list(stale[start : start + 500])
                db.execute(
                    f"DELETE FROM {{s}}search_documents WHERE doc_id IN ({placeholders})", params
                )
            db.insert_many("search_documents", list(self._docs.values()))
        else:
            self._flush_sqlite(db)
        self.discard()

    def _flush_sqlite(self, db: Db) -> None:
        stale = sorted(self._stale)
        for start in range(0, len(stale), 500):
            placeholders, params = in_list(stale[start : start + 500])
            rids = db.rows(
                f"SELECT rid FROM search_rowids WHERE doc_id IN ({placeholders})", params
            )
            if rids:
                marks, found = in_list([r["rid"] for r in rids], "r")
                db.execute(f"DELETE FROM search_fts WHERE rowid IN ({marks})", found)
                db.execute(f"DELETE FROM search_rowids WHERE doc_id IN ({placeholders})", params)
        if not self._docs:
            return
        last = db.one("SELECT coalesce(max(rowid), 0) AS last FROM search_fts")
        first = (last["last"] if last else 0) + 1
        docs = [{"rowid": first + n, **doc} for n, doc in enumerate(self._docs.values())]
        db.insert_many("search_fts", docs)
        db.insert_many("search_rowids", [{"doc_id": d["doc_id"], "rid": d["rowid"]} for d in docs])

    def discard(self) -> None:
        self._docs = {}
        self._stale = set()

    def apply(self, db: Db, event: Any, position: int) -> None:
        if isinstance(event, Decision.Event):
            if self._entities is not None:
                view = self._entities.current_view(db, event.originator_id)
            else:
                view = self._view(db, "entity_versions", "entity_id", event.originator_id)
            if view is None:
                return
            parts = [view["text"]]
            parts += [c["text"] for c in view["conditions"]]
            parts += [f"{s['person_name']}: {s['text']}" for s in view["statements"]]
            # Every author of a statement made by several members, not only the first.
            parts += [
                " ".join((s.get("authors") or {}).get("person_names", []))
                for s in view["statements"]
                if s.get("authors")
            ]
            day = ("not after " if view.get("decided_on_unknown") else "") + view["decided_on"]
            if view.get("decided_precision"):
                day = f"in {within_of(date.fromisoformat(view['decided_on']), view['decided_precision'])}"
            title = f"§ {view['item']} ({day})"
            self._put(
                db, str(event.originator_id), "decision", event.originator_id, title, parts, event
            )
        elif isinstance(event, Meeting.Held):
            for item in event.items:
                self._put(
                    db,
                    f"{event.originator_id}#{item.number}",
                    "agenda_item",
                    event.originator_id,
                    f"{item.number}. {item.title}",
                    [item.title, item.note or ""],
                    event,
                )
        elif isinstance(event, Agreement.Event):
            if self._agreements is not None:
                row = self._agreements.current_version(db, event.originator_id)
            else:
                row = db.one(
                    "SELECT title, revisions FROM {s}agreement_versions "
                    "WHERE agreement_id = :id AND recorded_to IS NULL",
                    {"id": event.originator_id},
                )
            if row is None:
                return
            revisions = [r["description"] for r in json.loads(row["revisions"])]
            self._put(
                db,
                str(event.originator_id),
                "agreement",
                event.originator_id,
                row["title"],
                [row["title"], *revisions],
                event,
            )

    @staticmethod
    def _view(db: Db, table: str, key: str, entity_id: UUID) -> dict | None:
        row = db.one(
            f"SELECT view FROM {{s}}{table} WHERE {key} = :id AND recorded_to IS NULL",
            {"id": entity_id},
        )
        return json.loads(row["view"]) if row else None

    def _put(
        self,
        db: Db,
        doc_id: str,
        entity_type: str,
        entity_id: UUID,
        title: str,
        parts: list,
        event: Any,
    ) -> None:
        # A document first put by the event that created its entity is not in the store.
        if doc_id not in self._docs and event.originator_version != 1:
            self._stale.add(doc_id)
        self._docs.pop(doc_id, None)  # put again: last, as a delete and insert would be
        self._docs[doc_id] = {
            "doc_id": doc_id,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "title": title,
            "text": "\n".join(p for p in parts if p),
        }

    # -- reading ------------------------------------------------------------------------

    def search(
        self, db: Db, query: str, kinds: list[str] | None = None, limit: int = 100
    ) -> list[SearchHit]:
        """Documents matching `query`, best first."""
        in_kinds, params = in_list(kinds or KINDS, "k")
        params["limit"] = limit
        if db.dialect == POSTGRES:
            params["q"] = query
            rows = db.rows(
                "SELECT doc_id, entity_type, entity_id, title, "
                "ts_headline('swedish', text, q, 'MaxFragments=1, MaxWords=20, MinWords=5, "
                "StartSel=[, StopSel=]') AS snippet, ts_rank(tsv, q) AS rank "
                "FROM {s}search_documents, websearch_to_tsquery('swedish', :q) q "
                f"WHERE tsv @@ q AND entity_type IN ({in_kinds}) "
                "ORDER BY rank DESC, doc_id LIMIT :limit",
                params,
            )
        else:
            words = re.findall(r"\w+", query)
            if not words:
                return []
            params["q"] = " ".join(f'"{w}"*' for w in words)
            rows = db.rows(
                "SELECT doc_id, entity_type, entity_id, title, "
                "snippet(search_fts, 4, '[', ']', '…', 20) AS snippet, -bm25(search_fts) AS rank "
                f"FROM search_fts WHERE search_fts MATCH :q AND entity_type IN ({in_kinds}) "
                "ORDER BY rank DESC, doc_id LIMIT :limit",
                params,
            )
        return [
            SearchHit(
                doc_id=r["doc_id"],
                entity_type=r["entity_type"],
                entity_id=UUID(r["entity_id"]),
                title=r["title"],
                snippet=r["snippet"],
                rank=float(r["rank"]),
            )
            for r in rows
        ]
