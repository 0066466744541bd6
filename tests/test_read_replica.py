"""Reads from a PostgreSQL streaming replica (REGISTRY_READ_DATABASE) with read-your-writes
by position. The test sets up its own primary and replica clusters with the machine's
PostgreSQL binaries (initdb, pg_basebackup -R), runs a projection runner against the primary
and `registry serve --no-projections` reading from the replica, imports minutes over
POST /import and reads the effect with `X-Registry-Min-Position`; with the replica's replay
paused, such a read is refused after the bounded wait, and answered once replay resumes."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.processes import (
    EXAMPLES,
    ROOT,
    data,
    environment,
    free_port,
    graphql,
    registry_command,
    serving,
)


def postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        found = [Path(p) for p in [shutil.which("initdb")] if p]
    assert found, "no PostgreSQL server binaries (initdb) under /usr/lib/postgresql/*/bin"
    return found[-1].parent


@pytest.fixture
def replicated() -> Iterator[tuple[str, str]]:
    """(primary URL, replica URL): two fresh clusters, stopped and removed afterwards."""
    binaries = postgres_bin()
    # initdb refuses to run as root: run the clusters as the `postgres` user then.
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    directory = Path(tempfile.mkdtemp(prefix="registry-replica-"))
    if as_postgres:
        shutil.chown(directory, "postgres")
    primary, replica = directory / "primary", directory / "replica"
    primary_port, replica_port = free_port(), free_port()

    def pg(tool: str, *args: str) -> None:
        subprocess.run([*as_postgres, str(binaries / tool), *args], check=True, capture_output=True)

    started: list[Path] = []
    try:
        # Throwaway clusters: no fsync (initdb -N, fsync = off) keeps the test quick.
        pg("initdb", "-N", "-D", str(primary), "-U", "postgres", "--auth=trust")
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {primary_port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{directory}'\nwal_level = replica\n"
                "max_wal_senders = 5\nfsync = off\n"
            )
        pg("pg_ctl", "-D", str(primary), "-l", str(directory / "primary.log"), "-w", "start")
        started.append(primary)
        primary_url = f"postgresql://postgres@127.0.0.1:{primary_port}/registry"
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{primary_port}/postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE registry")
        with psycopg.connect(primary_url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
        pg(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres"),
            # -c fast: checkpoint at once instead of spreading it over minutes.
            *("-D", str(replica), "-R", "-X", "stream", "-c", "fast"),
        )
        pg(
            "pg_ctl",
            *("-D", str(replica), "-l", str(directory / "replica.log")),
            *("-o", f"-p {replica_port}", "-w", "start"),
        )
        started.append(replica)
        replica_url = f"postgresql://postgres@127.0.0.1:{replica_port}/registry"
        with psycopg.connect(replica_url, autocommit=True) as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        yield primary_url, replica_url
    finally:
        for cluster in reversed(started):
            subprocess.run(
                [
                    *as_postgres,
                    str(binaries / "pg_ctl"),
                    "-D",
                    str(cluster),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
            )
        shutil.rmtree(directory, ignore_errors=True)


def import_file(client: httpx.Client, base: str, path: Path) -> int:
    answer = client.post(
        f"{base}/import?name={path.name}",
        content=path.read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["position"]


def projected_on(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT notification_id FROM registryviews_tracking WHERE application_name = 'Registry'"
        ).fetchone()
    return row[0] if row else 0


DECISIONS = "{ projectionPosition decisions(first: 500) { totalCount } }"


def test_replica_serves_reads_that_see_a_write_once_its_position_replicated(replicated, tmp_path):
    primary_url, replica_url = replicated
    files = sorted(EXAMPLES.glob("*.yaml"))
    project_log = (tmp_path / "project.log").open("w")
    runner = subprocess.Popen(
        [*registry_command(), "project"],
        cwd=ROOT,
        env=environment(REGISTRY_DATABASE=primary_url),
        stdout=project_log,
        stderr=subprocess.STDOUT,
    )
    try:
        # The runner creates the read models' tables on the primary; serve after it has.
        deadline = time.monotonic() + 60
        while "projecting" not in (tmp_path / "project.log").read_text():
            assert runner.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        env = environment(
            REGISTRY_DATABASE=primary_url,
            REGISTRY_READ_DATABASE=replica_url,
            # Long enough for a loaded machine to project an import; the refusal below
            # waits this long too.
            REGISTRY_READ_WAIT_SECONDS="10",
        )
        with (
            serving(["--no-projections"], env, tmp_path / "serve.log") as base,
            httpx.Client(timeout=30) as client,
        ):
            first = import_file(client, base, files[1])
            seen = data(graphql(client, base, DECISIONS, {"X-Registry-Min-Position": str(first)}))
            assert seen["projectionPosition"] >= first
            assert seen["decisions"]["totalCount"] > 0

            with psycopg.connect(replica_url, autocommit=True) as replica:
                replica.execute("SELECT pg_wal_replay_pause()")
                second = import_file(client, base, files[2])
                # The primary's read models have the write...
                deadline = time.monotonic() + 60
                while projected_on(primary_url) < second:
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
                # ...the replica does not: a read that needs it is refused after the wait,
                refused = graphql(client, base, DECISIONS, {"X-Registry-Min-Position": str(second)})
                assert refused.status_code == 503, refused.text
                error = refused.json()["errors"][0]
                assert error["extensions"]["code"] == "POSITION_NOT_REACHED"
                assert str(second) in error["message"]
                assert refused.headers["retry-after"] == "1"
                # and a read without a position answers from the replica as it stands.
                stale = data(graphql(client, base, DECISIONS))
                assert stale == seen
                replica.execute("SELECT pg_wal_replay_resume()")

            fresh = data(graphql(client, base, DECISIONS, {"X-Registry-Min-Position": str(second)}))
            assert fresh["projectionPosition"] >= second
            assert fresh["decisions"]["totalCount"] > seen["decisions"]["totalCount"]

            # A rebuild on the primary reaches the replica's readers too: they switch to the
            # new generation once it has streamed there, and it is kept current.
            rebuilt = subprocess.run(
                [*registry_command(), "rebuild", "--grace", "1"],
                cwd=ROOT,
                env=environment(REGISTRY_DATABASE=primary_url),
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert rebuilt.returncode == 0, rebuilt.stderr
            # (a comment: a new request to the answer cache, so it runs on the new generation)
            assert data(graphql(client, base, DECISIONS + "\n# after the rebuild")) == fresh
            third = import_file(client, base, files[3])
            later = data(graphql(client, base, DECISIONS, {"X-Registry-Min-Position": str(third)}))
            assert later["decisions"]["totalCount"] > fresh["decisions"]["totalCount"]
            with psycopg.connect(replica_url, autocommit=True) as replica:
                pointer = replica.execute("SELECT generation FROM registry_read_generation")
                assert pointer.fetchone() == (1,)

            bad = graphql(client, base, DECISIONS, {"X-Registry-Min-Position": "soon"})
            assert bad.status_code == 400, bad.text
            assert "X-Registry-Min-Position" in bad.json()["errors"][0]["message"]
    finally:
        runner.terminate()
        try:
            runner.wait(timeout=15)
        except subprocess.TimeoutExpired:
            runner.kill()
            runner.wait()
        project_log.close()


def test_min_position_waits_for_this_stores_projection_without_a_replica(settings, tmp_path):
    # Long enough for a loaded machine to project an import; the refusal waits this long too.
    env = environment(REGISTRY_DATABASE=settings.url, REGISTRY_READ_WAIT_SECONDS="10")
    files = sorted(EXAMPLES.glob("*.yaml"))
    with serving([], env, tmp_path / "serve.log") as base, httpx.Client(timeout=30) as client:
        position = import_file(client, base, files[1])
        seen = data(graphql(client, base, DECISIONS, {"X-Registry-Min-Position": str(position)}))
        assert seen["projectionPosition"] >= position
        assert seen["decisions"]["totalCount"] > 0
        # A position no event has reached yet: refused after the wait, nothing executed.
        ahead = graphql(client, base, DECISIONS, {"X-Registry-Min-Position": str(position + 1000)})
        assert ahead.status_code == 503, ahead.text
        assert ahead.json()["errors"][0]["extensions"]["code"] == "POSITION_NOT_REACHED"
        assert "data" not in ahead.json()
        bad = graphql(client, base, DECISIONS, {"X-Registry-Min-Position": "-3"})
        assert bad.status_code == 400, bad.text
        assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize(
    ("setting", "value"),
    [("REGISTRY_READ_DATABASE", "replica.sqlite"), ("REGISTRY_READ_WAIT_SECONDS", "soon")],
)
def test_a_bad_read_setting_is_refused_at_start_in_one_line(tmp_path, setting, value):
    env = environment(REGISTRY_DATABASE=str(tmp_path / "r.sqlite"), **{setting: value})
    done = subprocess.run(
        [*registry_command(), "serve", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    refusal = [line for line in done.stderr.splitlines() if line.startswith("registry: ")]
    assert len(refusal) == 1 and setting in refusal[0], done.stderr
