"""The roles the sources use: vice ordförande, förste and andre vice ordförande, adjungerad,
sekreterare as a role in a body, and tjänstgörande ersättare at one meeting. From a minutes
file through GraphQL over HTTP, on both stores."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from registry.importing import ImportRefused, import_text
from tests.minutes_client import ask, client
from tests.minutes_client import imported_at as imported

__all__ = ["client"]  # the fixture, used by name

HEAD = """\
version: 1
kind: minutes
source: {document: Protokoll Äldrenämnden %(date)s}
date: %(date)s
body: {ref: aen, name: Äldrenämnden, kind: nämnd, owners: [kommun]}
organisations:
  - {ref: kommun, name: Testkommun, kind: kommun}
persons:
  - {ref: anna, name: Anna Andersson, party: S}
  - {ref: bo, name: Bo Berg, party: M}
  - {ref: cecilia, name: Cecilia Carlsson, party: V}
  - {ref: david, name: David Dahl, party: S}
  - {ref: eva, name: Eva Ek}
  - {ref: fia, name: Fia Fors}
"""

COMPOSED = (
    HEAD % {"date": "2021-01-10"}
    + """\
meeting:
  present: [anna, bo, cecilia, eva, fia]
  chair: anna
  secretary: eva
background:
  appointments:
    - {person: anna, role: chair, start_not_after: 2021-01-10}
    - {person: bo, role: first_vice_chair, start_not_after: 2021-01-10, note: "\\"1:e vice ordförande\\""}
    - {person: cecilia, role: second_vice_chair, start_not_after: 2021-01-10, note: "\\"2:e vice ordförande\\""}
    - {person: david, role: deputy, start_not_after: 2021-01-10}
    - {person: eva, role: secretary, start_not_after: 2021-01-10, note: Nämndsekreterare.}
    - {person: fia, role: co_opted, start_not_after: 2021-01-10, note: Adjungerad.}
items:
  - {number: 1, title: Mötets öppnande}
"""
)

SERVED = (
    HEAD % {"date": "2021-02-14"}
    + """\
meeting:
  present: [anna, david, eva]
  absent: [bo, cecilia]
  serving:
    - {person: david, serving_for: bo, note: "Tjänstgörande ersättare för Bo Berg (M)."}
  chair: anna
  secretary: eva
items:
  - {number: 1, title: Mötets öppnande}
"""
)


def test_vice_chairs_secretary_and_co_opted_are_roles_in_the_body(client):
    imported(client, COMPOSED)
    data = ask(
        client,
        '{ bodies(name: "Äldrenämnden") { nodes { members(asOf: "2021-01-10") { personName role '
        "note } } } }",
    )
    [body] = data["bodies"]["nodes"]
    assert {m["personName"]: m["role"] for m in body["members"]} == {
        "Anna Andersson": "CHAIR",
        "Bo Berg": "FIRST_VICE_CHAIR",
        "Cecilia Carlsson": "SECOND_VICE_CHAIR",
        "David Dahl": "DEPUTY",
        "Eva Ek": "SECRETARY",
        "Fia Fors": "CO_OPTED",
    }


def test_a_deputy_serving_for_a_member_is_recorded_with_that_meeting(client):
    imported(client, COMPOSED)
    imported(client, SERVED)
    data = ask(
        client,
        "{ meetings { nodes { heldOn servingDeputies { "
        "name servingForName note person { name } servingFor { name } } } } }",
    )
    meetings = {m["heldOn"]: m["servingDeputies"] for m in data["meetings"]["nodes"]}
    assert meetings["2021-01-10"] == []
    assert meetings["2021-02-14"] == [
        {
            "name": "David Dahl",
            "servingForName": "Bo Berg",
            "note": "Tjänstgörande ersättare för Bo Berg (M).",
            "person": {"name": "David Dahl"},
            "servingFor": {"name": "Bo Berg"},
        }
    ]


def refusal(client: TestClient, serving: str) -> list[tuple[str, str]]:
    text = SERVED.replace(
        '    - {person: david, serving_for: bo, note: "Tjänstgörande ersättare för Bo Berg (M)."}\n',
        serving,
    )
    registry = client.app.state.registry
    position = registry.max_position()
    with pytest.raises(ImportRefused) as refused:
        import_text(registry, text, "test.yaml")
    assert registry.max_position() == position
    return [(p.path, p.code) for p in refused.value.problems]


def test_serving_for_someone_who_is_not_a_member_is_refused(client):
    imported(client, COMPOSED)
    # Eva Ek is the body's secretary, not a member: nobody can serve in her place.
    assert refusal(client, "    - {person: david, serving_for: eva}\n") == [
        ("meeting.serving", "NOT_A_MEMBER")
    ]


def test_one_deputy_serves_for_one_member(client):
    imported(client, COMPOSED)
    twice = "    - {person: david, serving_for: bo}\n    - {person: david, serving_for: cecilia}\n"
    assert refusal(client, twice) == [("meeting.serving", "INVALID_INPUT")]
