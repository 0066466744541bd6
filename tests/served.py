"""`registry` as a real process, for tests that must see what a user sees: the installed
command, a real port, real HTTP and WebSocket connections.

    with registry_process("serve", "--database", url, cwd=tmp_path) as server:
        server.graphql("{ bodies { totalCount } }")
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.graphql_http_audit import free_port

STARTUP_SECONDS = 90  # generous: the machine is shared, and the demo imports four files first


def registry_command() -> list[str]:
    """The installed `registry` entry point of the Python running the tests (the project's
    venv), as a user runs it; `python -m api.cli` only where no entry point is installed."""
    script = Path(sys.executable).with_name("registry")
    found = script if script.exists() else shutil.which("registry")
    return [str(found)] if found else [sys.executable, "-m", "api.cli"]


@dataclass
class RegistryProcess:
    """A running `registry serve` or `registry demo` and how to reach it."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": content_type}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST a query; the answer's JSON (asserting it has no errors)."""
        payload = json.dumps({"query": query, "variables": variables or {}}).encode()
        status, answer = self.post("/graphql", payload, "application/json")
        assert status == 200 and "errors" not in answer, (status, answer)
        return answer["data"]

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_until_answering(server: RegistryProcess, timeout: float = STARTUP_SECONDS) -> None:
    """Wait until GraphQL answers a query (not only until the port is open)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(
                f"registry exited with {server.process.returncode}:\n{server.output()}"
            )
        try:
            if server.graphql("{ __typename }") == {"__typename": "Query"}:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"registry did not answer within {timeout:.0f} s:\n{server.output()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def registry_process(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> Iterator[RegistryProcess]:
    """Start `registry <args> --port <free port>` in `cwd`, wait until it answers GraphQL,
    and stop it (SIGTERM, then SIGKILL) afterwards. Its output goes to cwd/registry.log."""
    port = free_port()
    log = cwd / "registry.log"
    # A token set in the developer's shell would make POST /import answer 401; a test that
    # wants one passes it in `env`.
    environment = {k: v for k, v in os.environ.items() if k != "REGISTRY_IMPORT_TOKEN"}
    environment.update(env or {})
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*registry_command(), *args, "--port", str(port)],
            cwd=cwd,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = RegistryProcess(process, port, log)
    try:
        wait_until_answering(server)
        yield server
    finally:
        stop(process)
