"""Fuzz a served registry: GraphQL queries and mutations generated from its schema
(hypothesis-graphql, valid and invalid documents) and requests generated from /openapi.json
for every HTTP route (schemathesis). Prints how many requests were sent and how many the
server answered with a server error (HTTP 5xx, or a GraphQL error INTERNAL_SERVER_ERROR);
exits 1 if any.

    python scripts/fuzz.py                      # starts `registry demo` on a free port
    python scripts/fuzz.py --url http://127.0.0.1:8000 --graphql 2000 --openapi 200

Against a server with no identity configured, from this machine, mutations run as the local
administrator and do write (the demo's store is a temporary one).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import graphql
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.graphql_http_audit import free_port  # noqa: E402


@dataclass
class Tally:
    """Requests sent and the server errors among them (with a few examples)."""

    requests: int = 0
    server_errors: int = 0
    examples: list[str] = field(default_factory=list)

    def failed(self, what: str) -> None:
        self.server_errors += 1
        if len(self.examples) < 5:
            self.examples.append(what[:2000])


def _string(value: str) -> graphql.StringValueNode:
    return graphql.StringValueNode(value=value)


# Custom scalars as value nodes: mostly well-formed, sometimes not (a refusal, never a 500).
SCALARS = {
    "Date": st.one_of(st.dates().map(lambda d: _string(d.isoformat())), st.text().map(_string)),
    "DateTime": st.one_of(
        st.datetimes(timezones=st.just(UTC)).map(lambda d: _string(d.isoformat())),
        st.text().map(_string),
    ),
    "Decimal": st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(lambda d: _string(str(d))),
        st.text().map(_string),
    ),
    "JSON": st.just(graphql.ObjectValueNode(fields=())),
}


def _is_server_error(status: int, body: str) -> bool:
    if status >= 500 and status != 503:  # 503: POSITION_NOT_REACHED, a documented answer
        return True
    try:
        answer = json.loads(body)
    except ValueError:
        return status >= 500
    errors = answer.get("errors") if isinstance(answer, dict) else None
    return any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"
        for e in errors or ()
    )


def fuzz_graphql(base: str, examples: int) -> Tally:
    """`examples` documents of each kind: valid queries, valid mutations, invalid ones."""
    from hypothesis_graphql import Mode, mutations, queries

    tally = Tally()
    sdl = httpx.get(
        f"{base}/graphql", params={"query": graphql.get_introspection_query()}, timeout=60
    ).json()
    schema = graphql.build_client_schema(sdl["data"])
    strategies = [
        queries(schema, custom_scalars=SCALARS),
        mutations(schema, custom_scalars=SCALARS),
        queries(schema, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
        mutations(schema, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
    ]
    with httpx.Client(base_url=base, timeout=60) as client:
        for strategy in strategies:

            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                phases=["generate"],
            )
            @given(document=strategy)
            def send(document: str) -> None:
                response = client.post("/graphql", json={"query": document})
                tally.requests += 1
                if _is_server_error(response.status_code, response.text):
                    tally.failed(f"{response.status_code} {document}\n{response.text}")

            send()
    return tally


def fuzz_openapi(base: str, examples: int) -> Tally:
    """`examples` requests for each operation /openapi.json describes."""
    import schemathesis

    tally = Tally()
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    for result in schema.get_all_operations():
        _fuzz_operation(base, result.ok(), examples, tally)
    return tally


def _fuzz_operation(base: str, operation: Any, examples: int, tally: Tally) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=["generate"],
    )
    @given(case=operation.as_strategy())
    def send(case: Any) -> None:
        response = case.call(base_url=base, timeout=60)
        tally.requests += 1
        if _is_server_error(response.status_code, response.text):
            tally.failed(
                f"{response.status_code} {operation.method.upper()} {operation.path} "
                f"{case.query} {str(case.body)[:300]}\n{response.text}"
            )

    send()


@contextmanager
def demo_server() -> Iterator[str]:
    """`registry demo` (the example minutes in a temporary store) on a free port."""
    script = Path(sys.executable).with_name("registry")
    command = [str(script)] if script.exists() else [shutil.which("registry") or "registry"]
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir, open(Path(workdir) / "log", "wb") as log:
        process = subprocess.Popen(
            [*command, "demo", "--port", str(port)],
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None:
                    raise SystemExit(f"registry demo exited: {Path(log.name).read_text()}")
                time.sleep(0.3)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running registry (default: start `registry demo`)")
    parser.add_argument(
        "--graphql",
        type=int,
        default=500,
        help="documents of each kind (valid/invalid queries/mutations)",
    )
    parser.add_argument("--openapi", type=int, default=100, help="requests per HTTP operation")
    args = parser.parse_args()
    started = datetime.now(UTC)

    def run(base: str) -> int:
        results = {
            "graphql": fuzz_graphql(base, args.graphql),
            "openapi": fuzz_openapi(base, args.openapi),
        }
        for name, tally in results.items():
            print(f"{name}: {tally.requests} requests, {tally.server_errors} server errors")
            for example in tally.examples:
                print("  " + example.replace("\n", "\n  "))
        total = sum(t.requests for t in results.values())
        errors = sum(t.server_errors for t in results.values())
        seconds = (datetime.now(UTC) - started).total_seconds()
        print(f"total: {total} requests, {errors} server errors, {seconds:.0f} s")
        return 1 if errors else 0

    if args.url:
        return run(args.url.rstrip("/"))
    with demo_server() as base:
        return run(base)


if __name__ == "__main__":
    sys.exit(main())
