"""`registry demo` and `registry --version` as real processes: the demo serves the examples
from a temporary store and removes that store when it is stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from importlib import metadata

import pytest

from tests.served import registry_command, registry_process


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_demo_serves_the_examples_and_removes_its_store_when_stopped(tmp_path, stop_with):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with registry_process("demo", cwd=tmp_path, env={"TMPDIR": str(temporary)}) as demo:
        answer = demo.graphql("{ bodies { totalCount } decisions { totalCount } }")
        assert answer["bodies"]["totalCount"] > 0
        assert answer["decisions"]["totalCount"] > 0
        [store] = temporary.iterdir()
        assert (store / "demo.sqlite").is_file()

        demo.process.send_signal(stop_with)
        demo.process.wait(timeout=30)

    assert list(temporary.iterdir()) == [], demo.output()
    assert demo.process.returncode in (0, 128 + stop_with), demo.output()


def test_a_demo_that_cannot_start_says_why_and_removes_its_store(tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*registry_command(), "demo", "--port", str(port)],
            cwd=tmp_path,
            env={**os.environ, "TMPDIR": str(temporary)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert result.returncode != 0
    assert "address already in use" in result.stderr.lower(), result.stderr
    assert list(temporary.iterdir()) == []


def test_version_prints_the_installed_package_version():
    result = subprocess.run(
        [*registry_command(), "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"registry {metadata.version('mandate-registry')}"
