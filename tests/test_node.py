"""`node(id)` over HTTP, on both stores: any entity by its global id, as the object of its own
type with the same answer its own query gives; a merged person resolves to the survivor; an id
of something that is no entity, or of nothing at all, answers null; a malformed id is a client
error naming the field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from registry.config import StoreSettings
from tests.read_scenario import FUND, HEMSJUKVARD, LEDNINGSGRUPP, World, open_world


@pytest.fixture
def world(settings: StoreSettings) -> Iterator[World]:
    yield from open_world(settings)


NODE = """
query($id: ID!, $knownAt: DateTime) { node(id: $id, knownAt: $knownAt) {
  __typename id source { document } events { type }
  ... on Body { name }
  ... on Organisation { orgName: name }
  ... on Person { personName: name }
  ... on Meeting { heldOn }
  ... on Decision { item }
  ... on Agreement { title }
  ... on Fund { fundName: name }
  ... on Assignment { task }
} }"""


def node(world: World, group: str, name: str, **variables: str) -> dict:
    return world.data(NODE, id=world.s.id(group, name), **variables)["node"]


def test_every_kind_of_entity_is_a_node_of_its_own_type(world: World) -> None:
    found = {
        "Body": node(world, "bodies", "group"),
        "Organisation": node(world, "orgs", "sala"),
        "Person": node(world, "persons", "Karin Lindqvist"),
        "Meeting": node(world, "meetings", "first"),
        "Decision": node(world, "decisions", "extension"),
        "Agreement": node(world, "agreements", "home_care"),
        "Fund": node(world, "funds", "stimulus"),
        "Assignment": node(world, "assignments", "plan"),
    }
    assert {kind: n["__typename"] for kind, n in found.items()} == {k: k for k in found}
    assert found["Body"]["name"] == LEDNINGSGRUPP
    assert found["Organisation"]["orgName"] == "Sala kommun"
    assert found["Person"]["personName"] == "Karin Lindqvist"
    assert found["Meeting"]["heldOn"] == "2021-02-12"
    assert found["Agreement"]["title"] == HEMSJUKVARD
    assert found["Fund"]["fundName"] == FUND
    for kind, n in found.items():
        assert n["events"], kind
        assert "document" in n["source"], kind


def test_a_node_answers_as_its_own_query_does(world: World) -> None:
    decision_id = world.s.id("decisions", "extension")
    fields = "id item source { document } events { type }"
    own = world.data(f'{{ decision(id: "{decision_id}") {{ {fields} }} }}')["decision"]
    as_node = world.data(f'{{ node(id: "{decision_id}") {{ ... on Decision {{ {fields} }} }} }}')
    assert as_node["node"] == own


def test_a_merged_person_resolves_to_the_survivor(world: World) -> None:
    merged = node(world, "persons", "Karin Lindkvist")
    assert merged["__typename"] == "Person"
    assert merged["id"] == world.s.id("persons", "Karin Lindqvist")


def test_a_node_as_known_before_it_was_recorded_is_null(world: World) -> None:
    assert node(world, "decisions", "extension", knownAt=world.at("start")) is None


def test_an_id_of_no_entity_answers_null(world: World) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    assert world.data(NODE, id=unknown)["node"] is None
    # An allocation has an id, but is part of its fund: not a node of its own.
    assert node(world, "allocations", "sala") is None


def test_a_malformed_id_is_a_client_error_naming_the_field(world: World) -> None:
    error = world.error(NODE, id="not-an-id")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "id"
    assert "not a valid id" in error["message"]
