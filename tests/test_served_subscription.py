"""The change feed over a real WebSocket to `registry serve` running as its own process, on
both stores: the installed dependencies include a WebSocket implementation (without one,
uvicorn refuses the upgrade with HTTP 400 "No supported WebSocket library detected", which
the in-process test client of tests/test_change_stream.py cannot notice)."""

from __future__ import annotations

import json
from pathlib import Path

from websockets.sync.client import connect

from tests.served import registry_process

MINUTES = Path(__file__).parent / "import_cases" / "minutes.yaml"
STREAM = "subscription { changes { cursor node { position type entityType } } }"
FEED = "{ changes(first: 500) { edges { cursor node { position type entityType } } } }"


def test_a_subscriber_receives_the_events_of_an_import_posted_to_the_server(settings, tmp_path):
    with (
        registry_process("serve", "--database", settings.url, cwd=tmp_path) as server,
        connect(
            f"ws://127.0.0.1:{server.port}/graphql",
            subprotocols=["graphql-transport-ws"],
            proxy=None,
            open_timeout=30,
        ) as ws,
    ):
        assert ws.subprotocol == "graphql-transport-ws"
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=30))["type"] == "connection_ack"
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": STREAM}}))

        status, summary = server.post("/import", MINUTES.read_bytes(), "application/yaml")
        assert (status, summary["status"]) == (200, "imported"), summary
        assert summary["events"] > 0

        received = []
        while len(received) < summary["events"]:
            message = json.loads(ws.recv(timeout=60))
            assert message["type"] == "next" and message["id"] == "1", message
            assert "errors" not in message["payload"], message
            received.append(message["payload"]["data"]["changes"])

    # The stream carries exactly the events the import wrote, in order, with the cursors
    # and content of the `changes` query.
    assert [edge["node"]["position"] for edge in received] == list(range(1, summary["events"] + 1))
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        assert server.graphql(FEED)["changes"]["edges"] == received
