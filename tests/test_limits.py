"""GraphQL over HTTP, on both stores: abusive documents are refused before anything is executed,
with a clear message and a stable code and never a server error; request errors are answered
400 without `data` to clients that accept application/graphql-response+json; unexpected
exceptions are masked; introspection can be switched off."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import strawberry
from fastapi import FastAPI
from fastapi.testclient import TestClient
from graphql import (
    GraphQLSchema,
    Undefined,
    build_schema,
    get_introspection_query,
    get_named_type,
    is_non_null_type,
    is_object_type,
)
from httpx import Response

from api.app import create_app
from api.http import GraphQLHTTPRouter
from api.limits import MAX_ALIASES, MAX_BODY_BYTES, MAX_DEPTH, graphql_extensions
from api.schema import schema as served_schema
from registry.errors import NotFound

GRAPHQL_RESPONSE = {"accept": "application/graphql-response+json"}


@pytest.fixture
def client(settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as http:
        yield http


def ask(client: TestClient, query: str, **variables: object) -> Response:
    return client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=GRAPHQL_RESPONSE
    )


def refused(response: Response, code: str, status: int = 400) -> dict:
    """The error with `code` of a request refused before execution: `status`, the
    graphql-response media type, no `data`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    body = response.json()
    assert "data" not in body
    assert "Traceback" not in response.text
    errors = [error for error in body["errors"] if error["extensions"]["code"] == code]
    assert errors, body
    return errors[0]


def nested(fields: list[str], leaf: str = "__typename") -> str:
    return "{ " + " { ".join(fields) + " { " + leaf + " }" * (len(fields) + 1)


def cycle_path(schema: GraphQLSchema, levels: int) -> list[str] | None:
    """`levels` field names from Query down a cycle of the schema's own object types (fields
    without required arguments), or None if the schema has no such cycle."""
    assert schema.query_type is not None

    def edges(type_name: str) -> Iterator[tuple[str, str]]:
        for name, field in schema.type_map[type_name].fields.items():  # type: ignore[union-attr]
            target = get_named_type(field.type)
            required = any(
                is_non_null_type(arg.type) and arg.default_value is Undefined
                for arg in field.args.values()
            )
            if is_object_type(target) and not required:
                yield name, target.name

    path: list[tuple[str, str]] = [("", schema.query_type.name)]
    stack = [edges(schema.query_type.name)]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            path.pop()
            continue
        on_path = [type_name for _, type_name in path]
        if step[1] in on_path:
            start = on_path.index(step[1]) + 1
            prefix = [name for name, _ in path[1:start]]
            loop = [name for name, _ in path[start:]] + [step[0]]
            names = prefix + loop * levels
            return names[:levels]
        path.append(step)
        stack.append(edges(step[1]))
    return None


def test_a_selection_50_levels_deep_is_refused_before_execution(client):
    schema = build_schema(str(served_schema))
    fields = cycle_path(schema, 50) or ["bodies"] * 50  # invalid without a cycle, still too deep
    error = refused(ask(client, nested(fields)), "QUERY_TOO_DEEP")
    assert error["message"] == (
        f"The operation nests 50 levels deep; at most {MAX_DEPTH} are allowed."
    )


def test_introspection_50_levels_deep_is_refused(client):
    query = "{ __schema { types { " + "ofType { " * 50 + "name" + " }" * 50 + " } } }"
    error = refused(ask(client, query), "QUERY_TOO_DEEP")
    assert "52 levels deep counting introspection fields" in error["message"]


def test_introspection_lists_nested_three_deep_are_refused(client):
    query = '{ __type(name: "Query") { fields { type { fields { type { fields { name } } } } } } }'
    error = refused(ask(client, query), "QUERY_TOO_DEEP")
    assert error["message"] == "Maximum introspection depth exceeded"


def test_the_standard_introspection_query_is_answered(client):
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
        one_of=True,
    )
    response = ask(client, query)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_a_thousand_aliases_are_refused_before_execution(client):
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(1000)) + " }"
    error = refused(ask(client, query), "TOO_MANY_ALIASES")
    assert error["message"].startswith("1000 aliases found")
    assert f"at most {MAX_ALIASES}" in error["message"]


def test_a_thousand_aliases_through_fragment_spreads_are_refused(client):
    ten = " ".join(f"a{i}: __typename" for i in range(10))
    query = "{ " + "...Ten " * 100 + "} fragment Ten on Query { " + ten + " }"
    error = refused(ask(client, query), "TOO_MANY_ALIASES")
    assert error["message"].startswith("1000 aliases found")


def test_fragments_that_double_at_every_step_are_refused_at_once(client):
    # 60 fragments, each spreading the next twice: 2^60 aliases when expanded. Walking every
    # spread (as strawberry's limiters do) would take longer than the age of the universe.
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(60))
    query = "{ ...F0 } " + chain + " fragment F60 on Query { x: __typename }"
    started = time.monotonic()
    error = refused(ask(client, query), "TOO_MANY_ALIASES")
    assert time.monotonic() - started < 5
    assert error["message"].startswith(f"{2**60} aliases found")


def test_a_one_megabyte_document_is_refused_before_parsing(client):
    query = "{ " + "__typename " * (1024 * 1024 // 11) + "}"
    response = ask(client, query)
    error = refused(response, "REQUEST_TOO_LARGE", status=413)
    assert error["message"] == (
        f"The request body is larger than {MAX_BODY_BYTES} bytes, the most allowed."
    )


def test_a_document_of_more_than_8000_tokens_is_refused_while_parsing(client):
    query = "{ " + "__typename " * 10_000 + "}"
    error = refused(ask(client, query), "TOO_MANY_TOKENS")
    assert error["message"] == "Document contains more than 8000 tokens. Parsing aborted."


@pytest.mark.parametrize(
    ("query", "variables", "code", "words"),
    [
        ("{ bodies(", {}, "GRAPHQL_PARSE_FAILED", "Syntax Error"),
        ("{ noSuchField }", {}, "GRAPHQL_VALIDATION_FAILED", "noSuchField"),
        (
            "query($on: Date) { agreements(validOn: $on) { totalCount } }",
            {"on": "2020-13-01"},
            "BAD_USER_INPUT",
            "$on",
        ),
        (
            '{ agreements(validOn: "2020-13-01") { totalCount } }',
            {},
            "BAD_USER_INPUT",
            "2020-13-01",
        ),
    ],
    ids=["parse error", "unknown field", "bad variable", "bad argument"],
)
def test_a_request_error_is_400_without_data(client, query, variables, code, words):
    error = refused(ask(client, query, **variables), code)
    assert words in error["message"]


def test_legacy_json_clients_get_request_errors_with_200_and_no_data(client):
    response = client.post("/graphql", json={"query": "{ noSuchField }"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_a_request_that_is_not_json_is_a_json_error(client):
    response = client.post(
        "/graphql",
        content=b'{"query": "{',
        headers={**GRAPHQL_RESPONSE, "content-type": "application/json"},
    )
    assert refused(response, "BAD_REQUEST")["message"] == "Unable to parse request body as JSON"


def test_a_client_that_accepts_no_json_is_told_so(client):
    response = client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"accept": "text/csv"}
    )
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


def test_a_mutation_over_get_is_405(client):
    response = client.get(
        "/graphql", params={"query": "mutation { __typename }"}, headers=GRAPHQL_RESPONSE
    )
    refused(response, "METHOD_NOT_ALLOWED", status=405)
    assert response.headers["allow"] == "POST"


def test_introspection_can_be_switched_off(settings):
    with TestClient(create_app(settings, introspection=False)) as client:
        error = refused(
            ask(client, "{ __schema { queryType { name } } }"), "GRAPHQL_VALIDATION_FAILED"
        )
        assert "introspection has been disabled" in error["message"]
        assert ask(client, "{ __typename }").json() == {"data": {"__typename": "Query"}}


def test_introspection_is_switched_off_by_the_environment(settings, monkeypatch):
    monkeypatch.setenv("REGISTRY_GRAPHQL_INTROSPECTION", "false")
    with TestClient(create_app(settings)) as client:
        refused(ask(client, '{ __type(name: "Query") { name } }'), "GRAPHQL_VALIDATION_FAILED")


# A tiny schema of its own: a recursive type, a resolver that fails, one that refuses.
calls: list[str] = []


@strawberry.type
class Node:
    @strawberry.field
    def child(self) -> Node:
        calls.append("child")
        return Node()


@strawberry.type
class Query:
    @strawberry.field
    def root(self) -> Node:
        calls.append("root")
        return Node()

    @strawberry.field
    def fails(self) -> str | None:
        raise RuntimeError("password=hunter2 in /srv/registry/secret.py")

    @strawberry.field
    def refuses(self) -> str | None:
        raise NotFound("Styrgrupp has no member called Nils", field="person")


@pytest.fixture
def tiny() -> Iterator[TestClient]:
    app = FastAPI()
    schema = strawberry.Schema(query=Query, extensions=graphql_extensions())
    app.include_router(GraphQLHTTPRouter(schema), prefix="/graphql")
    calls.clear()
    with TestClient(app) as http:
        yield http


def test_a_deep_recursive_selection_is_refused_without_calling_a_resolver(tiny):
    error = refused(ask(tiny, nested(["root"] + ["child"] * 49)), "QUERY_TOO_DEEP")
    assert "50 levels deep" in error["message"]
    assert calls == []
    assert ask(tiny, nested(["root"] + ["child"] * 11)).status_code == 200  # 12 is allowed


def test_an_unexpected_exception_is_masked(tiny):
    response = ask(tiny, "{ fails }")
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"fails": None}
    assert body["errors"][0]["message"] == "Internal server error"
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "hunter2" not in response.text and "secret" not in response.text


def test_a_registry_refusal_keeps_its_message_and_code(tiny):
    error = ask(tiny, "{ refuses }").json()["errors"][0]
    assert error["message"] == "Styrgrupp has no member called Nils"
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "person"}
