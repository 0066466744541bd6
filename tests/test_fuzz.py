"""A small fuzz run in the suite (scripts/fuzz.py runs larger ones): GraphQL documents
generated from the served schema, queries and mutations, valid and not, and requests for every
route /openapi.json describes, against `registry serve` as a real process on both stores.
No request may be answered with a server error."""

from __future__ import annotations

import httpx

from scripts.fuzz import fuzz_graphql, fuzz_openapi
from tests.mutation_support import seed
from tests.served import registry_process


def test_fuzzed_requests_get_no_server_error(settings, tmp_path):
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        seed(server.base)  # something to find, so that generated ids sometimes hit
        tallies = [fuzz_graphql(server.base, 15), fuzz_openapi(server.base, 3)]
    assert all(t.requests > 0 for t in tallies)
    assert [t.examples for t in tallies] == [[], []]


def test_every_route_is_described_in_openapi(settings, tmp_path):
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        spec = httpx.get(f"{server.base}/openapi.json", timeout=30).json()
    operations = [
        (path, method, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]
    assert {"/import", "/graphql", "/livez", "/readyz", "/metrics"} <= set(spec["paths"])
    undescribed = [
        (path, method)
        for path, method, operation in operations
        if not (operation.get("summary") or operation.get("description"))
        or not operation.get("responses")
    ]
    assert undescribed == []
