"""Run `registry` commands as real processes for tests: the server on a free port, CLI
commands to completion, GraphQL over real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def registry_command() -> list[str]:
    """The `registry` command installed beside the test's Python (`pip install -e .`).
    Not `python -m api.cli`: commands registered by api/cli_*.py modules attach to the
    `api.cli` module's app, which is not the `__main__` one run that way."""
    return [str(Path(sys.executable).parent / "registry")]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    return {**env, **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(
    args: list[str], env: Mapping[str, str], timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run a `registry` command to completion; fail the test with its output if it fails."""
    done = subprocess.run(
        [*registry_command(), *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"registry {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


@contextmanager
def serving(args: list[str], env: Mapping[str, str], log: Path) -> Iterator[str]:
    """`registry serve` with `args` on a free port; yields its base URL, stops it after."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [*registry_command(), "serve", "--port", str(port), *args],
            cwd=ROOT,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, f"registry serve exited: {log.read_text()}"
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, (
                    f"registry serve did not start: {log.read_text()}"
                )
                time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def graphql(
    client: httpx.Client, base: str, query: str, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    return client.post(f"{base}/graphql", json={"query": query}, headers=dict(headers or {}))


def data(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]
