"""The README's demo queries, run over the example files on both stores, give exactly the
answers the README shows; and `registry serve --demo` builds its store from the same files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import EXAMPLES, demo_store
from registry.application import Registry
from registry.importing import import_file

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(
    r"<!-- demo-query -->\s*```graphql\n(?P<query>.*?)```\s*```json\n(?P<answer>.*?)```", re.S
)


def readme_examples() -> list[tuple[str, dict]]:
    found = [
        (m["query"], json.loads(m["answer"]))
        for m in BLOCK.finditer((ROOT / "README.md").read_text())
    ]
    assert len(found) == 3, "the README shows three demo queries with their answers"
    return found


def import_examples(registry: Registry) -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        import_file(registry, path)


@pytest.fixture
def demo_client(settings):
    registry = Registry(settings)
    import_examples(registry)
    registry.close()
    with TestClient(create_app(settings)) as client:
        client.app.state.runner.wait_for(client.app.state.registry.max_position())
        yield client


@pytest.mark.parametrize("number", range(3))
def test_readme_query_gives_the_answer_shown(demo_client, number):
    query, answer = readme_examples()[number]
    response = demo_client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    assert response.json() == answer


def test_the_demo_store_holds_every_example():
    settings = demo_store()
    registry = Registry(settings)
    try:
        events = registry.max_position()
        import_examples(registry)  # importing again is a no-op
        assert registry.max_position() == events > 0
    finally:
        registry.close()
