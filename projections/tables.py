"""Read-model tables declared once and rendered to both stores' DDL.

A read model describes each of its tables with `Table`: its name, its columns in a short
form (`"name type"`, a `!` after the type for NOT NULL), its primary key and its indexes. The
column types are portable and `TYPES` says what each is on SQLite and on PostgreSQL (dates
and times are ISO text on SQLite, see projections/sql.py). An index lists its columns once;
where the stores index differently (a GiST index over ranges on PostgreSQL) it carries the
PostgreSQL form too, or is made on one store only.

`ReadModelSchema` is what a read model declares: its tables, its schema version (a changed
version rebuilds the model from the event log: projections/versions.py), and the statements
that only one store has (`extras`: SQLite's FTS5 table, PostgreSQL's extension and generated
tsvector column), run before the tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from projections.sql import POSTGRES, SQLITE

#: Portable column type → (SQLite, PostgreSQL).
TYPES: dict[str, tuple[str, str]] = {
    "text": ("TEXT", "TEXT"),
    "int": ("INTEGER", "INTEGER"),
    "bigint": ("INTEGER", "BIGINT"),
    "serial": ("INTEGER", "BIGSERIAL"),  # an id the store numbers
    "real": ("REAL", "double precision"),
    "date": ("TEXT", "DATE"),
    "time": ("TEXT", "TIMESTAMPTZ"),
    "sort_key": ("TEXT", 'TEXT COLLATE "C"'),  # compared byte by byte on both stores
}

_TABLE = re.compile(r"CREATE\s+(?:VIRTUAL\s+)?TABLE\s+IF\s+NOT\s+EXISTS\s+(?:\{s\})?(\w+)", re.I)


@dataclass(frozen=True)
class Index:
    """`CREATE INDEX name ON table (on)`; `postgres` replaces `(on)` there (e.g.
    `USING gist (...)`); `only` makes it on one store only."""

    name: str
    on: str
    postgres: str | None = None
    only: str | None = None


@dataclass(frozen=True)
class Table:
    """One read-model table. `columns`: `"name type[!], ..."` with types from TYPES;
    `key`: the primary key's columns; `autoincrement` and `without_rowid` are SQLite's
    (an id never reused; a table clustered on its key); `only`: made on one store only."""

    name: str
    columns: str
    key: Sequence[str] = ()
    indexes: Sequence[Index] = ()
    autoincrement: bool = False
    without_rowid: bool = False
    only: str | None = None

    def ddl(self, dialect: str) -> list[str]:
        if self.only not in (None, dialect):
            return []
        store = 1 if dialect == POSTGRES else 0
        single = self.key[0] if len(self.key) == 1 else None
        rendered = []
        for column in self.columns.split(","):
            name, kind = column.split()
            required = kind.endswith("!")
            text = f"{name} {TYPES[kind.rstrip('!')][store]}"
            if name == single:
                text += " PRIMARY KEY"
                if self.autoincrement and dialect == SQLITE:
                    text += " AUTOINCREMENT"
            elif required:
                text += " NOT NULL"
            rendered.append(text)
        if len(self.key) > 1:
            rendered.append(f"PRIMARY KEY ({', '.join(self.key)})")
        tail = " WITHOUT ROWID" if self.without_rowid and dialect == SQLITE else ""
        statements = [f"CREATE TABLE IF NOT EXISTS {{s}}{self.name} ({', '.join(rendered)}){tail}"]
        for index in self.indexes:
            if index.only in (None, dialect):
                on = index.postgres if dialect == POSTGRES and index.postgres else f"({index.on})"
                statements.append(
                    f"CREATE INDEX IF NOT EXISTS {index.name} ON {{s}}{self.name} {on}"
                )
        return statements


@dataclass(frozen=True)
class ReadModelSchema:
    """A read model's tables, its schema version, and its statements for one store only."""

    version: int
    tables: Sequence[Table]
    extras: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def ddl(self, dialect: str) -> list[str]:
        """The statements that create the model's tables (`{s}`: the schema prefix)."""
        statements = list(self.extras.get(dialect, ()))
        for table in self.tables:
            statements += table.ddl(dialect)
        return statements

    def table_names(self, dialect: str) -> list[str]:
        """The tables `ddl(dialect)` creates, in order."""
        return [m.group(1) for s in self.ddl(dialect) if (m := _TABLE.search(s))]


def snapshot_table(name: str, subject: str) -> Table:
    """A table of the latest snapshot of each aggregate (the library's `Snapshot`), by the
    aggregate's id column `subject`."""
    columns = f"{subject} text, topic text!, version bigint!, state text!"
    return Table(name, columns, key=[subject])


def versions_table(name: str, subject: str, columns: str, indexes: Sequence[Index] = ()) -> Table:
    """A table of versions on recorded time: a numbered row per version of the thing whose
    id is in `subject`, with the log position of the event that made it, valid from its
    recording until the next version's (`recorded_to` NULL: the current version). Indexed
    for the current version of each thing and by event position, besides `indexes`."""
    return Table(
        name,
        f"version_id serial, {subject} text!, {columns}, event_position bigint!, "
        "recorded_from time!, recorded_to time",
        key=["version_id"],
        autoincrement=True,
        indexes=[
            *indexes,
            Index(f"{name}_current", f"{subject}, recorded_to"),
            Index(f"{name}_event", "event_position"),
        ],
    )
