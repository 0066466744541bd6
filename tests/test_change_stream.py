"""The change feed as a GraphQL subscription (graphql-transport-ws), on both stores: every
event from the cursor on, in order, then new events as they are projected; the same cursors
as the `changes` query."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from registry.values import Context, Source
from tests.test_seed_orebro import record_item_9

STREAM = "subscription($after: String) { changes(after: $after) { cursor node { position type } } }"


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as http:
        yield http


def subscribe(ws, after: str | None = None) -> None:
    ws.send_json({"type": "connection_init"})
    assert ws.receive_json()["type"] == "connection_ack"
    ws.send_json(
        {
            "id": "1",
            "type": "subscribe",
            "payload": {"query": STREAM, "variables": {"after": after}},
        }
    )


def receive(ws, count: int) -> list[dict]:
    found = []
    while len(found) < count:
        message = ws.receive_json()
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        found.append(message["payload"]["data"]["changes"])
    return found


def test_the_stream_gives_every_event_then_new_ones(client):
    registry = client.app.state.registry
    record_item_9(registry)
    total = registry.max_position()
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        subscribe(ws)
        edges = receive(ws, total)
        assert [e["node"]["position"] for e in edges] == list(range(1, total + 1))
        ctx = Context("sekreterare", Source("Protokoll", "§ 10"))
        registry.register_organisation("Lekebergs kommun", "kommun", ctx)
        [new] = receive(ws, 1)
        assert new["node"] == {"position": total + 1, "type": "Registered"}

    # The stream's cursors are the query's: resume after the third event.
    query = client.post("/graphql", json={"query": "{ changes(first: 3) { edges { cursor } } }"})
    third = query.json()["data"]["changes"]["edges"][2]["cursor"]
    assert third == edges[2]["cursor"]
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        subscribe(ws, after=third)
        assert [e["node"]["position"] for e in receive(ws, 2)] == [4, 5]


def test_a_bad_cursor_is_a_clear_error(client):
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        subscribe(ws, after="not-a-cursor")
        message = ws.receive_json()
        assert message["type"] in ("error", "next")
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "after" in errors[0]["message"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_subscription_over_http_is_refused_with_where_to_go(client, method):
    query = "subscription { changes { cursor } }"
    if method == "GET":
        response = client.get("/graphql", params={"query": query})
    else:
        response = client.post("/graphql", json={"query": query})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert "WebSocket" in error["message"] and error["extensions"]["code"] == "BAD_REQUEST"
