"""Importing a minutes file into a served app and asking it over GraphQL (HTTP through the
ASGI app, with the projection runner of the app), for tests of one capability of the format."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from registry.importing import ImportRefused, import_text


@pytest.fixture
def client(settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as http:
        yield http


def imported(client: TestClient, text: str, **options) -> str:
    """Import `text` with the app's registry and wait until the read models have it."""
    registry = client.app.state.registry
    status = import_text(registry, text, "test.yaml", **options).status
    client.app.state.runner.wait_for(registry.max_position())
    return status


def imported_at(client: TestClient, text: str) -> datetime:
    """Import `text` (new to the registry), wait for the read models; the moment just after,
    for `knownAt` questions about what the registry knew once it had it."""
    assert imported(client, text) == "imported"
    return datetime.now(UTC)


def import_twice(client: TestClient, text: str) -> None:
    """The file imports, and importing it again writes nothing."""
    registry = client.app.state.registry
    assert imported(client, text) == "imported"
    position = registry.max_position()
    assert imported(client, text) == "unchanged"
    assert registry.max_position() == position


def refused(client: TestClient, text: str, **options) -> list[tuple[str, str]]:
    """The file is refused and nothing is written; the problems' paths and codes."""
    registry = client.app.state.registry
    position = registry.max_position()
    with pytest.raises(ImportRefused) as refusal:
        import_text(registry, text, "test.yaml", **options)
    assert registry.max_position() == position
    return [(p.path, p.code) for p in refusal.value.problems]


def refusal_messages(client: TestClient, text: str) -> list[str]:
    with pytest.raises(ImportRefused) as refusal:
        import_text(client.app.state.registry, text, "test.yaml")
    return [p.message for p in refusal.value.problems]


def ask(client: TestClient, query: str, **variables) -> dict:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "errors" not in answer, answer
    return answer["data"]


def served_graphql(server, query: str, position: int, **variables) -> dict:
    """Ask a `registry serve` process, read-your-writes: the answer includes the log up to
    `position` (the `position` a POST /import answered with)."""
    import json
    import urllib.request

    request = urllib.request.Request(
        server.base + "/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", "X-Registry-Min-Position": str(position)},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.load(response)
    assert "errors" not in answer, answer
    return answer["data"]
