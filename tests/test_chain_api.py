"""The ledger over HTTP, with `registry serve` as a real process on both stores: the signed
head and public key in GraphQL, each audit-trail event's link hash, GET /ledger/public-key."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from registry.application import Registry
from registry.signing import checkpoint_message, load_public_key
from tests.chain_support import ROOT, cli, fill


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(settings, tmp_path) -> Iterator[tuple[str, dict[str, str]]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REGISTRY_SIGNING_KEY": str(tmp_path / "k.key")}
    fill(settings, 3)
    assert cli("digest", "--database", settings.url, cwd=tmp_path, env=env).returncode == 0
    fill(settings, 2)  # the current head moves past the signed one
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from api.cli import app; app()",
            "serve",
            "--port",
            str(port),
            "--database",
            settings.url,
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("registry serve did not start")
        yield url, env
    finally:
        process.terminate()
        process.wait(timeout=20)


def query(url: str, text: str) -> dict:
    answer = httpx.post(f"{url}/graphql", json={"query": text}, timeout=10)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]


def test_ledger_head_public_key_and_link_hashes(server, settings):
    url, _env = server
    data = query(
        url,
        "{ ledger { head { position hash signedAt signature } currentPosition currentHash "
        "publicKey } }",
    )["ledger"]
    head = data["head"]
    assert head["position"] == 3 and data["currentPosition"] == 5
    served = httpx.get(f"{url}/ledger/public-key", timeout=5)
    assert served.status_code == 200 and served.text.strip() == data["publicKey"]
    # The served signature verifies with the served key over the documented message.
    key = load_public_key(data["publicKey"])
    signed_at = datetime.fromisoformat(head["signedAt"]).isoformat()
    key.verify(
        base64.b64decode(head["signature"]),
        checkpoint_message(head["position"], head["hash"], signed_at),
    )

    registry = Registry(settings)
    try:
        links = {r.position: r.hash for r in registry.chain.chain_rows(0, 100)}
        org = registry.chain.raw_events(0, 1)[0].originator_id
    finally:
        registry.close()
    assert head["hash"] == links[3] and data["currentHash"] == links[5]
    # Wait for the projections, then read the audit trail with each event's link.
    for _ in range(100):
        if query(url, "{ projectionPosition }")["projectionPosition"] >= 5:
            break
        time.sleep(0.1)
    trail = query(url, f'{{ auditTrail(id: "{org}") {{ nodes {{ position linkHash }} }} }}')
    nodes = trail["auditTrail"]["nodes"]
    assert nodes and all(n["linkHash"] == links[n["position"]] for n in nodes)


def test_no_public_key_before_the_first_digest(settings, tmp_path, monkeypatch):
    from fastapi.testclient import TestClient  # no server process needed for a 404

    from api.app import create_app

    monkeypatch.delenv("REGISTRY_SIGNING_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # PostgreSQL's default key file is in the working directory
    app = create_app(settings, run_projections=False)
    with TestClient(app) as client:
        answer = client.get("/ledger/public-key")
        assert answer.status_code == 404
        assert "registry digest" in answer.json()["errors"][0]["message"]
