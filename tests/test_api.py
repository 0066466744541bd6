"""GraphQL over HTTP, on both stores: members as of a date and as known at a time, agreements
valid on a date, clear errors, and the schema file equal to the served schema."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.schema import schema
from registry.values import Context, Source
from tests.test_seed_orebro import record_item_9

ROOT = Path(__file__).resolve().parents[1]

MEMBERS = """
query Members($body: ID!, $asOf: Date, $knownAt: DateTime) {
  members(bodyId: $body, asOf: $asOf, knownAt: $knownAt) { nodes {
    personName role from fromUnknown fromNotAfter until
    onBehalfOf { name }
    decision { item kind decidedOn }
    source { document item }
    recordedBy
  } }
}"""


@pytest.fixture
def client(settings):
    app = create_app(settings)
    with TestClient(app) as http:
        yield http


def post(client: TestClient, query: str, **variables) -> dict:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


def settle(client: TestClient) -> None:
    client.app.state.runner.wait_for(client.app.state.registry.max_position())


def test_schema_file_equals_the_served_schema():
    assert (ROOT / "schema.graphql").read_text() == str(schema) + "\n", (
        "schema.graphql is stale: run `registry schema > schema.graphql`"
    )


def test_members_of_the_styrgrupp_before_and_after_the_meeting(client):
    ids = record_item_9(client.app.state.registry)
    settle(client)
    before = post(client, MEMBERS, body=str(ids["styrgrupp"]), asOf="2020-02-06")
    after = post(client, MEMBERS, body=str(ids["styrgrupp"]), asOf="2020-02-08")

    assert [m["personName"] for m in before["data"]["members"]["nodes"]] == ["Patrik Jonsson"]
    patrik = before["data"]["members"]["nodes"][0]
    assert patrik["fromUnknown"] is True and patrik["from"] is None
    assert patrik["fromNotAfter"] == "2020-02-06"
    assert patrik["until"] == "2020-02-07"  # replaced that day (§ 9)

    members = {m["personName"]: m for m in after["data"]["members"]["nodes"]}
    assert sorted(members) == ["Annika Roman", "Gabriella Mueller Prabin", "Lena Adolfsson"]
    annika = members["Annika Roman"]
    assert annika["from"] == "2020-02-07" and annika["until"] is None
    assert annika["onBehalfOf"] == {"name": "Örebro kommun"}
    assert annika["decision"] == {"item": "9", "kind": "APPROVED", "decidedOn": "2020-02-07"}
    assert annika["source"]["item"] == "9"


def test_known_at_before_the_recording_gives_the_old_answer(client):
    before_recording = datetime.now(UTC).isoformat()
    ids = record_item_9(client.app.state.registry)
    settle(client)
    old = post(
        client, MEMBERS, body=str(ids["styrgrupp"]), asOf="2020-02-08", knownAt=before_recording
    )
    assert old["data"]["members"]["nodes"] == []


def test_body_field_lists_members_as_of_a_date(client):
    ids = record_item_9(client.app.state.registry)
    settle(client)
    query = (
        'query($id: ID!) { body(id: $id) { name kind members(asOf: "2020-02-06") { personName } } }'
    )
    body = post(client, query, id=str(ids["styrgrupp"]))["data"]["body"]
    assert body["kind"] == "styrgrupp"
    assert body["members"] == [{"personName": "Patrik Jonsson"}]


def test_agreements_valid_on_a_date_with_pending_extension(client):
    registry = client.app.state.registry
    ctx = Context("test", Source("Minnesanteckningar SRO 2020-03-06", "5"))
    vgr = registry.register_organisation("Västra Götalandsregionen", "region", ctx)
    boras = registry.register_organisation("Borås stad", "kommun", ctx)
    agreement = registry.register_agreement(
        "Överenskommelse om samverkan vid in- och utskrivning",
        [vgr, boras],
        ctx,
        valid_from=date(2018, 9, 25),
        valid_until=date(2020, 11, 30),
    )
    registry.propose_extension(agreement, date(2021, 12, 31), ctx)
    settle(client)
    query = """query($on: Date) { agreements(validOn: $on) { nodes {
        title inForceFrom effectiveUntil pendingExtensions { newUntil status }
        parties { name } } } }"""
    on_last_day = post(client, query, on="2020-11-30")["data"]["agreements"]["nodes"]
    assert len(on_last_day) == 1
    assert on_last_day[0]["effectiveUntil"] == "2020-11-30"
    assert on_last_day[0]["pendingExtensions"] == [{"newUntil": "2021-12-31", "status": "pending"}]
    assert post(client, query, on="2020-12-01")["data"]["agreements"]["nodes"] == []


def test_a_malformed_id_is_a_clear_error_not_a_server_error(client):
    result = post(client, MEMBERS, body="not-an-id")
    assert result["data"] is None
    error = result["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "bodyId" in error["message"] and "not-an-id" in error["message"]
    assert "Traceback" not in str(result)


def test_an_invalid_date_is_refused_with_the_variable_named(client):
    response = client.post(
        "/graphql", json={"query": MEMBERS, "variables": {"body": "x", "asOf": "2020-13-01"}}
    )
    assert response.status_code < 500
    assert "asOf" in response.json()["errors"][0]["message"]


def test_a_thousand_aliases_are_rejected_before_execution(client):
    query = "{ " + " ".join(f"a{i}: bodies {{ name }}" for i in range(1000)) + " }"
    response = client.post("/graphql", json={"query": query})
    assert response.status_code < 500
    assert "aliases found" in response.json()["errors"][0]["message"]


def test_a_huge_document_is_rejected_before_execution(client):
    query = "{ bodies { " + "name " * 20000 + "} }"
    response = client.post("/graphql", json={"query": query})
    assert response.status_code < 500
    assert "token" in response.json()["errors"][0]["message"].lower()
