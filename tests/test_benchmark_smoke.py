"""A smoke run of benchmarks/national.py at its smallest size on SQLite and PostgreSQL.

It checks that the one command builds, measures and prints every row of issue 13's table for
both stores, and leaves no database behind. It asserts nothing about time: the benchmark
prints figures, it is not a timed test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.conftest import SERVER

ROOT = Path(__file__).resolve().parents[1]
# The databases of this run only (another run of the benchmark may be going on beside it).
PREFIX = f"registry_national_smoke{uuid.uuid4().hex[:8]}"

ROWS = [
    "1. catch-up from empty",
    "2. command path: appoint",
    "2. command path: decide+appoint",
    "3. import examples/001",
    "4. members of B on D at T",
    "5. same over GraphQL/HTTP",
    "6. read your writes",
    "7. answer cache vs plain route",
    "8. nested query",
    "8. flat query",
    "9. decisions by status on a date",
    "9. assignments overdue",
    "9. agreements by status",
    "10. peak RSS",
]


def _national_databases() -> set[str]:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{PREFIX}%",)
        ).fetchall()
    return {r[0] for r in rows}


@pytest.mark.postgres
def test_national_benchmark_prints_every_row_on_both_stores() -> None:
    before = _national_databases()
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/national.py",
            "--quick",
            "--events",
            "600",
            "--stores",
            "sqlite,postgres",
            "--postgres",
            SERVER,
        ],
        cwd=ROOT,
        env={**os.environ, "NATIONAL_DATABASE_PREFIX": PREFIX},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    for store in ("SQLite", "PostgreSQL"):
        rows = [line for line in table if line.startswith(f"| {store} | ")]
        for row in ROWS:
            assert any(line.startswith(f"| {store} | {row}") for line in rows), (store, row)
        assert sum(f"| {store} | 1. catch-up" in line for line in rows) == 2  # both sizes
        assert all("nan" not in line for line in rows), rows
    assert "chain verified: True" in done.stdout
    assert "chain verified: False" not in done.stdout
    assert not before
    assert not _national_databases()  # its temporary databases are dropped
