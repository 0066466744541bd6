"""SQLite search documents are found by rowid through `search_rowids` (FTS5 cannot index
doc_id); a store projected before that table existed gets it with the read models rebuilt."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from projections.runner import ProjectionRunner
from registry.application import Registry
from registry.config import StoreSettings
from registry.importing import import_file

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))


def _mapping(path: str) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    with sqlite3.connect(path) as conn:
        documents = conn.execute("SELECT doc_id, rowid FROM search_fts ORDER BY 1").fetchall()
        mapped = conn.execute("SELECT doc_id, rid FROM search_rowids ORDER BY 1").fetchall()
    return documents, mapped


def _hits(registry: Registry, query: str) -> list[str]:
    runner = ProjectionRunner(registry)
    try:
        runner.catch_up()
        with runner.views.reading() as db:
            return [h.doc_id for h in runner.search.search(db, query)]
    finally:
        runner.close()


def test_every_document_is_mapped_and_an_old_store_is_mapped_once(tmp_path: Path) -> None:
    settings = StoreSettings(str(tmp_path / "s.sqlite"))
    registry = Registry(settings)
    try:
        for path in EXAMPLES:
            import_file(registry, path)
        hits = _hits(registry, "avtal")
        documents, mapped = _mapping(settings.sqlite_path)
        assert documents and mapped == documents
        assert hits and len(set(hits)) == len(hits)

        # As a store projected before the table existed (and before the read models'
        # schema versions were stored): the next runner rebuilds the read models.
        with sqlite3.connect(settings.sqlite_path) as conn:
            conn.execute("DROP TABLE search_rowids")
            conn.execute("DROP TABLE read_model_versions")
        assert _hits(registry, "avtal") == hits
        assert _mapping(settings.sqlite_path) == (documents, documents)
    finally:
        registry.close()
