"""Bodies and persons over HTTP, on both stores: a body's own facts, its members on a date and
as known before a correction, seats (vacant too), its composition history with the decision
behind each change; a person's mandates on a date, name variants, a merged record resolving to
the survivor, and search by name ignoring case and diacritics."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from registry.config import StoreSettings
from tests.read_scenario import LEDNINGSGRUPP, SAMVERKANSORGAN, World, open_world


@pytest.fixture
def world(settings: StoreSettings) -> Iterator[World]:
    yield from open_world(settings)


BODY = """
query($id: ID!) { body(id: $id) {
  id name kind mandate termStart termEnd
  parent { name kind parent { name } }
  owners { name kind }
  source { document }
} }"""


def test_a_body_with_its_kind_parent_owners_mandate_and_term(world: World) -> None:
    group = world.data(BODY, id=world.s.id("bodies", "group"))["body"]
    assert group == {
        "id": world.s.id("bodies", "group"),
        "name": LEDNINGSGRUPP,
        "kind": "ledningsgrupp",
        "mandate": "Leder omställningen till nära vård på uppdrag av samverkansorganet.",
        "termStart": "2020-01-01",
        "termEnd": "2022-12-31",
        "parent": {"name": SAMVERKANSORGAN, "kind": "samrådsorgan", "parent": None},
        "owners": [
            {"name": "Region Västmanland", "kind": "region"},
            {"name": "Västerås stad", "kind": "kommun"},
            {"name": "Sala kommun", "kind": "kommun"},
        ],
        "source": {"document": "Förteckning över ledamöter 2019–2022"},
    }
    bodies = world.data("{ bodies { totalCount nodes { name } } }")["bodies"]
    assert bodies["totalCount"] == 2
    assert [b["name"] for b in bodies["nodes"]] == [LEDNINGSGRUPP, SAMVERKANSORGAN]
    only = world.data('{ bodies(kind: "samrådsorgan") { nodes { name } } }')["bodies"]["nodes"]
    assert only == [{"name": SAMVERKANSORGAN}]


MEMBERS = """
query($body: ID!, $asOf: Date, $knownAt: DateTime) {
  members(bodyId: $body, asOf: $asOf, knownAt: $knownAt) { totalCount nodes {
    id personId personName role seat from fromUnknown until
    onBehalfOf { name } personalDeputyForId correctionReason
    decision { item decidedOn } source { document item }
  } }
}"""


def _members(world: World, as_of: str, known_at: str | None = None) -> list[dict]:
    found = world.data(MEMBERS, body=world.s.id("bodies", "group"), asOf=as_of, knownAt=known_at)[
        "members"
    ]
    assert found["totalCount"] == len(found["nodes"])
    return found["nodes"]


def _summary(members: list[dict]) -> list[tuple]:
    return [(m["personName"], m["role"], m["from"], m["until"]) for m in members]


def test_members_on_a_date_before_and_after_the_replacement(world: World) -> None:
    s = world.s
    before = _members(world, "2021-02-28")
    after = _members(world, "2021-03-01")
    assert _summary(before) == [
        ("Karin Lindqvist", "CHAIR", "2020-01-15", None),
        ("Jörgen Ekström", "DEPUTY", "2020-02-01", None),
        ("Anders Öberg", "MEMBER", "2020-01-15", "2021-03-01"),
        ("Åsa Nyström", "MEMBER", "2020-01-15", None),
    ]
    assert _summary(after) == [
        ("Karin Lindqvist", "CHAIR", "2020-01-15", None),
        ("Jörgen Ekström", "DEPUTY", "2020-02-01", None),
        ("Maria Söderström", "MEMBER", "2021-03-01", None),
        ("Åsa Nyström", "MEMBER", "2020-01-15", None),
    ]
    maria = after[2]
    assert maria["id"] == s.id("memberships", "soderstrom")
    assert maria["personId"] == s.id("persons", "Maria Söderström")
    assert maria["seat"] == "Västerås stad"  # taken over from the member she replaced
    assert maria["onBehalfOf"] == {"name": "Västerås stad"}
    assert maria["decision"] == {"item": "4", "decidedOn": "2021-02-12"}
    assert maria["source"] == {
        "document": "Protokoll Politiskt samverkansorgan i Västmanland 2021-02-12",
        "item": "§ 4",
    }
    deputy = after[1]
    assert deputy["personalDeputyForId"] == s.id("persons", "Åsa Nyström")
    assert deputy["onBehalfOf"] == {"name": "Sala kommun"} and deputy["seat"] is None
    assert deputy["decision"] == {"item": "12", "decidedOn": "2019-12-13"}
    # Before the body existed on paper nobody was a member.
    assert _members(world, "2020-01-14") == []


def test_members_as_known_before_the_correction_and_before_the_replacement(
    world: World,
) -> None:
    # Åsa Nyström's start was corrected from 2020-02-01 to 2020-01-15 after both meetings.
    now = _members(world, "2020-01-20")
    assert _summary(now) == [
        ("Karin Lindqvist", "CHAIR", "2020-01-15", None),
        ("Anders Öberg", "MEMBER", "2020-01-15", "2021-03-01"),
        ("Åsa Nyström", "MEMBER", "2020-01-15", None),
    ]
    assert now[2]["correctionReason"] == (
        "Startdatum enligt delegationsbeslut 2020-01-10, inte 2020-02-01."
    )
    assert now[2]["decision"] is None
    old = _members(world, "2020-01-20", world.at("before_corrections"))
    assert _summary(old) == [
        ("Karin Lindqvist", "CHAIR", "2020-01-15", None),
        ("Anders Öberg", "MEMBER", "2020-01-15", "2021-03-01"),
    ]
    old_asa = _members(world, "2020-02-01", world.at("before_corrections"))[-1]
    assert (old_asa["personName"], old_asa["from"], old_asa["correctionReason"]) == (
        "Åsa Nyström",
        "2020-02-01",
        None,
    )
    # Before the first meeting was recorded, Anders Öberg was not known to be replaced.
    unreplaced = _members(world, "2021-03-01", world.at("before_meeting_1"))
    assert _summary(unreplaced) == [
        ("Karin Lindqvist", "CHAIR", "2020-01-15", None),
        ("Jörgen Ekström", "DEPUTY", "2020-02-01", None),
        ("Anders Öberg", "MEMBER", "2020-01-15", None),
        ("Åsa Nyström", "MEMBER", "2020-02-01", None),
    ]
    # Before anything was recorded the body did not exist.
    assert world.data(
        "query($id: ID!, $k: DateTime) { body(id: $id, knownAt: $k) { name } }",
        id=world.s.id("bodies", "group"),
        k=world.at("start"),
    ) == {"body": None}


def test_body_members_field_takes_as_of_and_known_at(world: World) -> None:
    query = """query($id: ID!, $k: DateTime) { body(id: $id) {
        now: members(asOf: "2020-01-20") { personName from }
        then: members(asOf: "2020-01-20", knownAt: $k) { personName from }
    } }"""
    body = world.data(query, id=world.s.id("bodies", "group"), k=world.at("before_corrections"))
    assert body["body"]["now"] == [
        {"personName": "Karin Lindqvist", "from": "2020-01-15"},
        {"personName": "Anders Öberg", "from": "2020-01-15"},
        {"personName": "Åsa Nyström", "from": "2020-01-15"},
    ]
    assert body["body"]["then"] == body["body"]["now"][:2]


SEATS = """query($id: ID!, $asOf: Date) { body(id: $id) {
  seats(asOf: $asOf) { id label note vacant onBehalfOf { name } heldBy { personName role } }
  vacant: seats(asOf: $asOf, vacantOnly: true) { label }
} }"""


def test_seats_filled_and_vacant_on_a_date(world: World) -> None:
    s = world.s
    body = world.data(SEATS, id=s.id("bodies", "group"), asOf="2021-03-01")["body"]
    assert body["seats"] == [
        {
            "id": s.id("seats", "brukare"),
            "label": "Brukarorganisationerna",
            "note": "Utses senare av brukarrådet",
            "vacant": True,
            "onBehalfOf": None,
            "heldBy": [],
        },
        {
            "id": s.id("seats", "region"),
            "label": "Region Västmanland",
            "note": None,
            "vacant": False,
            "onBehalfOf": {"name": "Region Västmanland"},
            "heldBy": [{"personName": "Karin Lindqvist", "role": "CHAIR"}],
        },
        {
            "id": s.id("seats", "sala"),
            "label": "Sala kommun",
            "note": None,
            "vacant": False,
            "onBehalfOf": {"name": "Sala kommun"},
            "heldBy": [{"personName": "Åsa Nyström", "role": "MEMBER"}],
        },
        {
            "id": s.id("seats", "vasteras"),
            "label": "Västerås stad",
            "note": None,
            "vacant": False,
            "onBehalfOf": {"name": "Västerås stad"},
            "heldBy": [{"personName": "Maria Söderström", "role": "MEMBER"}],
        },
    ]
    assert body["vacant"] == [{"label": "Brukarorganisationerna"}]
    before = world.data(SEATS, id=s.id("bodies", "group"), asOf="2021-02-28")["body"]
    assert before["seats"][3]["heldBy"] == [{"personName": "Anders Öberg", "role": "MEMBER"}]
    # Before the seats were defined (2020-01-15) the body has none; on that day the three
    # appointed from it fill theirs (Sala's start corrected to that day).
    early = world.data(SEATS, id=s.id("bodies", "group"), asOf="2020-01-01")["body"]
    assert early["seats"] == []
    first = world.data(SEATS, id=s.id("bodies", "group"), asOf="2020-01-15")["body"]
    assert [x["label"] for x in first["vacant"]] == ["Brukarorganisationerna"]


def test_composition_history_with_the_decision_behind_each_change(world: World) -> None:
    query = """query($id: ID!) { body(id: $id) { compositionHistory {
        type entityId effectiveDate actor source { document item } decision { id item kind }
    } } }"""
    s = world.s
    history = world.data(query, id=s.id("bodies", "group"))["body"]["compositionHistory"]
    formed = {"id": s.id("decisions", "formed"), "item": "12", "kind": "APPROVED"}
    composition = {"id": s.id("decisions", "composition"), "item": "4", "kind": "APPROVED"}
    assert [(e["type"], e["effectiveDate"], e["decision"]) for e in history] == [
        ("SeatsDefined", "2020-01-15", formed),
        ("MemberAppointed", "2020-01-15", formed),
        ("MemberAppointed", "2020-01-15", formed),
        ("MemberAppointed", "2020-02-01", formed),
        ("MemberAppointed", "2020-02-01", formed),
        ("MemberReplaced", "2021-03-01", composition),
        ("MembershipCorrected", "2020-01-15", None),
    ]
    assert {e["entityId"] for e in history} == {s.id("bodies", "group")}
    assert history[5]["actor"] == "sekreterare Sofia Wikström"
    assert history[5]["source"] == {
        "document": "Protokoll Politiskt samverkansorgan i Västmanland 2021-02-12",
        "item": "§ 4",
    }
    assert history[6]["source"] == {
        "document": "Delegationsbeslut Sala kommun 2020-01-10",
        "item": None,
    }


PERSON = """query($id: ID!, $asOf: Date, $knownAt: DateTime) {
  person(id: $id, knownAt: $knownAt) {
    id name title party nameVariants mergedIds organisation { name }
    mandates(asOf: $asOf) {
      id body { name } role seat onBehalfOf { name } personalDeputyForId from until
    }
    assignments { task holderName }
  }
}"""


def _mandates(person: dict) -> list[tuple]:
    return sorted(
        (
            m["body"]["name"],
            m["role"],
            m["seat"],
            m["onBehalfOf"] and m["onBehalfOf"]["name"],
            m["personalDeputyForId"],
            m["from"],
            m["until"],
        )
        for m in person["mandates"]
    )


def test_mandates_of_a_person_on_a_date(world: World) -> None:
    s = world.s
    maria = world.data(PERSON, id=s.id("persons", "Maria Söderström"), asOf="2021-03-01")
    assert _mandates(maria["person"]) == [
        (LEDNINGSGRUPP, "MEMBER", "Västerås stad", "Västerås stad", None, "2021-03-01", None)
    ]
    assert maria["person"]["mandates"][0]["id"] == s.id("memberships", "soderstrom")
    the_day_before = world.data(PERSON, id=s.id("persons", "Maria Söderström"), asOf="2021-02-28")
    assert the_day_before["person"]["mandates"] == []
    anders = world.data(PERSON, id=s.id("persons", "Anders Öberg"), asOf="2021-02-28")
    assert _mandates(anders["person"]) == [
        (
            LEDNINGSGRUPP,
            "MEMBER",
            "Västerås stad",
            "Västerås stad",
            None,
            "2020-01-15",
            "2021-03-01",
        )
    ]
    jorgen = world.data(PERSON, id=s.id("persons", "Jörgen Ekström"), asOf="2021-03-01")
    assert _mandates(jorgen["person"]) == [
        (
            LEDNINGSGRUPP,
            "DEPUTY",
            None,
            "Sala kommun",
            s.id("persons", "Åsa Nyström"),
            "2020-02-01",
            None,
        )
    ]
    holm = world.data(PERSON, id=s.id("persons", "Lars Holm"), asOf="2021-03-01")["person"]
    assert holm["party"] == "S" and holm["title"] == "Kommunalråd"
    assert _mandates(holm) == [
        (SAMVERKANSORGAN, "CHAIR", None, "Västerås stad", None, "2019-01-01", None)
    ]


def test_a_merged_record_resolves_to_the_survivor_with_both_records_mandates(
    world: World,
) -> None:
    s = world.s
    survivor_id, duplicate_id = (
        s.id("persons", "Karin Lindqvist"),
        s.id("persons", "Karin Lindkvist"),
    )
    by_duplicate = world.data(PERSON, id=duplicate_id, asOf="2021-03-01")["person"]
    by_survivor = world.data(PERSON, id=survivor_id, asOf="2021-03-01")["person"]
    assert by_duplicate == by_survivor
    assert by_survivor["id"] == survivor_id
    assert by_survivor["name"] == "Karin Lindqvist"
    assert by_survivor["title"] == "Hälso- och sjukvårdsdirektör"
    assert by_survivor["organisation"] == {"name": "Region Västmanland"}
    assert by_survivor["mergedIds"] == [duplicate_id]
    assert by_survivor["nameVariants"] == ["Karin Lindkvist"]
    # The co-opted place was recorded for the misspelt record, the chair for the survivor.
    assert _mandates(by_survivor) == [
        (
            LEDNINGSGRUPP,
            "CHAIR",
            "Region Västmanland",
            "Region Västmanland",
            None,
            "2020-01-15",
            None,
        ),
        (SAMVERKANSORGAN, "CO_OPTED", None, "Region Västmanland", None, "2019-01-01", None),
    ]
    # The assignment was given to the misspelt record.
    assert by_survivor["assignments"] == [
        {"task": "Samordna länets information om vaccinationer", "holderName": "Karin Lindkvist"}
    ]
    # Before the merge was recorded, the duplicate was a person of its own.
    before = world.data(
        PERSON, id=duplicate_id, asOf="2021-03-01", knownAt=world.at("before_corrections")
    )["person"]
    assert (before["id"], before["name"], before["mergedIds"], before["organisation"]) == (
        duplicate_id,
        "Karin Lindkvist",
        [],
        None,
    )
    assert _mandates(before) == [
        (SAMVERKANSORGAN, "CO_OPTED", None, "Region Västmanland", None, "2019-01-01", None)
    ]


PERSONS = """query($name: String, $knownAt: DateTime) {
  persons(name: $name, knownAt: $knownAt) { totalCount nodes { id name nameVariants } }
}"""


def _names(world: World, name: str | None, known_at: str | None = None) -> list[str]:
    found = world.data(PERSONS, name=name, knownAt=known_at)["persons"]
    assert found["totalCount"] == len(found["nodes"])
    return [p["name"] for p in found["nodes"]]


def test_persons_by_name_match_variants_ignoring_case_and_diacritics(world: World) -> None:
    # "Åsa Nyström-Hägg" is a name variant only; the query folds case and diacritics.
    for query in ["Nyström-Hägg", "hagg", "HÄGG", "NYSTROM", "åsa nyström", "asa nystrom"]:
        assert _names(world, query) == ["Åsa Nyström"], query
    asa = world.data(PERSONS, name="hagg")["persons"]["nodes"][0]
    assert asa["id"] == world.s.id("persons", "Åsa Nyström")
    assert asa["nameVariants"] == ["Åsa Nyström-Hägg"]
    # The merged record is not listed; its name finds the survivor.
    assert _names(world, "lindkvist") == ["Karin Lindqvist"]
    assert _names(world, "KARIN") == ["Karin Lindqvist"]
    assert _names(world, "oberg") == ["Anders Öberg"]
    assert _names(world, "söder") == ["Maria Söderström"]
    assert _names(world, "Ingen Sådan") == []
    everyone = _names(world, None)
    assert len(everyone) == 9 and "Karin Lindkvist" not in everyone
    assert everyone == sorted(everyone)
    # Before the variant and the merge were recorded.
    assert _names(world, "hagg", world.at("before_corrections")) == []
    assert _names(world, "karin", world.at("before_corrections")) == [
        "Karin Lindkvist",
        "Karin Lindqvist",
    ]


def test_assignments_held_by_a_person(world: World) -> None:
    query = """query($id: ID!) { person(id: $id) {
        all: assignments { task dueDate }
        open: assignments(status: OPEN, asOf: "2021-10-15") { task overdue(asOf: "2021-10-15") }
        done: assignments(status: COMPLETED, asOf: "2021-10-15") { task }
    } }"""
    maria = world.data(query, id=world.s.id("persons", "Maria Söderström"))["person"]
    assert maria["all"] == [
        {"task": "Kartlägga behovet av korttidsplatser i länet", "dueDate": "2021-09-30"}
    ]
    assert maria["open"] == [
        {"task": "Kartlägga behovet av korttidsplatser i länet", "overdue": True}
    ]
    assert maria["done"] == []
    nobody = world.data(query, id=world.s.id("persons", "Per Andersson"))["person"]
    assert nobody == {"all": [], "open": [], "done": []}
