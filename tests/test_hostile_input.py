"""Hostile documents sent to POST /import of a real `registry serve`, one test per case, on
both stores: each is refused with a 400 and its code, nothing is written, and the server logs
one line for it, not a traceback. (How long each refusal takes is measured by
benchmarks/hostile_input.py, not asserted here.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.config import StoreSettings
from tests.served import registry_process
from tests.test_identity import count

FIVE_MB = 5 * 1024 * 1024

CASES = {
    # 100 000 nested arrays: past the loader's depth bound long before Python's recursion.
    "deep json": (
        b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "application/json",
        "nested too deep",
    ),
    # One string of 5 MiB: over the request's size bound.
    "5 MB string": (
        b'{"document": "' + b"x" * FIVE_MB + b'"}',
        "application/json",
        "bytes; at most",
    ),
    # Just under the size bound, still a string far longer than any field may be.
    "4.9 MB string in YAML": (
        b"document: '" + b"x" * 4_900_000 + b"'\n",
        "application/yaml",
        "at most 100000",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_document_is_refused_and_writes_nothing(
    settings: StoreSettings, tmp_path: Path, case: str
) -> None:
    body, content_type, said = CASES[case]
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        status, answer = server.post("/import?name=hostile", body, content_type)
        assert status == 400, (case, status, answer)
        (error,) = answer["errors"]
        assert error["code"] == "TOO_LARGE" and said in error["message"], error
        assert server.graphql("{ __typename }") == {"__typename": "Query"}  # still answering
    assert count(settings) == 0
    log = server.output()
    assert "Traceback" not in log
    refusals = [
        json.loads(line)
        for line in log.splitlines()
        if line.startswith("{") and "refused" in json.loads(line)["message"]
    ]
    assert [r["message"] for r in refusals] == ["import of hostile refused: TOO_LARGE"] or (
        case == "5 MB string" and refusals == []  # refused by size before it is read
    ), refusals
