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


def test_a_cached_answer_is_sent_without_building_a_context(settings, monkeypatch):
    """A hit is bytes in memory: no GraphQL context, no Reader with its loaders."""
    import api.app

    built = []

    class CountingReader(api.app.Reader):
        def __init__(self, *args, **kwargs) -> None:
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(api.app, "Reader", CountingReader)
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as client:
        register_body(client, "Styrgrupp A")
        first = client.post("/graphql", json={"query": BODIES, "variables": {"kind": "x"}})
        assert len(built) == 1
        again = client.post(
            "/graphql",
            json={"query": BODIES, "variables": {"kind": "x"}},
            headers={"Accept": "application/graphql-response+json"},
        )
        assert len(built) == 1  # answered from the cache
        assert again.content == first.content
        assert again.headers["content-type"].startswith("application/graphql-response+json")
        assert client.app.state.answer_cache.hits == 1


def test_an_answer_computed_before_a_clear_is_not_kept():
    cache = AnswerCache()
    key = AnswerCache.key(3, "POST", b"{ x }")
    epoch = cache.epoch
    cache.clear()  # a write while the answer was being computed
    cache.put(key, type("R", (), {"errors": None})(), epoch)
    assert cache.get(key) is None


def test_a_shared_read_always_began_after_its_caller_asked():
    """Callers that arrive while a read runs wait for the next one, which they share."""
    import asyncio
    import threading

    from api.cache import SharedRead

    started: list[int] = []
    release = threading.Event()

    def read() -> int:
        started.append(len(started))
        if len(started) == 1:
            release.wait(5)
        return len(started)

    async def scenario() -> tuple[int, list[int]]:
        shared = SharedRead(read)
        first = asyncio.ensure_future(shared.get())
        while not started:  # the first read is under way
            await asyncio.sleep(0.001)
        later = [asyncio.ensure_future(shared.get()) for _ in range(5)]
        release.set()
        return await first, list(await asyncio.gather(*later))

    first, later = asyncio.run(scenario())
    assert first == 1
    assert later == [2] * 5  # one more read, begun after they asked, for all five
    assert len(started) == 2
