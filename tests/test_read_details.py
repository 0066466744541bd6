"""Details of answers over HTTP, on both stores: an agreement's source is where it was
registered from (not its latest adoption), and a chair who is not on the attendance lists
is named by the person's registered name."""

from __future__ import annotations

import time
from datetime import date

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from registry.values import Context, Source


@pytest.fixture
def client(settings):
    # From loopback, with no identity configured: the local administrator, who reads
    # actors (docs/security.md).
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as http:
        yield http


def ask(client: TestClient, query: str, **variables) -> dict:
    client.app.state.runner.wait_for(client.app.state.registry.max_position())
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return response.json()["data"]


def test_an_agreements_source_is_its_registration(client):
    registry = client.app.state.registry
    registered = Context("sekreterare Eva", Source("Protokoll SRO 2018-09-25", "§ 5"))
    adopted = Context("registrator Per", Source("Protokoll kommunstyrelsen 2018-10-02", "§ 12"))
    region = registry.register_organisation("Region Väst", "region", registered)
    kommun = registry.register_organisation("Kommun Öst", "kommun", registered)
    agreement = registry.register_agreement(
        "Överenskommelse om hemsjukvård", [region, kommun], registered, valid_from=date(2018, 10, 1)
    )
    registry.adopt_agreement(agreement, kommun, date(2018, 10, 2), adopted)
    data = ask(
        client,
        "query($id: ID!) { agreement(id: $id) { source { document item } recordedBy "
        "events { type source { document } } } }",
        id=str(agreement),
    )["agreement"]
    assert data["source"] == {"document": "Protokoll SRO 2018-09-25", "item": "§ 5"}
    assert data["recordedBy"] == "sekreterare Eva"
    assert [(e["type"], e["source"]["document"]) for e in data["events"]] == [
        ("Registered", "Protokoll SRO 2018-09-25"),
        ("Adopted", "Protokoll kommunstyrelsen 2018-10-02"),
    ]


def test_a_chair_not_on_the_attendance_lists_has_a_name(client):
    registry = client.app.state.registry
    ctx = Context("sekreterare Eva", Source("Minnesanteckningar 2020-03-06"))
    body = registry.register_body("Samrådsorgan", "samrådsorgan", ctx)
    chair = registry.register_person("Kent Lagrell", ctx)
    member = registry.register_person("Malin Carlsson", ctx)
    meeting = registry.hold_meeting(body, date(2020, 3, 6), ctx, present=[member], chair_id=chair)
    data = ask(
        client,
        "query($id: ID!) { meeting(id: $id) { chair { name } present { name } } }",
        id=str(meeting),
    )["meeting"]
    assert data == {"chair": {"name": "Kent Lagrell"}, "present": [{"name": "Malin Carlsson"}]}


def test_organisations_by_name_and_kind(client):
    registry = client.app.state.registry
    ctx = Context("sekreterare Eva", Source("Förteckning"))
    region = registry.register_organisation("Region Örebro län", "region", ctx)
    registry.register_organisation("Örebro kommun", "kommun", ctx)
    registry.register_organisation("Kumla kommun", "kommun", ctx)
    query = """query($name: String, $kind: String) {
      organisations(name: $name, kind: $kind) { totalCount nodes { name kind } } }"""
    kommuner = ask(client, query, kind="kommun")["organisations"]
    assert [o["name"] for o in kommuner["nodes"]] == ["Kumla kommun", "Örebro kommun"]
    orebro = ask(client, query, name="orebro")["organisations"]["nodes"]
    assert [o["name"] for o in orebro] == ["Region Örebro län", "Örebro kommun"]
    one = ask(client, "query($id: ID!) { organisation(id: $id) { name } }", id=str(region))
    assert one == {"organisation": {"name": "Region Örebro län"}}


def test_revision_history_and_personal_deputy(client):
    from registry.application import Appointment
    from registry.values import DecisionKind, Role

    registry = client.app.state.registry
    ctx = Context("sekreterare Eva", Source("Protokoll SRO 2020-03-06", "§ 5"))
    region = registry.register_organisation("Region Väst", "region", ctx)
    body = registry.register_body("Samrådsorgan", "samrådsorgan", ctx)
    ledamot = registry.register_person("Kent Lagrell", ctx)
    ersattare = registry.register_person("Lena Hult", ctx)
    agreement = registry.register_agreement(
        "Överenskommelse om hemsjukvård", [region], ctx, valid_from=date(2018, 10, 1)
    )
    with registry.decide(body, date(2020, 3, 6), "5", DecisionKind.DECIDED, "Revideras", ctx) as d:
        registry.revise_agreement(agreement, "Bilaga 3 ersätts", date(2020, 4, 1), d.context)
        registry.appoint(body, Appointment(ledamot, Role.MEMBER, start=date(2020, 3, 6)), d.context)
        registry.appoint(
            body,
            Appointment(ersattare, Role.DEPUTY, start=date(2020, 3, 6), deputy_for=ledamot),
            d.context,
        )
    revisions = ask(
        client,
        "query($id: ID!) { agreement(id: $id) { revisions "
        "revisionHistory { description appliesFrom decision { item } } } }",
        id=str(agreement),
    )["agreement"]
    assert revisions == {
        "revisions": ["Bilaga 3 ersätts"],
        "revisionHistory": [
            {
                "description": "Bilaga 3 ersätts",
                "appliesFrom": "2020-04-01",
                "decision": {"item": "5"},
            }
        ],
    }
    members = ask(
        client,
        'query($id: ID!) { members(bodyId: $id, asOf: "2020-03-07") { nodes { personName role '
        "personalDeputyFor { name } } } }",
        id=str(body),
    )["members"]["nodes"]
    assert {m["personName"]: m["personalDeputyFor"] for m in members} == {
        "Kent Lagrell": None,
        "Lena Hult": {"name": "Kent Lagrell"},
    }


def test_a_decisions_effects_link_to_what_they_changed(client):
    from registry.application import Appointment
    from registry.values import DecisionKind, Role

    registry = client.app.state.registry
    ctx = Context("sekreterare Ann-Louise", Source("Protokoll chefsgrupp 2020-02-07", "§ 9"))
    region = registry.register_organisation("Region Örebro län", "region", ctx)
    body = registry.register_body("Styrgrupp nära vård", "styrgrupp", ctx)
    patrik = registry.register_person("Patrik Jonsson", ctx)
    annika = registry.register_person("Annika Roman", ctx)
    registry.appoint(body, Appointment(patrik, Role.MEMBER, start=date(2019, 1, 1)), ctx)
    agreement = registry.register_agreement(
        "Tandvårdsavtal", [region], ctx, valid_from=date(2019, 1, 1), valid_until=date(2020, 6, 30)
    )
    fund = registry.establish_fund("Brukarmiljonen", "1000000", ctx)
    with registry.decide(body, date(2020, 2, 7), "9", DecisionKind.APPROVED, "Godkänns", ctx) as d:
        registry.replace_member(
            body, patrik, Appointment(annika, start=date(2020, 2, 7)), d.context
        )
        registry.extend_agreement(agreement, date(2021, 6, 30), d.context)
        registry.allocate(fund, "Kumla kommun", "Brukarrevision", "600000", d.context)
        registry.give_assignment(
            body,
            "person",
            "Annika Roman",
            "Återkom med förslag",
            d.context,
            holder_id=annika,
            due_date=date(2020, 6, 1),
            given_on=date(2020, 2, 7),
        )
        decision = d.id
    effects = ask(
        client,
        """query($id: ID!) { decision(id: $id) { effects {
            type entityType
            memberships { personName from until }
            agreement { effectiveUntil }
            fund { allocated remaining }
            allocation { recipient amount decision { item } }
            assignment { task dueDate }
        } } }""",
        id=str(decision),
    )["decision"]["effects"]
    by_type = {e["type"]: e for e in effects}
    assert [e["type"] for e in effects] == ["MemberReplaced", "Extended", "Allocated", "Given"]
    assert by_type["MemberReplaced"]["memberships"] == [
        {"personName": "Patrik Jonsson", "from": "2019-01-01", "until": "2020-02-07"},
        {"personName": "Annika Roman", "from": "2020-02-07", "until": None},
    ]
    assert by_type["Extended"]["agreement"] == {"effectiveUntil": "2021-06-30"}
    assert by_type["Allocated"]["fund"] == {"allocated": "600000.00", "remaining": "400000.00"}
    assert by_type["Allocated"]["allocation"] == {
        "recipient": "Kumla kommun",
        "amount": "600000.00",
        "decision": {"item": "9"},
    }
    assert by_type["Given"]["assignment"] == {
        "task": "Återkom med förslag",
        "dueDate": "2020-06-01",
    }
    assert by_type["Given"]["memberships"] == [] and by_type["Given"]["agreement"] is None


def test_an_organisation_renamed_keeps_its_former_name_on_earlier_days(client):
    registry = client.app.state.registry
    ctx = Context("registrator", Source("Förteckning"))
    org = registry.register_organisation("Stockholms läns landsting", "region", ctx)
    registry.rename_organisation(org, "Region Stockholm", date(2019, 1, 1), ctx)
    data = ask(
        client,
        """query($id: ID!) { organisation(id: $id) {
            name then: name(asOf: "2018-12-31") now: name(asOf: "2019-01-01")
            formerNames { name until } } }""",
        id=str(org),
    )["organisation"]
    assert data == {
        "name": "Region Stockholm",
        "then": "Stockholms läns landsting",
        "now": "Region Stockholm",
        "formerNames": [{"name": "Stockholms läns landsting", "until": "2019-01-01"}],
    }


def test_readiness_says_when_the_projection_runner_has_stopped(client):
    deadline = time.monotonic() + 20
    ready = client.get("/readyz")
    while ready.status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)  # the runner's first heartbeat is written after its first pass
        ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}
    client.app.state.runner.error = RuntimeError("the store went away")
    for path in ("/readyz", "/healthz"):
        stopped = client.get(path)
        assert stopped.status_code == 503
        assert stopped.json()["status"] == "not ready"
        assert "RuntimeError" in stopped.json()["reason"]
    assert client.get("/livez").status_code == 200
    client.app.state.runner.error = None
