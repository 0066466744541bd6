"""A member who holds a seat fills it: appointments to a body with seats take a seat (named, or
matched by role and organisation when that is unambiguous), vacancy follows from the holders
on the day, and `Body.composition` answers defined / filled / vacant on both time axes. From a
minutes file through GraphQL over HTTP, on both stores."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from registry.importing import ImportRefused, import_file, import_text
from tests.minutes_client import client
from tests.minutes_client import imported_at as imported
from tests.served import registry_process

__all__ = ["client"]  # the fixture, used by name

EXAMPLES = Path(__file__).resolve().parents[1] / "registry" / "examples"

HEAD = """\
version: 1
kind: minutes
source: {document: Protokoll Kommunstyrelsen %(date)s}
date: %(date)s
body: {ref: ks, name: Kommunstyrelsen, kind: styrelse, owners: [kommun]}
organisations:
  - {ref: kommun, name: Testkommun, kind: kommun}
  - {ref: region, name: Testregionen, kind: region}
bodies:
  - {ref: grupp, name: Samverkansgruppen, kind: styrgrupp, owners: [kommun, region]}
persons:
  - {ref: anna, name: Anna Andersson, organisation: kommun}
  - {ref: bo, name: Bo Berg, organisation: kommun}
  - {ref: cecilia, name: Cecilia Carlsson, organisation: region}
  - {ref: david, name: David Dahl, organisation: kommun}
  - {ref: eva, name: Eva Ek}
meeting: {place: Stadshuset}
"""

FORMED = (
    HEAD % {"date": "2021-04-01"}
    + """\
items:
  - number: 1
    title: Samverkansgruppens sammansättning
    decisions:
      - kind: decided
        text: Gruppen består av två ledamöter för kommunen, en för regionen och två ersättare.
        seats:
          - {body: grupp, label: kommunens ledamot, count: 2, on_behalf_of: kommun}
          - {body: grupp, label: regionens ledamot, on_behalf_of: region}
          - {body: grupp, label: ersättare, count: 2, role: deputy}
        appointments:
          - {person: anna, body: grupp, on_behalf_of: kommun}
          - {person: cecilia, body: grupp, role: chair, on_behalf_of: region}
          - {person: bo, body: grupp, role: deputy, on_behalf_of: kommun}
          - {person: eva, body: grupp, role: secretary}
"""
)

CHANGED = (
    HEAD % {"date": "2021-06-01"}
    + """\
items:
  - number: 1
    title: Ny ledamot
    decisions:
      - kind: decided
        text: David Dahl ersätter Anna Andersson; Bo Berg utses till ledamot.
        replacements:
          - {incoming: david, outgoing: anna, body: grupp}
        appointments:
          - {person: bo, body: grupp, seat: kommunens ledamot}
"""
)

COMPOSITION = """query($asOf: Date, $knownAt: DateTime) {
  bodies(name: "Samverkansgruppen") { nodes {
    composition(asOf: $asOf, knownAt: $knownAt) {
      defined filled vacant membersWithoutSeat groups { label role defined filled vacant }
    }
    seats(asOf: $asOf, knownAt: $knownAt) { label number role vacant heldBy { personName role } }
    members(asOf: $asOf, knownAt: $knownAt) { personName role seat }
  } }
}"""


def refused(client: TestClient, text: str) -> list[tuple[str, str, str]]:
    registry = client.app.state.registry
    position = registry.max_position()
    with pytest.raises(ImportRefused) as refusal:
        import_text(registry, text, "test.yaml")
    assert registry.max_position() == position  # nothing written
    return [(p.path, p.code, p.message) for p in refusal.value.problems]


def body(client: TestClient, as_of: str, known_at: datetime | None = None) -> dict:
    answer = client.post(
        "/graphql",
        json={
            "query": COMPOSITION,
            "variables": {
                "asOf": as_of,
                "knownAt": known_at.isoformat() if known_at else None,
            },
        },
    ).json()
    assert "errors" not in answer, answer
    [found] = answer["data"]["bodies"]["nodes"]
    return found


def counts(found: dict) -> tuple[int, int, int, int]:
    c = found["composition"]
    return c["defined"], c["filled"], c["vacant"], c["membersWithoutSeat"]


def test_appointments_fill_the_seats_matched_by_role_and_organisation(client):
    imported(client, FORMED)
    found = body(client, "2021-04-01")
    assert counts(found) == (5, 3, 2, 0)
    assert found["composition"]["groups"] == [
        {"label": "ersättare", "role": "DEPUTY", "defined": 2, "filled": 1, "vacant": 1},
        {"label": "kommunens ledamot", "role": "MEMBER", "defined": 2, "filled": 1, "vacant": 1},
        {"label": "regionens ledamot", "role": "MEMBER", "defined": 1, "filled": 1, "vacant": 0},
    ]
    assert {m["personName"]: (m["role"], m["seat"]) for m in found["members"]} == {
        "Anna Andersson": ("MEMBER", "kommunens ledamot"),
        "Cecilia Carlsson": ("CHAIR", "regionens ledamot"),
        "Bo Berg": ("DEPUTY", "ersättare"),
        "Eva Ek": ("SECRETARY", None),  # a secretary holds no seat
    }
    assert [(s["label"], s["number"], s["vacant"]) for s in found["seats"]] == [
        ("ersättare", 1, False),
        ("ersättare", 2, True),
        ("kommunens ledamot", 1, False),
        ("kommunens ledamot", 2, True),
        ("regionens ledamot", 1, False),
    ]


def test_before_the_seats_were_defined_the_body_has_none(client):
    imported(client, FORMED)
    assert counts(body(client, "2021-03-31")) == (0, 0, 0, 0)


def test_a_replacement_keeps_the_seat_and_vacancy_follows_the_holders_on_the_day(client):
    formed = imported(client, FORMED)
    imported(client, CHANGED)
    after = body(client, "2021-06-01")
    assert counts(after) == (5, 4, 1, 0)
    seats = {(s["label"], s["number"]): s["heldBy"] for s in after["seats"]}
    assert seats[("kommunens ledamot", 1)] == [{"personName": "David Dahl", "role": "MEMBER"}]
    assert seats[("kommunens ledamot", 2)] == [{"personName": "Bo Berg", "role": "MEMBER"}]
    # The day before, in valid time: Anna still holds the seat and the second is vacant.
    before = body(client, "2021-05-31")
    assert counts(before) == (5, 3, 2, 0)
    held = {(s["label"], s["number"]): s["heldBy"] for s in before["seats"]}
    assert held[("kommunens ledamot", 1)] == [{"personName": "Anna Andersson", "role": "MEMBER"}]
    # As known before the second file: the same day answers as the first file left it.
    assert counts(body(client, "2021-06-01", known_at=formed)) == (5, 3, 2, 0)


def test_an_appointment_that_could_take_seats_of_several_labels_is_refused_with_them(client):
    text = (
        HEAD % {"date": "2021-05-01"}
        + """\
items:
  - number: 1
    title: Referensgrupp
    decisions:
      - kind: decided
        text: Gruppen har en brukarrepresentant och en professionsrepresentant; Eva Ek utses.
        seats:
          - {body: grupp, label: brukarrepresentant}
          - {body: grupp, label: professionsrepresentant}
        appointments:
          - {person: eva, body: grupp}
"""
    )
    [(path, code, message)] = refused(client, text)
    assert path == "items[0].decisions[0].appointments[0]"
    assert code == "AMBIGUOUS"
    assert "'brukarrepresentant'" in message and "'professionsrepresentant'" in message
    assert "seat_unknown" in message


def test_when_every_seat_for_the_organisation_is_held_the_appointment_is_refused(client):
    imported(client, FORMED)
    text = (
        HEAD % {"date": "2021-05-01"}
        + """\
items:
  - number: 1
    title: Ny ledamot
    decisions:
      - kind: decided
        text: David Dahl utses till ledamot för regionen.
        appointments:
          - {person: david, body: grupp, on_behalf_of: region}
"""
    )
    [(path, code, message)] = refused(client, text)
    assert (path, code) == ("items[0].decisions[0].appointments[0]", "SEAT_TAKEN")
    assert "is held" in message


def test_seat_unknown_links_no_seat_and_the_composition_says_so(client):
    imported(client, FORMED)
    imported(
        client,
        HEAD % {"date": "2021-05-01"}
        + """\
items:
  - number: 1
    title: Ny ledamot
    decisions:
      - kind: decided
        text: David Dahl utses.
        appointments:
          - {person: david, body: grupp, seat_unknown: true, note: The minutes name no seat.}
""",
    )
    found = body(client, "2021-05-01")
    assert counts(found) == (5, 3, 2, 1)
    assert {m["personName"]: m["seat"] for m in found["members"]}["David Dahl"] is None


def test_a_seat_held_by_someone_else_is_refused(client):
    imported(client, FORMED)
    text = (
        HEAD % {"date": "2021-05-01"}
        + """\
items:
  - number: 1
    title: Ny ledamot
    decisions:
      - kind: decided
        text: David Dahl utses.
        appointments:
          - {person: david, body: grupp, seat: regionens ledamot}
"""
    )
    [(path, code, message)] = refused(client, text)
    assert (path, code) == ("items[0].decisions[0].appointments[0]", "SEAT_TAKEN")
    assert "'regionens ledamot'" in message


def test_a_seat_that_does_not_exist_is_refused_naming_the_seats_there_are(client):
    imported(client, FORMED)
    text = (
        HEAD % {"date": "2021-05-01"}
        + """\
items:
  - number: 1
    title: Ny ledamot
    decisions:
      - kind: decided
        text: David Dahl utses.
        appointments:
          - {person: david, body: grupp, seat: ordförande}
"""
    )
    [(_, code, message)] = refused(client, text)
    assert code == "NOT_FOUND"
    assert "'ordförande'" in message and "'ersättare'" in message


def test_the_avtalsutskott_of_nine_and_nine_seats_is_not_all_vacant(client):
    """The issue's case: 9 + 9 seats and three named members answered 18 vacant."""
    registry = client.app.state.registry
    import_file(registry, EXAMPLES / "000-samverkansmote-avtalsutskottet-2020-03-06.yaml")
    client.app.state.runner.wait_for(registry.max_position())
    answer = client.post(
        "/graphql",
        json={
            "query": '{ bodies(name: "Avtalsutskottet") { nodes { name '
            'composition(asOf: "2020-03-06") { defined filled vacant membersWithoutSeat '
            "groups { label role filled } } } } }"
        },
    ).json()
    [found] = [b for b in answer["data"]["bodies"]["nodes"] if b["name"] == "Avtalsutskottet"]
    assert found["composition"] == {
        "defined": 18,
        "filled": 3,
        "vacant": 15,
        "membersWithoutSeat": 0,
        "groups": [
            {"label": "ersättare", "role": "DEPUTY", "filled": 1},
            {"label": "ordinarie ledamot", "role": "MEMBER", "filled": 2},
        ],
    }


def test_composition_over_http_from_files_posted_to_a_running_registry(settings, tmp_path):
    """As a user: `registry serve`, POST /import of both files, GraphQL with the position
    the import answered (read-your-writes), on both days and both time axes."""

    def ask(server, position: int, as_of: str, known_at: str | None = None) -> dict:
        payload = json.dumps(
            {"query": COMPOSITION, "variables": {"asOf": as_of, "knownAt": known_at}}
        ).encode()
        request = urllib.request.Request(
            server.base + "/graphql",
            data=payload,
            headers={"Content-Type": "application/json", "X-Registry-Min-Position": str(position)},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.load(response)
        assert "errors" not in answer, answer
        [found] = answer["data"]["bodies"]["nodes"]
        return found

    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        status, first = server.post("/import", FORMED.encode(), "application/yaml")
        assert status == 200, first
        between = datetime.now(UTC).isoformat()
        status, second = server.post("/import", CHANGED.encode(), "application/yaml")
        assert status == 200, second
        position = second["position"]
        assert counts(ask(server, position, "2021-04-01")) == (5, 3, 2, 0)
        assert counts(ask(server, position, "2021-06-01")) == (5, 4, 1, 0)
        assert counts(ask(server, position, "2021-06-01", between)) == (5, 3, 2, 0)
        assert counts(ask(server, position, "2021-03-31")) == (0, 0, 0, 0)


def test_a_personal_deputy_for_a_seat_stands_in_for_its_holder_and_does_not_fill_it(client):
    """001 item 12: "1 socialchef – Johanna Viberg (ersättare Helen Willyams)"."""
    registry = client.app.state.registry
    import_file(registry, EXAMPLES / "001-chefsgrupp-orebro-2020-02-07.yaml")
    client.app.state.runner.wait_for(registry.max_position())
    answer = client.post(
        "/graphql",
        json={
            "query": '{ bodies(name: "barn och unga") { nodes { '
            'seats(asOf: "2020-02-07") { label vacant heldBy { personName role } '
            "personalDeputies { personName role } } "
            'composition(asOf: "2020-02-07") { defined filled vacant } } } }'
        },
    ).json()
    [body] = answer["data"]["bodies"]["nodes"]
    seats = {s["label"]: s for s in body["seats"]}
    assert seats["socialchef"] == {
        "label": "socialchef",
        "vacant": False,
        "heldBy": [{"personName": "Johanna Viberg", "role": "MEMBER"}],
        "personalDeputies": [{"personName": "Helen Willyams", "role": "DEPUTY"}],
    }
    assert seats["skolchef"]["vacant"] is True  # "1 skolchef – utses idag", nobody named
    # 3 från hälso- och sjukvården (names to follow), skolchef vacant; socialchef and
    # verksamhetschef elevhälsa filled.
    assert body["composition"] == {"defined": 6, "filled": 2, "vacant": 4}
