"""Run graphql-http's GraphQL-over-HTTP server audits against `registry serve`.

    .venv/bin/python scripts/graphql_http_audit.py                 # fresh SQLite store
    .venv/bin/python scripts/graphql_http_audit.py --database postgresql://postgres@127.0.0.1:5432/db?schema=audit

Installs the npm package graphql-http (versions pinned in scripts/graphql-http-audit/) into
.cache/graphql-http-audit/ (gitignored; reinstalled when the lock file changes), starts
`registry serve` on a free port with introspection on (the audits query `__type`) and a fresh
temporary SQLite store unless --database names one, waits for /healthz, runs every audit,
prints the failing ones and "graphql-http audits: N/M passed", and exits non-zero unless all
pass. Needs node and npm.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AUDIT = ROOT / "scripts" / "graphql-http-audit"
CACHE = ROOT / ".cache" / "graphql-http-audit"
AUDIT_FILES = ("package.json", "package-lock.json", "audit.mjs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="store URL or SQLite path (default: a fresh one)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for /healthz")
    args = parser.parse_args()

    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        print(f"graphql-http audits need {' and '.join(missing)} on PATH", file=sys.stderr)
        return 2
    install()
    with tempfile.TemporaryDirectory(prefix="registry-audit-") as scratch:
        database = args.database or str(Path(scratch) / "registry.sqlite")
        port = free_port()
        log_path = Path(scratch) / "serve.log"
        serve = ["serve", "--port", str(port), "--introspection", "--database", database]
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [*registry_command(), *serve],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_for_health(f"http://127.0.0.1:{port}/healthz", server, args.timeout)
                audit = subprocess.run(
                    ["node", str(CACHE / "audit.mjs"), f"http://127.0.0.1:{port}/graphql"],
                    check=False,
                )
                return audit.returncode
            except RuntimeError as error:
                print(error, file=sys.stderr)
                print(log_path.read_text(), file=sys.stderr)
                return 1
            finally:
                server.terminate()
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()


def install() -> None:
    """Copy the audit files into the cache and `npm ci` there, unless already done."""
    CACHE.mkdir(parents=True, exist_ok=True)
    stale = not (CACHE / "node_modules" / "graphql-http").is_dir() or any(
        not (CACHE / name).exists() or (CACHE / name).read_bytes() != (AUDIT / name).read_bytes()
        for name in ("package.json", "package-lock.json")
    )
    for name in AUDIT_FILES:
        shutil.copyfile(AUDIT / name, CACHE / name)
    if stale:
        subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=CACHE,
            check=True,
        )


def registry_command() -> list[str]:
    """The `registry` command, run by the Python running this script (the project's venv) from
    this checkout (the server is started in ROOT), so that the code audited is this code."""
    return [sys.executable, "-m", "api.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(url: str, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"registry serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"registry serve did not answer {url} within {timeout:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
