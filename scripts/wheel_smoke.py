"""Smoke test of the package as a user installs it: not editable, in a fresh venv.

    .venv/bin/python scripts/wheel_smoke.py

Builds the wheel of this checkout (`pip wheel --no-deps`), installs it into a new venv (with
its dependencies, without the test extras), and from a temporary directory outside the
checkout runs that venv's `registry --version` and `registry demo --port <free port>`; waits
until /graphql answers a query about the example documents (read from the package data),
fetches the start page, a body's page, GraphiQL and Swagger UI with their vendored scripts
(templates and static files from the package data), subscribes to the change feed over a real WebSocket (the server needs a WebSocket
implementation among the package's own dependencies), then stops the demo with SIGTERM and
checks that it removed its temporary store. Prints each step; exits non-zero on the first
failure. CI (.ci/run) runs it after the tests. The WebSocket client is the `websockets`
package of the Python running this script (the project's venv has it from the test extras).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("registry", "projections", "api")
NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", ".cache", "__pycache__", ".*_cache")
STARTUP_SECONDS = 120
EXAMPLES_QUERY = "{ bodies { totalCount } decisions { totalCount } agreements { totalCount } }"


class SmokeFailure(Exception):
    """A step failed; the message says which and why."""


def step(message: str) -> None:
    print(f"wheel smoke: {message}", flush=True)


def run(*command: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SmokeFailure(
            f"{' '.join(map(str, command))} exited with {result.returncode}:\n"
            f"{result.stdout}{result.stderr}"
        )
    return result.stdout


def build_wheel(out: Path) -> Path:
    # From a copy without build artefacts: setuptools reuses build/, where a file deleted from
    # the source would live on and be packaged.
    source = out.parent / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, source)
    [wheel] = out.glob("mandate_registry-*.whl")
    # Every file of the three packages, data files included (the examples, the JSON Schema),
    # must be in the wheel: a data file read at run time and left out fails only when installed.
    packaged = set(zipfile.ZipFile(wheel).namelist())
    sources = {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    missing = sorted(sources - packaged)
    if missing:
        raise SmokeFailure(f"{wheel.name} lacks {', '.join(missing)}: see pyproject.toml")
    step(f"{wheel.name} holds all {len(sources)} files of {', '.join(PACKAGES)}")
    return wheel


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ask(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.load(response)
    if "errors" in answer:
        raise SmokeFailure(f"{query} answered errors: {answer['errors']}")
    return answer["data"]


def wait_for_examples(port: int, demo: subprocess.Popen, log: Path) -> dict:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if demo.poll() is not None:
            raise SmokeFailure(f"registry demo exited with {demo.returncode}:\n{log.read_text()}")
        try:
            answer = ask(port, EXAMPLES_QUERY)
        except OSError:
            time.sleep(0.3)
            continue
        if all(answer[family]["totalCount"] > 0 for family in answer):
            return answer
        raise SmokeFailure(f"the demo serves no examples: {answer}")
    raise SmokeFailure(
        f"registry demo did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}"
    )


def pages_from_the_package(port: int) -> list[str]:
    """The start page, a body's page with its timeline, GraphiQL and its vendored script, all
    answered from the installed wheel's templates and static files."""
    body = ask(port, "{ bodies(first: 1) { nodes { id } } }")["bodies"]["nodes"][0]["id"]
    seen = []
    for path, must_contain in (
        ("/", '<html lang="sv"'),
        (f"/bodies/{body}", "<svg"),
        ("/graphql", "/static/vendor/graphiql.min.js"),
        ("/static/vendor/graphiql.min.js", "GraphiQL"),
        ("/docs", "/static/vendor/swagger-ui-bundle.js"),
    ):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Accept": "text/html"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            raise SmokeFailure(f"GET {path} answered {error.code}") from error
        if must_contain not in text:
            raise SmokeFailure(f"GET {path} does not contain {must_contain!r}")
        seen.append(path)
    return seen


def first_changes_over_websocket(port: int, count: int) -> list[str]:
    from websockets.exceptions import WebSocketException

    try:
        return receive_changes(port, count)
    except WebSocketException as error:
        # e.g. HTTP 400 "No supported WebSocket library detected" when the installed package
        # lacks a WebSocket implementation.
        raise SmokeFailure(f"the change-feed subscription failed: {error}") from error


def receive_changes(port: int, count: int) -> list[str]:
    from websockets.sync.client import connect

    with connect(
        f"ws://127.0.0.1:{port}/graphql",
        subprotocols=["graphql-transport-ws"],
        proxy=None,
        open_timeout=30,
    ) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        if json.loads(ws.recv(timeout=30))["type"] != "connection_ack":
            raise SmokeFailure("the WebSocket was not acknowledged")
        query = "subscription { changes { cursor node { type } } }"
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        types = []
        while len(types) < count:
            message = json.loads(ws.recv(timeout=30))
            if message["type"] != "next" or "errors" in message["payload"]:
                raise SmokeFailure(f"the subscription answered {message}")
            types.append(message["payload"]["data"]["changes"]["node"]["type"])
        return types


def smoke(scratch: Path) -> None:
    step(f"building the wheel of {ROOT}")
    wheel = build_wheel(scratch / "dist")
    step(f"installing {wheel.name} into a fresh venv")
    venv = scratch / "venv"
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin" / "pip", "install", "-q", wheel)
    registry = venv / "bin" / "registry"

    # Run outside the checkout, so that nothing can be found through the working directory.
    work = scratch / "work"
    temporary = scratch / "tmp"
    work.mkdir()
    temporary.mkdir()
    version = run(registry, "--version", cwd=work).strip()
    step(f"`registry --version`: {version}")

    port = free_port()
    log = scratch / "demo.log"
    environment = {**os.environ, "TMPDIR": str(temporary)}
    environment.pop("PYTHONPATH", None)
    with log.open("w") as sink:
        demo = subprocess.Popen(
            [registry, "demo", "--port", str(port)],
            cwd=work,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        answer = wait_for_examples(port, demo, log)
        step(f"`registry demo` answers {EXAMPLES_QUERY}: {json.dumps(answer)}")
        pages = pages_from_the_package(port)
        step(f"the pages answer from the package's templates and static files: {pages}")
        types = first_changes_over_websocket(port, 3)
        step(f"the change feed over WebSocket streams the examples' events: {types}")
        stores = list(temporary.iterdir())
        if len(stores) != 1:
            raise SmokeFailure(f"expected one demo store in {temporary}, found {stores}")
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=30)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    left = list(temporary.iterdir())
    if left:
        raise SmokeFailure(f"the stopped demo left its store behind: {left}\n{log.read_text()}")
    step("the demo stopped on SIGTERM and removed its temporary store")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="registry-wheel-smoke-") as scratch:
        try:
            smoke(Path(scratch))
        except (SmokeFailure, subprocess.SubprocessError, OSError, ValueError) as error:
            print(f"wheel smoke: FAILED: {error}", file=sys.stderr)
            return 1
    step("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
