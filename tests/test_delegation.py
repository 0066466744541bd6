"""Delegation (delegationsordning) end to end on both stores: a nämnd delegates upphandling
to its arbetsutskott (with a ceiling), bistånd to a post and avgiftsbefrielse to an office
holder; who may decide a matter on a day answers on valid time (before and after the
delegation holds) and on recorded time (before it was recorded); a delegated decision records
its delegation and is reported (anmälan) to the nämnd. The files are invented
(tests/import_cases/mandates/)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.minutes_client import ask, client, import_twice, imported, refused, served_graphql

__all__ = ["client"]

CASES = Path(__file__).parent / "import_cases" / "mandates"
NAMND = (CASES / "1-socialnamnden-2021-01-12.yaml").read_text()
UTSKOTT = (CASES / "2-arbetsutskottet-2021-03-02.yaml").read_text()
ANMALAN = (CASES / "3-socialnamnden-2021-03-16.yaml").read_text()

BODY = """query { bodies(name: "Socialnämnden Testkommun") { nodes { id } } }"""

WHO = """query($body: ID!, $matter: String!, $asOf: Date, $knownAt: DateTime) {
  delegates(bodyId: $body, matter: $matter, asOf: $asOf, knownAt: $knownAt) {
    key matter limit maxAmount validFrom validUntil
    delegate { kind name body { name } person { name } }
    decision { item text }
  }
}"""

DECISIONS = """query {
  decisions { nodes {
    item text body { name }
    claim {
      kind matter amount delegateName
      delegation { key body { name } delegate { name } }
      reports { reportedOn body { name } decision { item text } }
      reportedBefore: reported(asOf: "2021-03-15")
      reportedAfter: reported(asOf: "2021-03-16")
    }
  } }
}"""


def body_id(client) -> str:
    (body,) = ask(client, BODY)["bodies"]["nodes"]
    return body["id"]


def who(client, matter: str, as_of: str, known_at: str | None = None) -> list[dict]:
    return ask(client, WHO, body=body_id(client), matter=matter, asOf=as_of, knownAt=known_at)[
        "delegates"
    ]


def test_who_may_decide_a_matter_by_delegation_from_the_day_it_holds(client):
    import_twice(client, NAMND)
    assert who(client, "upphandling", "2021-01-31") == []
    (au,) = who(client, "Upphandling", "2021-02-01")
    assert au == {
        "key": "upphandling",
        "matter": "upphandling",
        "limit": "upp till 500 000 kr",
        "maxAmount": "500000.00",
        "validFrom": "2021-02-01",
        "validUntil": None,
        "delegate": {
            "kind": "BODY",
            "name": "Socialnämndens arbetsutskott Testkommun",
            "body": {"name": "Socialnämndens arbetsutskott Testkommun"},
            "person": None,
        },
        "decision": {"item": "4", "text": "Socialnämnden antar delegationsordning 2021."},
    }
    (post,) = who(client, "bistånd", "2021-01-12")
    assert post["delegate"] == {"kind": "POST", "name": "enhetschef", "body": None, "person": None}


def test_a_delegation_to_an_office_holder_ends_on_its_last_day(client):
    import_twice(client, NAMND)
    (sara,) = who(client, "avgiftsbefrielse", "2021-06-30")
    assert sara["delegate"]["person"] == {"name": "Sara Socialchef"}
    assert who(client, "avgiftsbefrielse", "2021-07-01") == []


def test_who_may_decide_as_known_before_the_delegation_was_recorded(client):
    # The bodies and persons, declared earlier by another document (a statement).
    declared = NAMND.split("meeting:")[0].replace("kind: minutes", "kind: statement")
    declared = declared.replace("Protokoll", "Kallelse") + "items: []\n"
    imported(client, declared)
    before = datetime.now(UTC).isoformat()
    assert imported(client, NAMND) == "imported"
    assert who(client, "upphandling", "2021-03-01", known_at=before) == []
    assert [d["key"] for d in who(client, "upphandling", "2021-03-01")] == ["upphandling"]


def test_a_delegated_decision_records_its_delegation_and_is_reported_to_the_namnd(client):
    for text in (NAMND, UTSKOTT, ANMALAN):
        import_twice(client, text)
    found = {d["item"]: d for d in ask(client, DECISIONS)["decisions"]["nodes"]}
    claim = found["2"]["claim"]
    assert claim["kind"] == "DECIDES" and claim["amount"] == "300000.00"
    assert claim["delegation"] == {
        "key": "upphandling",
        "body": {"name": "Socialnämnden Testkommun"},
        "delegate": {"name": "Socialnämndens arbetsutskott Testkommun"},
    }
    assert claim["reports"] == [
        {
            "reportedOn": "2021-03-16",
            "body": {"name": "Socialnämnden Testkommun"},
            "decision": {"item": "7", "text": "Anmälda delegationsbeslut läggs till handlingarna."},
        }
    ]
    assert (claim["reportedBefore"], claim["reportedAfter"]) == (False, True)
    # The decision of § 3 has not been reported.
    assert found["3"]["claim"]["reports"] == []


def test_a_delegations_decisions_are_listed_under_it(client):
    for text in (NAMND, UTSKOTT):
        imported(client, text)
    query = """query($body: ID!) { body(id: $body) {
      delegations { key decisions { item } }
      current: delegations(asOf: "2021-01-20") { key }
    } }"""
    body = ask(client, query, body=body_id(client))["body"]
    assert {d["key"]: [x["item"] for x in d["decisions"]] for d in body["delegations"]} == {
        "upphandling": ["2", "3"],
        "bistånd": [],
        "avgiftsbefrielse": [],
    }
    assert sorted(d["key"] for d in body["current"]) == ["avgiftsbefrielse", "bistånd"]


def test_a_report_to_a_body_that_did_not_delegate_is_refused_and_writes_nothing(client):
    for text in (NAMND, UTSKOTT):
        imported(client, text)
    wrong = ANMALAN.replace(
        "body: Socialnämnden Testkommun", "body: Socialnämndens arbetsutskott Testkommun", 1
    )
    assert refused(client, wrong) == [
        ("items[0].decisions[0].delegation_reports[0].decision", "INVALID_INPUT")
    ]


def test_a_decision_not_taken_under_delegation_cannot_be_reported(client):
    imported(client, NAMND)
    report_own = ANMALAN.replace(
        "{body: Socialnämndens arbetsutskott Testkommun, date: 2021-03-02, item: 2}",
        "{date: 2021-01-12, item: 4}",
    )
    assert refused(client, report_own) == [
        ("items[0].decisions[0].delegation_reports[0].decision", "INVALID_INPUT")
    ]


def test_a_delegation_needs_exactly_one_holder(client):
    both = NAMND.replace("to_post: enhetschef", "to_post: enhetschef, to_person: sara")
    problems = refused(client, both)
    assert problems and all(
        p.startswith("items[0].decisions[0].delegations[1]") for p, _ in problems
    )


def test_a_served_registry_answers_who_may_decide_after_posted_files(settings, tmp_path):
    from tests.served import registry_process

    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        position = 0
        for text in (NAMND, UTSKOTT, ANMALAN):
            status, answer = server.post("/import", text.encode(), "application/yaml")
            assert status == 200, answer
            position = answer["position"]
        (body,) = served_graphql(server, BODY, position)["bodies"]["nodes"]
        found = served_graphql(
            server, WHO, position, body=body["id"], matter="upphandling", asOf="2021-03-02"
        )["delegates"]
        assert [d["delegate"]["name"] for d in found] == ["Socialnämndens arbetsutskott Testkommun"]
        nodes = served_graphql(server, DECISIONS, position)["decisions"]["nodes"]
        reported = {d["item"]: d["claim"]["reportedAfter"] for d in nodes if d["claim"]}
        assert reported["2"] is True and reported["3"] is False


def test_a_decision_naming_a_delegation_the_registry_does_not_hold_is_refused(client):
    imported(client, NAMND)
    unknown = UTSKOTT.replace(
        'key: upphandling}}\n  - number: "3"', 'key: inköp}}\n  - number: "3"'
    )
    assert refused(client, unknown) == [("items[0].decisions[0].claim.delegation", "NOT_FOUND")]


def test_a_mandate_naming_a_matter_twice_is_refused_at_the_second(client):
    twice = NAMND.replace(
        "        - {matter: bistånd, power: decide}\n",
        "        - {matter: bistånd, power: decide}\n        - {matter: Bistånd, power: discuss}\n",
    )
    assert refused(client, twice) == [("background.mandates[0].powers[2]", "INVALID_INPUT")]


def test_a_delegation_ending_before_it_starts_is_refused_at_its_end(client):
    backwards = NAMND.replace(
        "from: 2021-01-12, until: 2021-06-30", "from: 2021-01-12, until: 2020-06-30"
    )
    assert refused(client, backwards) == [
        ("items[0].decisions[0].delegations[2].until", "END_BEFORE_START")
    ]


def test_the_namnd_sees_which_delegated_decisions_remain_to_be_reported(client):
    for text in (NAMND, UTSKOTT, ANMALAN):
        imported(client, text)
    query = """query($body: ID!, $asOf: Date) {
      open: delegatedDecisions(bodyId: $body, reported: false, asOf: $asOf) { item }
      done: delegatedDecisions(bodyId: $body, reported: true, asOf: $asOf) { item }
      all: delegatedDecisions(bodyId: $body) { item }
    }"""
    before = ask(client, query, body=body_id(client), asOf="2021-03-15")
    assert ([d["item"] for d in before["open"]], before["done"]) == (["2", "3"], [])
    after = ask(client, query, body=body_id(client), asOf="2021-03-16")
    assert [d["item"] for d in after["open"]] == ["3"]
    assert [d["item"] for d in after["done"]] == ["2"]
    assert [d["item"] for d in after["all"]] == ["2", "3"]


def test_the_report_is_on_the_delegated_decisions_audit_trail_and_the_namnds_effects(client):
    for text in (NAMND, UTSKOTT, ANMALAN):
        imported(client, text)
    query = """{ decisions { nodes { item events { type effectiveDate } effects { type } } } }"""
    found = {d["item"]: d for d in ask(client, query)["decisions"]["nodes"]}
    assert {"type": "Reported", "effectiveDate": "2021-03-16"} in found["2"]["events"]
    assert {"type": "Reported"} in found["7"]["effects"]
