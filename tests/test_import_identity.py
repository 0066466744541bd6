"""Identity on import: an organisation, body, agreement or fund declared under a name the
registry already holds under another key is linked when exactly one matches (same name and
owners), refused with the candidates otherwise, never silently made twice. Funds and bodies
are found by the name the registry holds them under. A correction after two persons were
merged works on the survivor. From minutes files through GraphQL, on both stores."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from api.graphql.core.ids import parse_id
from registry.importing import ImportRefused, import_text
from registry.values import Context, Source
from tests.minutes_client import ask, client

__all__ = ["client"]  # the fixture, used by name

FIRST = """\
version: 1
kind: minutes
source: {document: Protokoll Haninge socialnämnd 2021-03-01}
date: 2021-03-01
body:
  ref: sn
  name: Socialnämnden
  kind: nämnd
  key: "Haninge kommun: Socialnämnden"
  owners: [haninge]
organisations:
  - {ref: haninge, name: Haninge kommun, kind: kommun, key: "kommun 0136"}
persons:
  - {ref: anna, name: Anna Andersson, organisation: haninge}
meeting: {place: Haninge}
background:
  appointments:
    - {person: anna, role: chair, start_not_after: 2021-03-01}
  funds:
    - {name: Stimulansmedel 2021, key: "Haninge: stimulansmedel 2021", total: 100000}
  agreements:
    - title: Avtal om hemsjukvård
      key: "Haninge: hemsjukvårdsavtal"
      parties: [haninge]
      valid_from: 2020-01-01
items:
  - {number: 1, title: Mötets öppnande}
"""

SECOND = """\
version: 1
kind: minutes
source: {document: Protokoll Haninge socialnämnd 2021-04-01}
date: 2021-04-01
body: {ref: sn, name: Socialnämnden, kind: nämnd, owners: [haninge]}
organisations:
  - {ref: haninge, name: Haninge kommun, kind: kommun}
persons:
  - {ref: bo, name: Bo Berg, organisation: haninge}
meeting: {place: Haninge}
items:
  - number: 1
    title: Ny ledamot och medel
    decisions:
      - kind: decided
        text: Bo Berg utses till ledamot; 40 000 kr ur stimulansmedlen till äldreomsorgen.
        appointments:
          - {person: bo}
        allocations:
          - {fund: Stimulansmedel 2021, recipient: Äldreomsorgen, purpose: Utbildning, amount: 40000}
        adoptions:
          - {agreement: Avtal om hemsjukvård, party: haninge, adopted_on: 2021-04-01}
"""

OTHER_OWNER = """\
version: 1
kind: minutes
source: {document: Protokoll Nacka socialnämnd 2021-04-01}
date: 2021-04-01
body: {ref: sn, name: Socialnämnden, kind: nämnd, owners: [nacka]%(key)s}
organisations:
  - {ref: nacka, name: Nacka kommun, kind: kommun}
meeting: {place: Nacka}
items:
  - {number: 1, title: Mötets öppnande}
"""


def imported(client: TestClient, text: str, **options) -> None:
    registry = client.app.state.registry
    result = import_text(registry, text, "test.yaml", **options)
    assert result.status in ("imported", "corrected"), result
    client.app.state.runner.wait_for(registry.max_position())


def refused(client: TestClient, text: str) -> list[tuple[str, str, str]]:
    registry = client.app.state.registry
    position = registry.max_position()
    with pytest.raises(ImportRefused) as refusal:
        import_text(registry, text, "test.yaml")
    assert registry.max_position() == position  # nothing written
    return [(p.path, p.code, p.message) for p in refusal.value.problems]


def test_a_body_declared_by_its_name_is_the_one_held_under_another_key(client):
    imported(client, FIRST)
    imported(client, SECOND)
    data = ask(
        client,
        '{ bodies(name: "Socialnämnden") { totalCount nodes { '
        'members(asOf: "2021-04-01") { personName } } } '
        '  organisations(name: "Haninge") { totalCount } }',
    )
    assert data["bodies"]["totalCount"] == 1
    [body] = data["bodies"]["nodes"]
    assert sorted(m["personName"] for m in body["members"]) == ["Anna Andersson", "Bo Berg"]
    assert data["organisations"]["totalCount"] == 1


def test_a_fund_and_an_agreement_are_found_by_the_name_they_are_held_under(client):
    imported(client, FIRST)
    imported(client, SECOND)
    data = ask(
        client,
        "{ funds { totalCount nodes { name allocated remaining } } "
        '  agreements(validOn: "2021-04-01") { nodes { title adoptions { adoptedOn } } } }',
    )
    assert data["funds"] == {
        "totalCount": 1,
        "nodes": [
            {"name": "Stimulansmedel 2021", "allocated": "40000.00", "remaining": "60000.00"}
        ],
    }
    assert data["agreements"]["nodes"] == [
        {"title": "Avtal om hemsjukvård", "adoptions": [{"adoptedOn": "2021-04-01"}]}
    ]


def test_the_same_name_with_other_owners_and_no_key_is_refused_with_the_candidates(client):
    imported(client, FIRST)
    [(path, code, message)] = refused(client, OTHER_OWNER % {"key": ""})
    assert (path, code) == ("body.name", "AMBIGUOUS")
    assert "'Socialnämnden'" in message and "Haninge kommun" in message and "`key`" in message


def test_the_same_name_with_other_owners_and_its_own_key_is_another_body(client):
    imported(client, FIRST)
    imported(client, OTHER_OWNER % {"key": ', key: "Nacka kommun: Socialnämnden"'})
    data = ask(client, '{ bodies(name: "Socialnämnden") { totalCount } }')
    assert data["bodies"]["totalCount"] == 2


def test_two_held_under_the_same_name_and_owners_are_refused_listing_both(client):
    registry = client.app.state.registry
    imported(client, FIRST)
    # Second records under other keys, as registered through the commands (or by a version of
    # the importer before identity was checked): the registry cannot tell them apart by name.
    data = ask(client, '{ organisations(name: "Haninge") { nodes { id } } }')
    [haninge] = [parse_id(o["id"], "id") for o in data["organisations"]["nodes"]]
    ctx = Context(actor="registrator", source=Source("Äldre registrering"))
    registry.register_body(
        "Socialnämnden",
        "nämnd",
        ctx,
        key="Socialnämnden i Haninge",
        owner_organisation_ids=[haninge],
    )
    registry.establish_fund("Stimulansmedel 2021", 5000, ctx, key="stimulans-b")
    registry.register_agreement(
        "Avtal om hemsjukvård", [haninge], ctx, valid_from=date(2020, 1, 1), key="hemsjukvård-b"
    )
    problems = refused(client, SECOND)
    paths = {(path, code) for path, code, _ in problems}
    assert ("body.name", "AMBIGUOUS") in paths
    [message] = [m for p, _, m in problems if p == "body.name"]
    assert message.count("(id ") == 2
    # The fund and the agreement referred to by name are ambiguous too, each with its path.
    assert ("items[0].decisions[0].allocations[0].fund", "AMBIGUOUS") in paths
    assert ("items[0].decisions[0].adoptions[0].agreement", "AMBIGUOUS") in paths


def test_a_decision_that_registers_a_fund_held_under_another_key_is_refused(client):
    imported(client, FIRST)
    text = SECOND.replace(
        "        allocations:\n",
        "        funds:\n          - {name: Stimulansmedel 2021, total: 100000}\n"
        "        allocations:\n",
    )
    problems = refused(client, text)
    assert [(p, c) for p, c, _ in problems] == [
        ("items[0].decisions[0].funds[0].name", "AMBIGUOUS")
    ]


CORRECTED_MERGE = """\
version: 1
kind: minutes
source: {document: Protokoll Haninge socialnämnd 2021-05-01}
date: 2021-05-01
body: {ref: sn, name: Socialnämnden, kind: nämnd, owners: [haninge]}
organisations:
  - {ref: haninge, name: Haninge kommun, kind: kommun}
persons:
  - {ref: cilla, name: Cilla Carlsson, organisation: haninge}
meeting: {place: Haninge}
items:
  - number: 1
    title: Ny ledamot
    decisions:
      - kind: decided
        text: Cilla Carlsson utses till ledamot.
        appointments:
          - {person: cilla, end: %(end)s}
"""


def test_a_correction_after_a_merge_of_two_persons_works_on_the_survivor(client):
    registry = client.app.state.registry
    imported(client, FIRST)
    imported(client, CORRECTED_MERGE % {"end": "2022-12-31"})
    ctx = Context(actor="registrator", source=Source("Beslut om sammanslagning"))
    data = ask(client, '{ persons(name: "Carlsson") { nodes { id name } } }')
    [cilla] = data["persons"]["nodes"]
    data = ask(client, '{ persons(name: "Andersson") { nodes { id name } } }')
    [anna] = data["persons"]["nodes"]
    duplicate = parse_id(cilla["id"], "id")
    survivor = parse_id(anna["id"], "id")
    registry.merge_persons(duplicate, survivor, "Samma person (namnbyte)", ctx)
    imported(
        client,
        CORRECTED_MERGE % {"end": "2021-12-31"},
        correct=True,
        reason="Fel slutdatum i § 1",
    )
    data = ask(
        client,
        '{ bodies(name: "Socialnämnden") { nodes { members(asOf: "2021-06-01") { '
        "personName until correctionReason } } } }",
    )
    [body] = data["bodies"]["nodes"]
    assert {
        "personName": "Anna Andersson",
        "until": "2021-12-31",
        "correctionReason": "Fel slutdatum i § 1",
    } in body["members"]
