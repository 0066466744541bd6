"""Health, metrics and logs of `registry serve` as a real process over real HTTP, on both
stores: /readyz follows the projection runner (in another process, seen through its heartbeat
in the store) and the lag; /metrics families move when a query and an import run; every line
the server writes is a JSON object with the request's id, operation and status.

Waiting is by polling with a deadline; no test asserts how long anything took.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import httpx
from prometheus_client.parser import text_string_to_metric_families

from registry.config import StoreSettings

ROOT = Path(__file__).resolve().parents[1]
# The installed `registry` command, as a user runs it (beside this Python in its virtualenv).
REGISTRY = [str(Path(sys.executable).with_name("registry"))]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
QUERY = "query Steering { bodies { totalCount nodes { name } } }"


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_registry(*args: str) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        [*REGISTRY, *args],
        capture_output=True,
        text=True,
        env=environment(),
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run


@contextmanager
def process(args: list[str], log_dir: Path, name: str, **env: str) -> Iterator[subprocess.Popen]:
    """A `registry` process with stdout and stderr in files (read them after it ends)."""
    with (
        (log_dir / f"{name}.out").open("w") as out,
        (log_dir / f"{name}.err").open("w") as err,
    ):
        proc = subprocess.Popen(
            [*REGISTRY, *args],
            stdout=out,
            stderr=err,
            env=environment(**env),
            cwd=ROOT,
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@contextmanager
def server(
    settings: StoreSettings, log_dir: Path, *extra: str, **env: str
) -> Iterator[httpx.Client]:
    port = free_port()
    args = ["serve", "--port", str(port), "--database", settings.url, *extra]
    with (
        process(args, log_dir, f"serve-{port}", **env) as proc,
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20) as client,
    ):
        until(lambda: alive(client, proc), "the server answers /livez")
        yield client


def alive(client: httpx.Client, proc: subprocess.Popen) -> bool:
    assert proc.poll() is None, f"the server exited with {proc.returncode}"
    try:
        return client.get("/livez").status_code == 200
    except httpx.TransportError:
        return False


def until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting until {what}"
        time.sleep(0.2)


def readyz(client: httpx.Client) -> httpx.Response:
    return client.get("/readyz")


def assert_discreet(response: httpx.Response, settings: StoreSettings, tmp_path: Path) -> None:
    """No path, user, host or store kind in a health answer."""
    body = response.text
    assert str(tmp_path) not in body and "sqlite" not in body.lower()
    parts = urlparse(settings.url) if settings.is_postgres else None
    if parts is not None:
        assert f"{parts.username}@" not in body and (parts.hostname or "") not in body
        assert (parts.path.lstrip("/") or "registry") not in body
    assert "/" not in json.dumps(response.json()).replace("`registry project`", "")


def test_readiness_follows_the_projection_runner_and_its_lag(settings, tmp_path):
    run_registry("import", str(EXAMPLES[0]), "--database", settings.url)
    with server(
        settings,
        tmp_path,
        "--no-projections",
        REGISTRY_READY_MAX_LAG="0",
        REGISTRY_READY_HEARTBEAT_AGE="600",  # so that "behind" is seen below, not "no runner"
    ) as api:
        assert api.get("/livez").json() == {"status": "live"}
        waiting = readyz(api)
        assert waiting.status_code == 503, waiting.text
        assert waiting.json()["status"] == "not ready"
        assert "no projection runner" in waiting.json()["reason"]
        assert_discreet(waiting, settings, tmp_path)
        assert api.get("/healthz").status_code == 503  # the older name answers the same

        project = ["project", "--database", settings.url]
        with process(project, tmp_path, "project-1"):
            until(lambda: readyz(api).status_code == 200, "a separate runner catches up")
            ready = readyz(api)
            assert ready.json() == {"status": "ready"}
            assert_discreet(ready, settings, tmp_path)

        # The runner is gone (its heartbeat still young enough here): new events leave the
        # read models behind.
        run_registry("import", str(EXAMPLES[1]), "--database", settings.url)
        behind = readyz(api)
        assert behind.status_code == 503
        assert "events behind" in behind.json()["reason"]
        assert_discreet(behind, settings, tmp_path)

        # An API that allows only a young heartbeat says no runner is alive.
        time.sleep(1.5)  # let the last heartbeat age past the 1 s allowed below
        with server(
            settings, tmp_path, "--no-projections", REGISTRY_READY_HEARTBEAT_AGE="1"
        ) as strict:
            stale = readyz(strict)
            assert stale.status_code == 503
            assert "no projection runner is alive" in stale.json()["reason"]
            assert_discreet(stale, settings, tmp_path)

        with process(project, tmp_path, "project-2"):
            until(lambda: readyz(api).status_code == 200, "a restarted runner catches up")


def test_an_api_that_projects_itself_is_ready_once_caught_up(settings, tmp_path):
    run_registry("import", str(EXAMPLES[0]), "--database", settings.url)
    with server(settings, tmp_path, REGISTRY_READY_MAX_LAG="0") as api:
        until(lambda: readyz(api).status_code == 200, "its own runner catches up")
        assert readyz(api).json() == {"status": "ready"}


def scrape(client: httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_move_with_a_query_and_an_import_and_every_log_line_is_json(settings, tmp_path):
    with server(settings, tmp_path, REGISTRY_LOG_FORMAT="json") as api:
        until(lambda: readyz(api).status_code == 200, "the runner has started")
        before = scrape(api)
        for family in (
            "registry_answer_cache_hits_total",
            "registry_answer_cache_misses_total",
            "registry_events_position",
            "registry_store_up",
            "registry_event_writes_total",
        ):
            assert (family, ()) in before, family
        assert value(before, "registry_imports_total", outcome="imported") == 0

        for _ in range(2):  # the second is answered from the answer cache
            answer = api.post(
                "/graphql",
                json={"query": QUERY, "operationName": "Steering"},
                headers={"X-Request-ID": "req-query-1"},
            )
            assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
            assert answer.headers["x-request-id"] == "req-query-1"
        imported = api.post(
            "/import",
            content=EXAMPLES[0].read_bytes(),
            params={"name": EXAMPLES[0].name},
            headers={"Content-Type": "application/yaml"},
        )
        assert imported.status_code == 200 and imported.json()["status"] == "imported"
        generated = imported.headers["x-request-id"]
        assert generated  # made up by the server when the client sends none
        refused = api.post("/import", content=b"items: [", params={"name": "broken.yaml"})
        assert refused.status_code == 400
        until(lambda: readyz(api).status_code == 200, "the import is projected")
        after = scrape(api)

        def moved(name: str, **labels: str) -> float:
            return value(after, name, **labels) - value(before, name, **labels)

        graphql_ok = {"handler": "/graphql", "operation": "Steering", "status": "200"}
        assert moved("registry_http_requests_total", **graphql_ok) == 2
        assert (
            moved("registry_http_requests_total", handler="/import", operation="-", status="200")
            == 1
        )
        assert (
            moved("registry_http_requests_total", handler="/import", operation="-", status="400")
            == 1
        )
        assert moved("registry_graphql_execution_seconds_count", operation="Steering") == 2
        assert moved("registry_graphql_resolver_seconds_count", field="bodies") == 1
        assert moved("registry_answer_cache_misses_total") >= 1
        assert moved("registry_answer_cache_hits_total") == 1
        assert moved("registry_imports_total", outcome="imported") == 1
        assert moved("registry_imports_total", outcome="refused") == 1
        assert moved("registry_event_writes_total") == 1
        events = value(after, "registry_events_position")
        assert events > value(before, "registry_events_position")
        for model in ("memberships", "agreements", "entities", "ledger", "search"):
            assert value(after, "registry_projection_position", read_model=model) == events
            assert value(after, "registry_projection_lag_events", read_model=model) == 0
        assert ("registry_projection_heartbeat_age_seconds", ()) in after

    lines = [
        line
        for name in tmp_path.glob("serve-*")
        for line in name.read_text().splitlines()
        if line.strip()
    ]
    entries = [json.loads(line) for line in lines]  # every line, stdout and stderr
    for entry in entries:
        assert {"timestamp", "level", "message"} <= entry.keys(), entry
    requests = [e for e in entries if e.get("path") in ("/graphql", "/import")]
    assert len(requests) == 4
    for entry in requests:
        assert {"request_id", "status", "duration_ms", "method"} <= entry.keys(), entry
    queries = [e for e in requests if e["path"] == "/graphql"]
    assert [(e["request_id"], e["operation"], e["status"]) for e in queries] == [
        ("req-query-1", "Steering", 200)
    ] * 2
    assert generated in {e["request_id"] for e in requests if e["path"] == "/import"}
    # Uvicorn's access log is off: each request is logged once, by us.
    assert not [e for e in entries if "HTTP/1.1" in e["message"]]
