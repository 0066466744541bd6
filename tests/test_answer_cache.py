"""The answer cache (api/cache.py) on both stores: a repeated query is answered from memory,
and never stale: the next projected event, another day, other variables or an error each
get a freshly executed answer."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cache import AnswerCache
from registry.values import Context, Source

BODIES = "query($kind: String) { bodies(kind: $kind) { totalCount nodes { name } } }"


@pytest.fixture
def client(settings):
    # From loopback, with no identity configured: the local administrator, who reads
    # contact details (docs/security.md).
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as http:
        yield http


def ask(client: TestClient, query: str, **variables) -> dict:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


def settle(client: TestClient) -> None:
    client.app.state.runner.wait_for(client.app.state.registry.max_position())


def register_body(client: TestClient, name: str) -> None:
    ctx = Context(actor="test", source=Source("test minutes", "§ 1"))
    client.app.state.registry.register_body(name, "styrgrupp", ctx)
    settle(client)


def test_a_repeated_query_is_answered_from_the_cache(client):
    register_body(client, "Styrgrupp A")
    cache = client.app.state.answer_cache
    first = ask(client, BODIES, kind="styrgrupp")
    hits = cache.hits
    assert ask(client, BODIES, kind="styrgrupp") == first
    assert cache.hits == hits + 1


def test_a_new_event_is_never_answered_from_the_cache(client):
    register_body(client, "Styrgrupp A")
    assert ask(client, BODIES, kind="styrgrupp")["data"]["bodies"]["totalCount"] == 1
    register_body(client, "Styrgrupp B")
    answer = ask(client, BODIES, kind="styrgrupp")["data"]["bodies"]
    assert answer["totalCount"] == 2
    assert [b["name"] for b in answer["nodes"]] == ["Styrgrupp A", "Styrgrupp B"]


def test_other_variables_and_errors_are_executed(client):
    register_body(client, "Styrgrupp A")
    cache = client.app.state.answer_cache
    assert ask(client, BODIES, kind="styrgrupp")["data"]["bodies"]["totalCount"] == 1
    assert ask(client, BODIES, kind="nämnd")["data"]["bodies"]["totalCount"] == 0
    bad = '{ body(id: "not-an-id") { name } }'
    misses = cache.misses
    assert ask(client, bad)["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert ask(client, bad)["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert cache.misses == misses + 2  # an answer with errors is not kept


def test_the_day_is_part_of_the_key(monkeypatch):
    class Tomorrow(date):
        @classmethod
        def today(cls) -> date:
            return date(2031, 1, 2)

    today = AnswerCache.key(7, "POST", "{ x }", None, None)
    monkeypatch.setattr("api.cache.date", Tomorrow)
    assert AnswerCache.key(7, "POST", "{ x }", None, None) != today


def test_the_cache_forgets_the_least_recently_used():
    cache = AnswerCache(size=2)
    results = {}
    for n in range(3):
        key = AnswerCache.key(n, "POST", "{ x }", None, None)
        results[n] = object()
        cache.put(key, type("R", (), {"errors": None})())
    assert cache.get(AnswerCache.key(0, "POST", "{ x }", None, None)) is None
    assert cache.get(AnswerCache.key(2, "POST", "{ x }", None, None)) is not None


def test_a_redacted_contact_detail_is_never_answered_from_the_cache(client):
    """A disposal decision destroys a value at once: the very next answer says redacted,
    even before the Redacted event is projected, and no older answer holding it is kept."""
    registry = client.app.state.registry
    ctx = Context(actor="test", source=Source("test minutes", "§ 1"))
    person = registry.register_person("Anna Berg", ctx, contact={"email": "anna@example.se"})
    settle(client)
    query = "query($id: ID!) { person(id: $id) { contactDetails { value redacted } } }"
    before = ask(client, query, id=str(person))
    assert before == ask(client, query, id=str(person))  # the second from the cache
    assert before["data"]["person"]["contactDetails"] == [
        {"value": "anna@example.se", "redacted": False}
    ]
    client.app.state.runner.stop()  # the Redacted event stays unprojected
    registry.redact_contact_details(
        person,
        decision="gallringsbeslut 2026:1",
        reason="retention ended",
        context=ctx,
        kinds=["email"],
    )
    after = ask(client, query, id=str(person))
    assert after["data"]["person"]["contactDetails"] == [{"value": None, "redacted": True}]
    cache = client.app.state.answer_cache
    assert all("anna@example.se" not in repr(result.data) for result in cache._entries.values())
