"""Every field of the schema, asked over the example documents on both stores, answers
without an error: a query is generated from the schema (every field without required
arguments, three levels deep, through every list query and every single-item query with an
id taken from the lists), so a field added later is covered too."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from graphql import (
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
)

from api.app import create_app
from api.schema import schema
from registry.application import Registry
from tests.test_readme_demo import import_examples

DEPTH = 3


def required_args(field) -> list[str]:
    return [
        name
        for name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
    ]


def selection(graphql_type, depth: int) -> str:
    return " ".join(selection_parts(graphql_type, depth))


def selection_parts(graphql_type, depth: int) -> list[str]:
    """The selection of each field of the type, one part per field."""
    named = get_named_type(graphql_type)
    if not isinstance(named, GraphQLObjectType):
        return []
    parts = []
    for name, field in named.fields.items():
        if required_args(field):
            continue
        inner = get_named_type(field.type)
        if isinstance(inner, GraphQLObjectType):
            if depth == 0:
                continue
            parts.append(f"{name} {{ {selection(field.type, depth - 1) or '__typename'} }}")
        else:
            parts.append(name)
    return parts


def in_groups(parts: list[str], budget: int = 6000) -> list[str]:
    """The parts joined into selections of at most `budget` tokens each, so that a type with
    many fields is asked in several queries within the server's token limit (api/limits.py)."""
    groups: list[str] = []
    current: list[str] = []
    size = 0
    for part in parts:
        tokens = len(part.replace("{", " { ").replace("}", " } ").split())
        if current and size + tokens > budget:
            groups.append(" ".join(current))
            current, size = [], 0
        current.append(part)
        size += tokens
    return [*groups, " ".join(current)] if current else groups


@pytest.fixture
def demo(settings):
    registry = Registry(settings)
    import_examples(registry)
    registry.close()
    with TestClient(create_app(settings, answer_cache=False)) as client:
        client.app.state.runner.wait_for(client.app.state.registry.max_position())
        yield client


def ask(client: TestClient, query: str) -> dict:
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, (query[:300], body["errors"][:3])
    return body["data"]


def test_every_field_answers_over_the_examples(demo):
    graphql_schema: GraphQLSchema = schema._schema
    query_type = graphql_schema.query_type
    ids: dict[str, str] = {}
    for name, field in query_type.fields.items():
        if required_args(field):
            continue
        fields = selection(field.type, DEPTH)
        data = ask(demo, f"{{ {name} {{ {fields} }} }}" if fields else f"{{ {name} }}")
        nodes = (data[name] or {}).get("nodes") if isinstance(data[name], dict) else None
        if nodes:
            typename = get_named_type(field.type).name.removesuffix("Connection")
            ids[typename] = nodes[0].get("id")
    data = ask(
        demo,
        f'{{ search(query: "överenskommelse") {{ {selection(query_type.fields["search"].type, DEPTH)} }} }}',
    )
    assert data["search"]["totalCount"] > 0
    asked = 0
    for name, field in query_type.fields.items():
        typename = get_named_type(field.type).name
        if required_args(field) == ["id"] and ids.get(typename):
            for part in in_groups(selection_parts(field.type, DEPTH)):
                ask(demo, f'{{ {name}(id: "{ids[typename]}") {{ {part} }} }}')
            asked += 1
    assert asked >= 7, ids  # body, person, meeting, decision, agreement, fund, organisation
