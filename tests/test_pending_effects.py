"""Effects of a conditional decision wait for the condition, on both stores, from minutes files
through GraphQL, on both time axes: before, on and after the day the condition is met, and as
known before the registry recorded it. A decision whose condition is withdrawn never applies.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from registry.importing import ImportRefused, import_text
from tests.minutes_client import ask, client
from tests.minutes_client import imported_at as imported

__all__ = ["client"]  # the fixture, used by name

HEAD = """\
version: 1
kind: minutes
source: {document: Protokoll Chefsgruppen 2021-04-01}
date: 2021-04-01
body: {ref: grupp, name: Chefsgruppen, kind: chefsgrupp, owners: [kommun, region]}
organisations:
  - {ref: kommun, name: Testkommun, kind: kommun}
  - {ref: region, name: Testregionen, kind: region}
bodies:
  - {ref: styr, name: Styrgruppen, kind: styrgrupp, parent: grupp}
persons:
  - {ref: anna, name: Anna Andersson, organisation: kommun}
  - {ref: bo, name: Bo Berg, organisation: kommun}
  - {ref: cecilia, name: Cecilia Carlsson, organisation: region}
  - {ref: david, name: David Dahl, organisation: region}
meeting:
  present: [anna, bo, cecilia]
background:
  appointments:
    - {person: anna, body: styr, start: 2020-01-01}
  funds:
    - {ref: medel, name: Stimulansmedel 2021, total: 1000000}
  agreements:
    - {ref: avtal, title: Samverkansavtal, parties: [kommun, region], valid_from: 2020-01-01, valid_until: 2021-06-30}
items:
  - number: 5
    title: Psykisk hälsa
    decisions:
      - kind: approved
        text: Chefsgruppen godkänner förslaget, vilket kräver politisk förankring innan det gäller.
        conditions: [kräver politisk förankring innan det gäller]
        appointments:
          - {person: bo, body: styr}
        replacements:
          - {incoming: cecilia, outgoing: anna, body: styr}
        assignments:
          - {ref: plan, task: Ta fram en handlingsplan, holder: cecilia, due: 2021-12-31}
        allocations:
          - {fund: medel, recipient: Suicidprevention, purpose: Suicidprevention, amount: 200000}
        extensions:
          - {agreement: avtal, until: 2022-06-30}
  - number: 6
    title: Närvaroteam
    decisions:
      - kind: approved
        text: Projektledning godkänns under förutsättning att nämnderna ställer sig bakom.
        conditions: [nämnderna ställer sig bakom]
        appointments:
          - {person: david, body: styr, role: secretary}
"""

LATER = """\
version: 1
kind: minutes
source: {document: Protokoll Chefsgruppen 2021-05-10}
date: 2021-05-10
body: grupp-key
persons:
  - {ref: anna, name: Anna Andersson, organisation: kommun}
organisations:
  - {ref: kommun, name: Testkommun, kind: kommun}
meeting:
  present: [anna]
items:
  - number: 2
    title: Politisk förankring
    decisions:
      - kind: noted
        text: Den politiska förankringen är klar.
        conditions_met:
          - decision: {date: 2021-04-01, item: 5}
            condition: 1
"""

REFUSED = """\
version: 1
kind: minutes
source: {document: Protokoll Chefsgruppen 2021-05-20}
date: 2021-05-20
body: grupp-key
persons:
  - {ref: anna, name: Anna Andersson, organisation: kommun}
organisations:
  - {ref: kommun, name: Testkommun, kind: kommun}
meeting:
  present: [anna]
items:
  - number: 3
    title: Närvaroteam
    decisions:
      - kind: noted
        text: Nämnderna ställer sig inte bakom projektet.
        conditions_withdrawn:
          - decision: {date: 2021-04-01, item: "6"}
            condition: nämnderna ställer sig bakom
            reason: Nämnderna avslog förslaget.
"""


def later(text: str) -> str:
    return text.replace("grupp-key", "Chefsgruppen")


MEMBERS = """query($on: Date, $knownAt: DateTime) {
  bodies(name: "Styrgruppen", knownAt: $knownAt) { nodes {
    members(asOf: $on, knownAt: $knownAt) { personName role from until }
  } }
}"""


def members(client: TestClient, on: str, known_at: datetime | None = None) -> dict[str, dict]:
    variables = {"on": on, "knownAt": known_at.isoformat() if known_at else None}
    (body,) = ask(client, MEMBERS, **variables)["bodies"]["nodes"]
    return {m["personName"]: m for m in body["members"]}


PENDING_MEMBERS = """{ bodies(name: "Styrgruppen") { nodes {
  pendingMembers { personName status decision { item conditions { text metOn } } }
} } }"""

DECISIONS = """query($on: Date, $knownAt: DateTime) {
  decisions(asOf: $on, knownAt: $knownAt) { nodes {
    item status(asOf: $on) appliesFrom
    conditions { text metOn withdrawnOn }
    pendingEffects { kind personName label status appliesFrom dated }
  } }
}"""


def decisions(client: TestClient, on: str, known_at: datetime | None = None) -> dict[str, dict]:
    variables = {"on": on, "knownAt": known_at.isoformat() if known_at else None}
    return {d["item"]: d for d in ask(client, DECISIONS, **variables)["decisions"]["nodes"]}


def test_a_conditional_decisions_memberships_wait_for_the_condition(client):
    imported(client, HEAD)
    before_met = datetime.now(UTC)

    # Pending: Bo is not a member and Anna is not replaced, on any day.
    for day in ("2021-04-01", "2021-05-10", "2021-09-01"):
        found = members(client, day)
        assert set(found) == {"Anna Andersson"}, (day, found)

    item5 = decisions(client, "2021-04-15")["5"]
    assert item5["status"] == "CONDITIONAL" and item5["appliesFrom"] is None
    assert {(e["kind"], e["personName"], e["status"]) for e in item5["pendingEffects"]} >= {
        ("Body.MemberAppointed", "Bo Berg", "PENDING"),
        ("Body.MemberReplaced", "Cecilia Carlsson", "PENDING"),
    }

    # The body shows what waits, with the condition it waits for.
    pending = ask(client, PENDING_MEMBERS)["bodies"]["nodes"][0]["pendingMembers"]
    assert {(m["personName"], m["status"]) for m in pending} == {
        ("Bo Berg", "PENDING"),
        ("Cecilia Carlsson", "PENDING"),
        ("David Dahl", "PENDING"),
    }
    bo = next(m for m in pending if m["personName"] == "Bo Berg")
    assert bo["decision"] == {
        "item": "5",
        "conditions": [{"text": "kräver politisk förankring innan det gäller", "metOn": None}],
    }

    imported(client, later(LATER))

    # Before the day the condition is met: as before.
    assert set(members(client, "2021-05-09")) == {"Anna Andersson"}
    # On that day and after: Bo and Cecilia from that day, Anna until it.
    for day in ("2021-05-10", "2021-09-01"):
        found = members(client, day)
        assert set(found) == {"Bo Berg", "Cecilia Carlsson"}, (day, found)
        assert found["Bo Berg"]["from"] == "2021-05-10"
        assert found["Cecilia Carlsson"]["from"] == "2021-05-10"
    assert members(client, "2021-05-09")["Anna Andersson"]["until"] == "2021-05-10"

    # As known before the condition was recorded as met: still pending, on every day.
    assert set(members(client, "2021-09-01", before_met)) == {"Anna Andersson"}
    pending = decisions(client, "2021-09-01", before_met)["5"]
    assert pending["status"] == "CONDITIONAL"
    assert {e["status"] for e in pending["pendingEffects"]} == {"PENDING"}

    applied = decisions(client, "2021-09-01")["5"]
    assert applied["status"] == "IN_FORCE" and applied["appliesFrom"] == "2021-05-10"
    assert {e["status"] for e in applied["pendingEffects"]} == {"APPLIED"}
    assert {e["appliesFrom"] for e in applied["pendingEffects"]} == {"2021-05-10"}
    assert decisions(client, "2021-05-09")["5"]["status"] == "CONDITIONAL"


ASSIGNMENTS = """query($on: Date, $knownAt: DateTime) {
  assignments(asOf: $on, knownAt: $knownAt) { nodes { task givenOn status(asOf: $on) } }
}"""

FUND = """query($knownAt: DateTime) {
  funds(knownAt: $knownAt) { nodes { name allocated remaining
    allocations { recipient amount effectiveDate } } }
}"""

AGREEMENTS = """query($on: Date, $knownAt: DateTime) {
  agreements(validOn: $on, knownAt: $knownAt) { nodes { title effectiveUntil } }
}"""


def test_assignments_allocations_and_agreement_changes_wait_for_the_condition(client):
    imported(client, HEAD)
    before_met = datetime.now(UTC)

    def tasks(on: str, known_at: datetime | None = None) -> dict[str, dict]:
        variables = {"on": on, "knownAt": known_at.isoformat() if known_at else None}
        nodes = ask(client, ASSIGNMENTS, **variables)["assignments"]["nodes"]
        return {a["task"]: a for a in nodes}

    def fund(known_at: datetime | None = None) -> dict:
        variables = {"knownAt": known_at.isoformat() if known_at else None}
        (found,) = ask(client, FUND, **variables)["funds"]["nodes"]
        return found

    def agreements(on: str, known_at: datetime | None = None) -> list[dict]:
        variables = {"on": on, "knownAt": known_at.isoformat() if known_at else None}
        return ask(client, AGREEMENTS, **variables)["agreements"]["nodes"]

    assert "Ta fram en handlingsplan" not in tasks("2021-06-01")
    assert fund()["allocations"] == [] and fund()["remaining"] == "1000000.00"
    assert agreements("2021-07-01") == []

    imported(client, later(LATER))

    plan = tasks("2021-06-01")["Ta fram en handlingsplan"]
    assert plan["givenOn"] == "2021-05-10" and plan["status"] == "OPEN"
    assert tasks("2021-05-09")["Ta fram en handlingsplan"]["status"] == "NOT_YET_GIVEN"
    assert fund()["allocations"] == [
        {"recipient": "Suicidprevention", "amount": "200000.00", "effectiveDate": "2021-05-10"}
    ]
    assert fund()["remaining"] == "800000.00"
    assert agreements("2021-07-01") == [
        {"title": "Samverkansavtal", "effectiveUntil": "2022-06-30"}
    ]

    # As known before the condition was met.
    assert "Ta fram en handlingsplan" not in tasks("2021-06-01", before_met)
    assert fund(before_met)["allocations"] == []
    assert agreements("2021-07-01", before_met) == []


def test_a_withdrawn_condition_means_the_effects_never_apply(client):
    imported(client, HEAD)
    imported(client, later(LATER))
    before_refusal = datetime.now(UTC)
    imported(client, later(REFUSED))

    for day in ("2021-04-01", "2021-05-20", "2022-01-01"):
        assert "David Dahl" not in members(client, day)
    item6 = decisions(client, "2022-01-01")["6"]
    assert item6["status"] == "LAPSED" and item6["appliesFrom"] is None
    assert item6["conditions"] == [
        {"text": "nämnderna ställer sig bakom", "metOn": None, "withdrawnOn": "2021-05-20"}
    ]
    assert [(e["personName"], e["status"]) for e in item6["pendingEffects"]] == [
        ("David Dahl", "NEVER")
    ]
    assert decisions(client, "2021-05-19")["6"]["status"] == "CONDITIONAL"
    # As known before the refusal was recorded it was pending.
    earlier = decisions(client, "2022-01-01", before_refusal)["6"]
    assert earlier["status"] == "CONDITIONAL"
    assert [e["status"] for e in earlier["pendingEffects"]] == ["PENDING"]


def test_meeting_a_condition_that_the_decision_does_not_have_is_refused_by_its_path(client):
    imported(client, HEAD)
    registry = client.app.state.registry
    position = registry.max_position()
    wrong = later(LATER).replace("condition: 1", "condition: 2")
    with pytest.raises(ImportRefused) as refusal:
        import_text(registry, wrong, "test.yaml")
    assert registry.max_position() == position
    (problem,) = refusal.value.problems
    assert problem.path.startswith("items[0].decisions[0].conditions_met[0]")
    assert "1 condition" in problem.message
