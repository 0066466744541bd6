"""Meetings and decisions over HTTP, on both stores: attendance, chair, secretary, items with
presenters and their decisions; decisions filtered by body, dates, kinds and status on a date
(in force, conditional until its condition is met, revoked, superseded), their conditions,
statements, effects and corrections, on both time axes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from registry.config import StoreSettings
from tests.read_scenario import MINUTES_1, SAMVERKANSORGAN, World, open_world


@pytest.fixture
def world(settings: StoreSettings) -> Iterator[World]:
    yield from open_world(settings)


MEETING = """query($id: ID!, $knownAt: DateTime) { meeting(id: $id, knownAt: $knownAt) {
  id heldOn time place body { name }
  present { personId name note person { id name } }
  absent { personId name note }
  chair { personId name person { party } }
  secretary { name person { title } }
  items {
    number title note presenters { id name }
    decisions { id item kind text status(asOf: "2021-03-01") }
  }
  decisions { item }
  source { document item }
} }"""


def test_a_meeting_with_attendance_chair_secretary_items_presenters_and_decisions(
    world: World,
) -> None:
    s = world.s
    meeting = world.data(MEETING, id=s.id("meetings", "first"))["meeting"]
    karin = s.id("persons", "Karin Lindqvist")
    assert meeting["id"] == s.id("meetings", "first")
    assert (meeting["heldOn"], meeting["time"], meeting["place"]) == (
        "2021-02-12",
        "13.00–15.30",
        "Regionhuset, Västerås",
    )
    assert meeting["body"] == {"name": SAMVERKANSORGAN}
    # Attendees keep the name as the minutes give it; `person` resolves a merged record.
    assert [(a["name"], a["person"]["name"]) for a in meeting["present"]] == [
        ("Lars Holm", "Lars Holm"),
        ("Eva Berg", "Eva Berg"),
        ("Karin Lindkvist", "Karin Lindqvist"),
        ("Sofia Wikström", "Sofia Wikström"),
    ]
    assert meeting["present"][2]["personId"] == s.id("persons", "Karin Lindkvist")
    assert meeting["present"][2]["person"]["id"] == karin
    assert meeting["absent"] == [
        {
            "personId": s.id("persons", "Per Andersson"),
            "name": "Per Andersson",
            "note": "Anmält förhinder",
        }
    ]
    assert meeting["chair"] == {
        "personId": s.id("persons", "Lars Holm"),
        "name": "Lars Holm",
        "person": {"party": "S"},
    }
    assert meeting["secretary"] == {
        "name": "Sofia Wikström",
        "person": {"title": "Utvecklingsledare"},
    }
    items = {i["number"]: i for i in meeting["items"]}
    assert [i["number"] for i in meeting["items"]] == ["1", "3", "4", "5", "6", "7", "8", "9"]
    assert items["1"] == {
        "number": "1",
        "title": "Mötets öppnande",
        "note": None,
        "presenters": [],
        "decisions": [],
    }
    assert [p["name"] for p in items["5"]["presenters"]] == ["Karin Lindqvist", "Anders Öberg"]
    assert items["5"]["presenters"][0]["id"] == karin
    assert items["9"]["note"] == "Muntlig"
    assert [
        (i["number"], [(d["item"], d["kind"], d["status"]) for d in i["decisions"]])
        for i in meeting["items"]
    ] == [
        ("1", []),
        ("3", [("3", "DECIDED", "IN_FORCE")]),
        ("4", [("4", "APPROVED", "IN_FORCE")]),
        ("5", [("5", "DECIDED", "CONDITIONAL")]),
        ("6", [("6", "DECIDED", "IN_FORCE")]),
        ("7", [("7", "DECIDED", "IN_FORCE")]),
        ("8", [("8", "DECIDED", "IN_FORCE")]),
        ("9", [("9", "NOTED", "IN_FORCE")]),
    ]
    assert items["4"]["decisions"][0]["id"] == s.id("decisions", "composition")
    # The meeting's decisions in the order of the minutes.
    assert [d["item"] for d in meeting["decisions"]] == ["3", "4", "5", "6", "7", "8", "9"]
    assert meeting["source"] == {"document": MINUTES_1, "item": "§ 1"}


def test_a_meeting_as_known_before_it_was_recorded_and_before_a_correction(
    world: World,
) -> None:
    s = world.s
    unknown = world.data(
        MEETING, id=s.id("meetings", "first"), knownAt=world.at("before_meeting_1")
    )
    assert unknown == {"meeting": None}
    then = world.data(
        MEETING, id=s.id("meetings", "first"), knownAt=world.at("before_corrections")
    )["meeting"]
    item_9 = then["items"][-1]
    assert [(d["kind"], d["text"]) for d in item_9["decisions"]] == [
        ("DEFERRED", "Ärendet bordläggs.")
    ]
    # Before the merge the minutes' name was a person of its own.
    assert then["present"][2]["person"] == {
        "id": s.id("persons", "Karin Lindkvist"),
        "name": "Karin Lindkvist",
    }


def test_meetings_of_a_body_within_dates(world: World) -> None:
    query = """query($body: ID, $from: Date, $to: Date) {
        meetings(bodyId: $body, from: $from, to: $to) { totalCount nodes { id heldOn place } }
    }"""
    s = world.s
    organ, group = s.id("bodies", "organ"), s.id("bodies", "group")
    both = world.data(query, body=organ)["meetings"]
    assert both["totalCount"] == 2
    assert [(m["id"], m["heldOn"], m["place"]) for m in both["nodes"]] == [
        (s.id("meetings", "first"), "2021-02-12", "Regionhuset, Västerås"),
        (s.id("meetings", "second"), "2021-05-20", "Stadshuset, Sala"),
    ]
    later = world.data(query, body=organ, **{"from": "2021-02-13"})["meetings"]["nodes"]
    assert [m["heldOn"] for m in later] == ["2021-05-20"]
    first = world.data(query, **{"from": "2021-02-12", "to": "2021-02-12"})["meetings"]["nodes"]
    assert [m["heldOn"] for m in first] == ["2021-02-12"]
    assert world.data(query, body=group)["meetings"] == {"totalCount": 0, "nodes": []}


DECISIONS = """query($body: ID, $from: Date, $to: Date, $kinds: [DecisionKind!],
                    $statuses: [DecisionStatus!], $asOf: Date, $knownAt: DateTime) {
  decisions(bodyId: $body, from: $from, to: $to, kinds: $kinds, statuses: $statuses,
            asOf: $asOf, knownAt: $knownAt) {
    totalCount nodes { decidedOn item kind status(asOf: $asOf) }
  }
}"""


def _decisions(world: World, **variables: Any) -> list[tuple]:
    found = world.data(DECISIONS, **variables)["decisions"]
    assert found["totalCount"] == len(found["nodes"])
    return [(d["decidedOn"], d["item"], d["kind"], d["status"]) for d in found["nodes"]]


def _keys(world: World, **variables: Any) -> list[tuple[str, str]]:
    return [(d[0], d[1]) for d in _decisions(world, **variables)]


M1, M2 = "2021-02-12", "2021-05-20"


def test_decisions_of_a_body_within_dates_and_of_some_kinds(world: World) -> None:
    organ = world.s.id("bodies", "organ")
    everything = _decisions(world, body=organ, asOf="2021-03-01")
    assert everything == [
        ("2019-12-13", "12", "APPROVED", "IN_FORCE"),
        (M1, "3", "DECIDED", "IN_FORCE"),
        (M1, "4", "APPROVED", "IN_FORCE"),
        (M1, "5", "DECIDED", "CONDITIONAL"),
        (M1, "6", "DECIDED", "IN_FORCE"),
        (M1, "7", "DECIDED", "IN_FORCE"),
        (M1, "8", "DECIDED", "IN_FORCE"),
        (M1, "9", "NOTED", "IN_FORCE"),
        (M2, "2", "DECIDED", "NOT_YET_DECIDED"),
        (M2, "3", "DECIDED", "NOT_YET_DECIDED"),
        (M2, "4", "DECIDED", "NOT_YET_DECIDED"),
    ]
    assert _keys(world, **{"from": "2021-01-01", "to": "2021-03-31"}) == [
        (M1, i) for i in ["3", "4", "5", "6", "7", "8", "9"]
    ]
    assert _keys(world, **{"from": "2021-05-20"}) == [(M2, "2"), (M2, "3"), (M2, "4")]
    assert _keys(world, to="2020-12-31") == [("2019-12-13", "12")]
    assert _keys(world, body=world.s.id("bodies", "group")) == []
    assert _keys(world, kinds=["APPROVED"]) == [("2019-12-13", "12"), (M1, "4")]
    assert _keys(world, kinds=["NOTED", "APPROVED"], **{"from": "2021-01-01"}) == [
        (M1, "4"),
        (M1, "9"),
    ]
    assert _keys(world, kinds=["DEFERRED"]) == []
    # `to` before `from` is the client's mistake, not the server's.
    error = world.error(DECISIONS, **{"from": "2021-03-01", "to": "2021-01-01"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_decisions_by_status_on_a_date(world: World) -> None:
    def having(*statuses: str, on: str, known_at: str | None = None) -> list[tuple[str, str]]:
        return _keys(world, statuses=list(statuses), asOf=on, knownAt=known_at)

    assert having("NOT_YET_DECIDED", on="2021-03-01") == [(M2, "2"), (M2, "3"), (M2, "4")]
    assert having("IN_FORCE", on="2021-03-01") == [("2019-12-13", "12")] + [
        (M1, i) for i in ["3", "4", "6", "7", "8", "9"]
    ]
    # § 5 is conditional until its condition is met on 2021-04-20, in force from that day.
    assert having("CONDITIONAL", on="2021-03-01") == [(M1, "5")]
    assert having("CONDITIONAL", on="2021-04-19") == [(M1, "5")]
    assert having("CONDITIONAL", on="2021-04-20") == []
    assert (M1, "5") in having("IN_FORCE", on="2021-04-20")
    # § 3 is superseded on 2021-05-20; § 8 revoked from 2021-06-01.
    assert having("SUPERSEDED", on="2021-05-19") == []
    assert having("SUPERSEDED", on="2021-05-20") == [(M1, "3")]
    assert having("REVOKED", on="2021-05-31") == []
    assert having("REVOKED", on="2021-06-01") == [(M1, "8")]
    assert having("REVOKED", "SUPERSEDED", on="2021-07-01") == [(M1, "3"), (M1, "8")]
    assert (M1, "8") in having("IN_FORCE", on="2021-05-31")
    in_force_now = having("IN_FORCE", on="2021-07-01")
    assert in_force_now == [("2019-12-13", "12")] + [(M1, i) for i in ["4", "5", "6", "7", "9"]] + [
        (M2, "2"),
        (M2, "3"),
        (M2, "4"),
    ]
    # As known before the second meeting: nothing superseded or revoked yet.
    before = world.at("before_meeting_2")
    assert having("REVOKED", "SUPERSEDED", on="2021-07-01", known_at=before) == []
    assert having("NOT_YET_DECIDED", on="2021-03-01", known_at=before) == []
    # As known right after the first meeting the condition was not yet met.
    after_1 = world.at("after_meeting_1")
    assert having("CONDITIONAL", on="2021-07-01", known_at=after_1) == [(M1, "5")]


DECISION = """query($id: ID!, $knownAt: DateTime, $asOf: Date) {
  decision(id: $id, knownAt: $knownAt) {
    id item ordinal kind text decidedOn status(asOf: $asOf) appliesFrom
    revokedOn supersededOn supersededBy { id item decidedOn }
    conditions { id text metOn }
    statements { personId personName kind text }
    corrections { reason recordedAt }
    meeting { id heldOn } body { name }
    source { document item }
    effects { type entityType entityId effectiveDate actor decision { id } data }
  }
}"""


def _decision(world: World, key: str, **variables: Any) -> dict:
    return world.data(DECISION, id=world.s.id("decisions", key), **variables)["decision"]


def test_a_condition_pending_then_met_and_a_reservation(world: World) -> None:
    s = world.s
    now = _decision(world, "extension", asOf="2021-05-01")
    assert now["status"] == "IN_FORCE"
    assert now["appliesFrom"] == "2021-04-20"
    assert now["conditions"] == [
        {
            "id": str(s.conditions["extension"]),
            "text": "Förutsätter att kommunernas nämnder ställer sig bakom förlängningen.",
            "metOn": "2021-04-20",
        }
    ]
    assert now["statements"] == [
        {
            "personId": s.id("persons", "Eva Berg"),
            "personName": "Eva Berg",
            "kind": "reservation",
            "text": "Reservation till förmån för eget yrkande om en ettårig förlängning.",
        }
    ]
    assert _decision(world, "extension", asOf="2021-04-19")["status"] == "CONDITIONAL"
    then = _decision(world, "extension", asOf="2021-05-01", knownAt=world.at("after_meeting_1"))
    assert then["status"] == "CONDITIONAL"
    assert then["appliesFrom"] is None
    assert then["conditions"][0]["metOn"] is None
    assert then["statements"] == now["statements"]
    assert (then["meeting"]["id"], then["body"]) == (
        s.id("meetings", "first"),
        {"name": SAMVERKANSORGAN},
    )
    assert then["source"] == {"document": MINUTES_1, "item": "§ 5"}


def test_revoked_and_superseded_decisions(world: World) -> None:
    s = world.s
    revoked = _decision(world, "coordinator", asOf="2021-06-01")
    assert (revoked["status"], revoked["revokedOn"], revoked["supersededBy"]) == (
        "REVOKED",
        "2021-06-01",
        None,
    )
    assert _decision(world, "coordinator", asOf="2021-05-31")["status"] == "IN_FORCE"
    superseded = _decision(world, "plan", asOf="2021-05-20")
    assert superseded["status"] == "SUPERSEDED"
    assert superseded["supersededOn"] == "2021-05-20"
    assert superseded["supersededBy"] == {
        "id": s.id("decisions", "plan_revised"),
        "item": "2",
        "decidedOn": "2021-05-20",
    }
    assert _decision(world, "plan", asOf="2021-05-19")["status"] == "IN_FORCE"
    before = _decision(world, "plan", asOf="2021-07-01", knownAt=world.at("before_meeting_2"))
    assert (before["status"], before["supersededBy"], before["supersededOn"]) == (
        "IN_FORCE",
        None,
        None,
    )


def test_a_correction_and_the_old_answer_known_before_it(world: World) -> None:
    now = _decision(world, "info", asOf="2021-03-01")
    assert (now["kind"], now["text"]) == ("NOTED", "Informationen om vaccinationsläget noteras.")
    assert [c["reason"] for c in now["corrections"]] == [
        "Felaktigt registrerat som bordlagt; protokollet säger att informationen noterades."
    ]
    corrected_at = now["corrections"][0]["recordedAt"]
    assert world.at("before_corrections") < corrected_at < world.at("end")
    then = _decision(world, "info", asOf="2021-03-01", knownAt=world.at("before_corrections"))
    assert (then["kind"], then["text"], then["corrections"]) == (
        "DEFERRED",
        "Ärendet bordläggs.",
        [],
    )
    assert then["id"] == now["id"] and then["decidedOn"] == "2021-02-12"


def _effects(decision: dict) -> list[tuple]:
    return [
        (e["type"], e["entityType"], e["entityId"], e["effectiveDate"]) for e in decision["effects"]
    ]


def test_effects_every_change_a_decision_authorised(world: World) -> None:
    s = world.s
    group, fund = s.id("bodies", "group"), s.id("funds", "stimulus")

    composition = _decision(world, "composition")
    assert _effects(composition) == [("MemberReplaced", "body", group, "2021-03-01")]
    data = composition["effects"][0]["data"]
    assert data["outgoing_membership_id"] == s.id("memberships", "oberg")
    assert data["incoming"]["membership_id"] == s.id("memberships", "soderstrom")
    assert data["incoming"]["person_name"] == "Maria Söderström"
    assert composition["effects"][0]["decision"] == {"id": s.id("decisions", "composition")}
    assert composition["effects"][0]["actor"] == "sekreterare Sofia Wikström"

    formed = _decision(world, "formed")
    assert _effects(formed) == [
        ("SeatsDefined", "body", group, "2020-01-15"),
        ("MemberAppointed", "body", group, "2020-01-15"),
        ("MemberAppointed", "body", group, "2020-01-15"),
        ("MemberAppointed", "body", group, "2020-02-01"),
        ("MemberAppointed", "body", group, "2020-02-01"),
    ]
    assert [e["data"]["membership"]["person_name"] for e in formed["effects"][1:]] == [
        "Karin Lindqvist",
        "Anders Öberg",
        "Åsa Nyström",
        "Jörgen Ekström",
    ]

    extension = _decision(world, "extension")
    assert _effects(extension) == [
        ("ExtensionProposed", "agreement", s.id("agreements", "home_care"), None)
    ]
    assert extension["effects"][0]["data"] == {
        "extension_key": "until-2023-12-31",
        "new_until": "2023-12-31",
    }

    funds = _decision(world, "funds")
    assert _effects(funds) == [
        ("Established", "fund", fund, "2021-01-01"),
        ("Allocated", "fund", fund, "2021-02-12"),
        ("Allocated", "fund", fund, "2021-02-12"),
        ("Allocated", "fund", fund, "2021-02-12"),
    ]
    assert [e["data"]["allocation"]["amount"] for e in funds["effects"][1:]] == [
        "1200000.00",
        "800000.00",
        "300000.00",
    ]

    tasks = _decision(world, "tasks")
    assert _effects(tasks) == [
        ("Given", "assignment", s.id("assignments", key), "2021-02-12")
        for key in ["plan", "short_term", "night", "vaccine"]
    ]

    reallocation = _decision(world, "reallocation")
    assert _effects(reallocation) == [
        ("AllocationWithdrawn", "fund", fund, "2021-05-20"),
        ("AllocationChanged", "fund", fund, "2021-05-20"),
    ]
    assert reallocation["effects"][1]["data"] == {
        "allocation_id": s.id("allocations", "vasteras"),
        "amount": "1450000.50",
    }

    assert _effects(_decision(world, "plan_revised")) == [
        ("Superseded", "decision", s.id("decisions", "plan"), "2021-05-20")
    ]
    assert _effects(_decision(world, "revocation")) == [
        ("Revoked", "decision", s.id("decisions", "coordinator"), "2021-06-01")
    ]
    assert _decision(world, "info")["effects"] == []
    # As known before the second meeting, the first meeting's funds decision had not yet
    # been followed by the reallocation; its own effects are the same.
    assert _decision(world, "reallocation", knownAt=world.at("before_meeting_2")) is None
