"""What a store's catalogue says about its tables: columns (name, type, not null, primary
key, default, collation, generated expression) and indexes, read from SQLite's PRAGMAs and
PostgreSQL's information_schema and pg_indexes, in a form two stores can be compared by."""

from __future__ import annotations

import re
from typing import Any

from projections.runner import ProjectionRunner


def catalogue(runner: ProjectionRunner) -> dict[str, Any]:
    """Every table of the runner's store (events, tracking and read models) with its columns
    and indexes; on PostgreSQL the schema's name is replaced by `{s}`."""
    views = runner.views
    with views.datastore.transaction(commit=False) as c:
        if views.dialect == "postgres":
            return _postgres(c, views.datastore.schema)
        return _sqlite(c)


def _sqlite(c: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
    for table in [dict(r) for r in c.fetchall()]:
        name, sql = table["name"], table["sql"] or ""
        c.execute(f'PRAGMA table_info("{name}")')
        columns = [
            [r["name"], r["type"].upper(), bool(r["notnull"]), r["pk"], r["dflt_value"]]
            for r in c.fetchall()
        ]
        c.execute(f'PRAGMA index_list("{name}")')
        indexes = {}
        for index in [dict(r) for r in c.fetchall()]:
            c.execute(f'PRAGMA index_xinfo("{index["name"]}")')
            keys = [[r["name"], r["desc"], r["coll"]] for r in c.fetchall() if r["key"]]
            indexes[index["name"]] = [index["unique"], index["origin"], index["partial"], keys]
        flags = [
            word
            for word in ("VIRTUAL", "AUTOINCREMENT", "WITHOUT ROWID")
            if word in re.sub(r"\s+", " ", sql.upper())
        ]
        found[name] = {"columns": columns, "indexes": indexes, "flags": flags}
    return found


def _postgres(c: Any, schema: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    c.execute(
        "SELECT table_name, column_name, data_type, is_nullable, column_default, "
        "collation_name, generation_expression FROM information_schema.columns "
        "WHERE table_schema = %s ORDER BY table_name, ordinal_position",
        (schema,),
    )
    for r in c.fetchall():
        default = r["column_default"]
        if default and "nextval(" in default:
            default = "nextval"
        table = found.setdefault(r["table_name"], {"columns": [], "indexes": {}})
        table["columns"].append(
            [
                r["column_name"],
                r["data_type"],
                r["is_nullable"] == "NO",
                default,
                r["collation_name"],
                r["generation_expression"],
            ]
        )
    c.execute(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s",
        (schema,),
    )
    for r in c.fetchall():
        definition = r["indexdef"].replace(f"{schema}.", "{s}.").replace(f'"{schema}".', "{s}.")
        found[r["tablename"]]["indexes"][r["indexname"]] = definition
    return found
