"""Fresh PostgreSQL schemas for tests: one place that creates and drops them (conftest's
`settings` fixture and the tests that need a second store of their own)."""

from __future__ import annotations

import uuid

import psycopg

from registry.config import StoreSettings


def new_schema(database: str, prefix: str = "t") -> StoreSettings:
    """An empty schema in `database` (a URL without ?schema=), as store settings."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return StoreSettings(f"{database}?schema={schema}")


def drop_schema(settings: StoreSettings) -> None:
    """Drop the schema of `settings` (made by new_schema) with everything in it."""
    database = settings.url.split("?")[0]
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{settings.postgres_schema}" CASCADE')
