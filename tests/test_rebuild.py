"""`registry rebuild` with no downtime: while a client fires GraphQL queries at a running
`registry serve` process, `registry rebuild` runs as another process; every query answers,
each answer equals the one given before the rebuild (none sees a half-built read model), the
server reads the new generation afterwards (PostgreSQL: the old one is dropped) and keeps it
current, also when the API and the projection runner are separate processes."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest

from registry.application import Registry
from registry.values import Context, Source
from tests.processes import (
    EXAMPLES,
    ROOT,
    data,
    environment,
    graphql,
    registry_command,
    run,
    serving,
)

QUERIES = [
    """{ bodies(name: "god och nära vård") { nodes { name
          before: members(asOf: "2020-02-06") { personName from fromNotAfter until }
          after: members(asOf: "2020-02-08") { personName role from decision { item } } } } }""",
    """{ lastDay: agreements(validOn: "2020-11-30", expiringWithinDays: 31) {
          nodes { title effectiveUntil pendingExtensions { newUntil status } } }
        dayAfter: agreements(validOn: "2020-12-01") { nodes { title } } }""",
    """{ decisions(statuses: [CONDITIONAL], asOf: "2020-03-01") {
          totalCount nodes { id decidedOn item kind conditions { text metOn } } } }""",
    """{ decisions(first: 500) { totalCount nodes { id item events { type position } } } }""",
    """{ search(query: "avtal") { totalCount nodes { snippet } } }""",
    """{ changes(first: 500) { edges { cursor node { type position recordedAt } } } }""",
    """{ persons(first: 500) { nodes { name mandates { role body { name } } } } }""",
    # Contact values are kept apart from the read models (personal_data, beside the events).
    """{ persons(name: "Anna Berg") { nodes { name contactDetails { kind value commitment } } } }""",
]


def wait_projected(client: httpx.Client, base: str) -> None:
    """Until /readyz says the read models have caught up with the events."""
    deadline = time.monotonic() + 60
    while (ready := client.get(f"{base}/readyz")).status_code != 200:
        assert time.monotonic() < deadline, ready.text
        time.sleep(0.1)


class Firing(threading.Thread):
    """Fires the queries in turn, as fast as answers come, recording every answer."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.answers: list[tuple[float, int, int, str]] = []  # (time, query, status, body)
        self.stop = threading.Event()

    def run(self) -> None:
        sent = 0
        with httpx.Client(timeout=30) as client:
            while not self.stop.is_set():
                for n, query in enumerate(QUERIES):
                    # A comment makes each request new to the answer cache (api/cache.py),
                    # so every one is executed against the read models.
                    sent += 1
                    try:
                        response = graphql(client, self.base, f"{query}\n# {sent}")
                        self.answers.append(
                            (time.monotonic(), n, response.status_code, response.text)
                        )
                    except httpx.HTTPError as error:
                        self.answers.append((time.monotonic(), n, 0, repr(error)))

    def wait_rounds(self, rounds: int) -> None:
        target = len(self.answers) + rounds * len(QUERIES)
        deadline = time.monotonic() + 120
        while len(self.answers) < target:
            assert self.is_alive() and time.monotonic() < deadline
            time.sleep(0.05)


@contextmanager
def projecting(env: dict[str, str], log: Path) -> Iterator[None]:
    """`registry project` in its own process, once it has set up the read models."""
    with log.open("w") as out:
        runner = subprocess.Popen(
            [*registry_command(), "project"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
        try:
            deadline = time.monotonic() + 60
            while "projecting" not in log.read_text():
                assert runner.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
            yield
        finally:
            runner.terminate()
            try:
                runner.wait(timeout=15)
            except subprocess.TimeoutExpired:
                runner.kill()
                runner.wait()


@pytest.mark.parametrize("layout", ["one process", "api and runner processes"])
def test_rebuild_while_queries_run_answers_every_query_the_same(settings, tmp_path, layout):
    # A generous wait for X-Registry-Min-Position below: the machine may be loaded.
    env = environment(REGISTRY_DATABASE=settings.url, REGISTRY_READ_WAIT_SECONDS="60")
    files = sorted(EXAMPLES.glob("*.yaml"))
    run(["import", *map(str, files[:3])], env)
    registry = Registry(settings)
    registry.register_person(
        "Anna Berg", Context("test", Source("test", "§ 1")), contact={"email": "anna@example.se"}
    )
    registry.close()
    with ExitStack() as stack:
        if layout == "one process":
            base = stack.enter_context(serving([], env, tmp_path / "serve.log"))
        else:
            stack.enter_context(projecting(env, tmp_path / "project.log"))
            base = stack.enter_context(serving(["--no-projections"], env, tmp_path / "serve.log"))
        client = stack.enter_context(httpx.Client(timeout=30))
        wait_projected(client, base)
        expected = [graphql(client, base, q).text for q in QUERIES]
        for answer in expected:
            assert '"errors"' not in answer, answer
        firing = Firing(base)
        firing.start()
        try:
            firing.wait_rounds(1)
            started = time.monotonic()
            rebuilt = run(["rebuild", "--grace", "1"], env)
            ended = time.monotonic()
            firing.wait_rounds(3)  # and after the old generation is gone
        finally:
            firing.stop.set()
            firing.join(timeout=60)

        wrong = [a for a in firing.answers if a[2] != 200 or a[3] != expected[a[1]]]
        assert not wrong, f"{len(wrong)} of {len(firing.answers)} answers differ: {wrong[:3]}"
        during = [a for a in firing.answers if started <= a[0] <= ended]
        assert during, "no query was answered while the rebuild ran"

        if settings.is_postgres:
            assert "switched readers to generation 1" in rebuilt.stderr, rebuilt.stderr
            assert "dropped generation 0" in rebuilt.stderr, rebuilt.stderr
            schema = settings.postgres_schema
            database = settings.url.split("?")[0]
            with psycopg.connect(database, autocommit=True) as conn:
                pointer = conn.execute(
                    f'SELECT generation FROM "{schema}".registry_read_generation'
                ).fetchone()
                old = conn.execute(f"SELECT to_regclass('\"{schema}\".entity_versions')")
                new = conn.execute(f"SELECT to_regclass('\"{schema}_gen1\".entity_versions')")
                assert pointer == (1,)
                assert old.fetchone() == (None,)
                assert new.fetchone()[0] is not None

        # The server's own projection runner keeps the new generation current.
        before = data(graphql(client, base, "{ decisions { totalCount } }"))
        answer = client.post(
            f"{base}/import?name={files[3].name}",
            content=files[3].read_bytes(),
            headers={"Content-Type": "application/yaml"},
        )
        assert answer.status_code == 200, answer.text
        position = answer.json()["position"]
        after = data(
            graphql(
                client,
                base,
                "{ projectionPosition decisions { totalCount } }",
                {"X-Registry-Min-Position": str(position)},
            )
        )
        assert after["projectionPosition"] >= position
        assert after["decisions"]["totalCount"] > before["decisions"]["totalCount"]

    if settings.is_postgres:
        with psycopg.connect(settings.url.split("?")[0], autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{settings.postgres_schema}_gen1" CASCADE')


def test_rebuild_keeps_or_drops_the_old_generation_as_asked(settings, tmp_path):
    env = environment(REGISTRY_DATABASE=settings.url)
    files = sorted(EXAMPLES.glob("*.yaml"))
    run(["import", *map(str, files[:2])], env)
    if not settings.is_postgres:
        done = run(["rebuild", "--drop-old"], env)
        assert "nothing to drop" in done.stderr
        return
    schema = settings.postgres_schema
    database = settings.url.split("?")[0]

    def state() -> tuple[int, list[str]]:
        with psycopg.connect(database, autocommit=True) as conn:
            pointer = conn.execute(
                f'SELECT generation FROM "{schema}".registry_read_generation'
            ).fetchone()[0]
            found = conn.execute(
                "SELECT table_schema FROM information_schema.tables "
                "WHERE table_name = 'entity_versions' AND table_schema LIKE %s "
                "ORDER BY table_schema",
                (schema + "%",),
            ).fetchall()
        return pointer, [r[0] for r in found]

    try:
        run(["rebuild", "--keep-old"], env)
        assert state()[0] == 1
        run(["rebuild", "--drop-old"], env)
        assert state() == (1, [f"{schema}_gen1"])
        run(["rebuild", "--grace", "0"], env)
        assert state() == (2, [f"{schema}_gen2"])
        # A projection runner started now keeps generation 2, caught up to the whole log.
        from projections.runner import ProjectionRunner

        registry = Registry(settings)
        runner = ProjectionRunner(registry)
        try:
            assert runner.generation == 2
            assert runner.position() == registry.max_position() > 0
        finally:
            runner.close()
            registry.close()
    finally:
        with psycopg.connect(database, autocommit=True) as conn:
            for n in (1, 2):
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}_gen{n}" CASCADE')
