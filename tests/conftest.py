"""Fixtures: every store-dependent test runs on SQLite and on PostgreSQL, over real
connections. PostgreSQL tests never skip: if the server is down they fail and say so.

PostgreSQL: one database per test session (`registry_test_<random>`), one schema per test;
both are dropped afterwards. Override the server with REGISTRY_TEST_POSTGRES (a URL without
database, default postgresql://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from projections.runner import ProjectionRunner
from registry.application import Registry
from registry.config import StoreSettings
from registry.values import Context, Source
from tests.stores import drop_schema, new_schema

SERVER = os.environ.get("REGISTRY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    name = f"registry_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(f"{SERVER}/postgres", autocommit=True)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {SERVER} ({error}). Start it with "
            "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`."
        )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(f"{SERVER}/{name}", autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
    yield f"{SERVER}/{name}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path) -> Iterator[StoreSettings]:
    """Store settings for a fresh, empty store of each kind."""
    if request.param == "sqlite":
        yield StoreSettings(str(tmp_path / "registry.sqlite"))
        return
    store = new_schema(request.getfixturevalue("postgres_database"))
    yield store
    drop_schema(store)


@pytest.fixture
def registry(settings: StoreSettings) -> Iterator[Registry]:
    app = Registry(settings)
    yield app
    app.close()


@pytest.fixture
def runner(registry: Registry) -> Iterator[ProjectionRunner]:
    projection = ProjectionRunner(registry)
    yield projection
    projection.stop()
    projection.close()


@pytest.fixture
def ctx() -> Context:
    return Context(actor="test-secretary", source=Source("test minutes", "§ 1"))
