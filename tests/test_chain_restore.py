"""Export, restore and the projections on both stores: an ndjson export verifies offline and
restores an empty store to the same events, links, checkpoints and read models; the
projection runner refuses to run past a broken link."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.types.string import TextLoader

from projections.runner import ProjectionRunner
from registry.application import Registry
from registry.chain import ChainBroken
from registry.config import StoreSettings
from registry.importing import import_file
from tests.chain_support import EXAMPLES, cli, fill, raw
from tests.served import registry_process
from tests.stores import drop_schema, new_schema


@pytest.fixture
def fresh(settings, request, tmp_path) -> Iterator[StoreSettings]:
    """A second empty store of the same kind as `settings`."""
    if not settings.is_postgres:
        yield StoreSettings(str(tmp_path / "restored.sqlite"))
        return
    store = new_schema(request.getfixturevalue("postgres_database"), prefix="r")
    yield store
    drop_schema(store)


_SNAPSHOT_TIME = re.compile(r'"timestamp":\{"_type_":"datetime_iso","_data_":"[^"]*"\}')


def _rows(table: str, rows: list) -> list[str]:
    texts = [repr(r) for r in rows]
    if table.endswith("_snapshots"):
        # A projection's snapshot records when the runner took it: the time of projecting,
        # not part of any answer. Everything else in it must be equal.
        texts = [_SNAPSHOT_TIME.sub('"timestamp":"(taken)"', t, count=1) for t in texts]
    return sorted(texts)


def every_table(settings: StoreSettings) -> dict[str, list[str]]:
    """Every table of the store (events, links, checkpoints, read models, tracking) with its
    rows in a stable order."""
    tables: dict[str, list[str]] = {}
    if settings.is_postgres:
        base, _, schema = settings.url.partition("?schema=")
        with psycopg.connect(base) as conn:
            # Dates and times as PostgreSQL prints them: read models store open bounds as
            # 'infinity', which no Python datetime holds.
            for type_name in ("date", "timestamp", "timestamptz"):
                conn.adapters.register_loader(type_name, TextLoader)
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                    "AND table_type = 'BASE TABLE'",
                    (schema,),
                )
            ]
            for name in names:
                rows = conn.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall()
                tables[name] = _rows(name, rows)
        return tables
    conn = sqlite3.connect(settings.url)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE "
                "'CREATE VIRTUAL%'"
            )
        ]
        for name in names:
            rows = (
                conn.execute(f'SELECT rowid, * FROM "{name}"').fetchall()
                if name == "stored_events"
                else conn.execute(f'SELECT * FROM "{name}"').fetchall()
            )
            tables[name] = _rows(name, rows)
    finally:
        conn.close()
    return tables


def test_export_restore_gives_the_same_log_head_and_read_models(settings, fresh, tmp_path):
    registry = Registry(settings)
    runner = ProjectionRunner(registry)
    try:
        for path in EXAMPLES:
            import_file(registry, path)
        runner.catch_up()
    finally:
        runner.close()
        registry.close()
    key_env = {"REGISTRY_SIGNING_KEY": str(tmp_path / "registry.key")}
    signed = cli("digest", "--database", settings.url, cwd=tmp_path, env=key_env)
    assert signed.returncode == 0, signed.stderr
    head = json.loads(signed.stdout)

    export = tmp_path / "log.ndjson"
    done = cli(
        "export",
        "--format",
        "ndjson",
        "--output",
        str(export),
        "--database",
        settings.url,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in export.read_text().splitlines()]
    assert lines[0]["type"] == "header" and lines[0]["head"]["hash"] == head["hash"]
    assert sum(1 for line in lines if line["type"] == "event") == head["position"]

    offline = cli("verify", "--file", str(export), "--public-key", head["public_key"], cwd=tmp_path)
    assert offline.returncode == 0, offline.stdout + offline.stderr

    restored = cli(
        "restore",
        str(export),
        "--public-key",
        head["public_key"],
        "--database",
        fresh.url,
        cwd=tmp_path,
    )
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert f"head at position {head['position']} ({head['hash']})" in restored.stdout

    original, copy = every_table(settings), every_table(fresh)
    assert set(copy) == set(original)
    for table in original:
        assert copy[table] == original[table], table
    again = cli("verify", "--database", fresh.url, "--public-key", head["public_key"], cwd=tmp_path)
    assert again.returncode == 0, again.stdout

    # The restored store goes on from where the original stopped.
    registry = Registry(fresh)
    try:
        fill(fresh, 1)
        assert registry.chain.chain_head()[0] == head["position"] + 1
    finally:
        registry.close()


def test_restore_refuses_a_store_that_is_not_empty(settings, tmp_path):
    fill(settings, 3)
    export = tmp_path / "log.ndjson"
    assert (
        cli("export", "--output", str(export), "--database", settings.url, cwd=tmp_path).returncode
        == 0
    )
    refused = cli("restore", str(export), "--database", settings.url, cwd=tmp_path)
    assert refused.returncode != 0
    assert "is not empty" in refused.stderr and "nothing restored" in refused.stderr


def test_restore_refuses_an_export_that_does_not_verify(settings, fresh, tmp_path):
    fill(settings, 4)
    export = tmp_path / "log.ndjson"
    assert (
        cli("export", "--output", str(export), "--database", settings.url, cwd=tmp_path).returncode
        == 0
    )
    lines = export.read_text().splitlines()
    event = json.loads(lines[2])
    event["topic"] = event["topic"] + "X"
    lines[2] = json.dumps(event)
    export.write_text("\n".join(lines) + "\n")
    checked = cli("verify", "--file", str(export), cwd=tmp_path)
    assert checked.returncode == 1 and "BROKEN at position 2" in checked.stdout
    refused = cli("restore", str(export), "--database", fresh.url, cwd=tmp_path)
    assert refused.returncode == 1
    assert "nothing restored" in refused.stderr
    registry = Registry(fresh)
    try:
        assert registry.chain.count_events() == 0
    finally:
        registry.close()


def test_the_runner_stops_at_a_broken_link(settings, caplog):
    fill(settings, 4)
    registry = Registry(settings)
    runner = ProjectionRunner(registry)
    try:
        assert runner.catch_up() == 4
        fill(settings, 4)  # positions 5..8, not projected yet
    except Exception:
        runner.close()
        registry.close()
        raise
    try:
        with raw(settings) as db:
            db.delete(6)
        with (
            caplog.at_level(logging.ERROR, logger="registry.projections"),
            pytest.raises(ChainBroken) as stopped,
        ):
            runner.catch_up()
        assert stopped.value.position == 6
        assert runner.position() == 5  # what verifies before the break is applied, no more
        assert "hash chain broken at position 6" in caplog.text
        with pytest.raises(ChainBroken):  # and it stays stopped there
            runner.catch_up()
        assert runner.position() == 5
    finally:
        runner.close()
        registry.close()


def test_registry_project_exits_with_the_break_in_its_log(settings, tmp_path):
    fill(settings, 5)
    with raw(settings) as db:
        db.set_state(3, db.state(3).replace(b"Kommun 2", b"Kommun Z"))
    result = cli("project", "--database", settings.url, cwd=tmp_path)
    assert result.returncode != 0
    assert "projections stopped: hash chain broken at position 3" in result.stderr


def test_a_server_whose_projections_stop_at_a_broken_link_is_not_ready_and_says_where(
    settings, tmp_path
):
    fill(settings, 3)
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        # The runner's first heartbeat may come a moment after the server answers.
        deadline = time.monotonic() + 30
        while (answer := readyz(server))[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert answer == (200, "ready")
        # An event slipped into the store behind the registry's back: it has no link (one
        # statement, so the server cannot project it before it is there as it is).
        with raw(settings) as db:
            db.insert_copy(2, 4)
        deadline = time.monotonic() + 30
        # Behind at first (503 too), until the runner polls, finds the break and stops.
        while "hash chain" not in (answer := readyz(server))[1] and time.monotonic() < deadline:
            time.sleep(0.2)
        status, reason = answer
        assert status == 503
        assert "hash chain broken at position 4" in reason, reason
        assert str(tmp_path) not in reason


def readyz(server) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"{server.base}/readyz", timeout=5) as response:
            return response.status, json.load(response)["status"]
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)["reason"]
