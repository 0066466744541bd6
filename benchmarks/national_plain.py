"""The anchors of the national benchmark's GraphQL figures.

- `app`: a plain FastAPI route answering POST /graphql with fixed bytes (the file named by
  NATIONAL_PLAIN_FILE), served by uvicorn in its own process: what "a cached answer is bytes
  in memory" costs through the same web stack.
- `plain_schema(nested, flat)`: plain strawberry over the same data held in memory (taken from
  the registry's own answers), with strawberry's parser and validation caches, sync
  resolvers reading attributes: what the same query costs in strawberry without a store.
"""

from __future__ import annotations

import os
from typing import Any

import strawberry
from fastapi import FastAPI, Response
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.fastapi import GraphQLRouter

_PLAIN_FILE = os.environ.get("NATIONAL_PLAIN_FILE")
_BYTES = open(_PLAIN_FILE, "rb").read() if _PLAIN_FILE else b"{}"  # noqa: SIM115

app = FastAPI()


@app.post("/graphql")
def answer() -> Response:
    return Response(content=_BYTES, media_type="application/json")


@app.get("/livez")
def livez() -> dict[str, str]:
    return {"status": "ok"}


@strawberry.type
class PlainPerson:
    name: str


@strawberry.type
class PlainMember:
    person_name: str
    role: str
    person: PlainPerson


@strawberry.type
class PlainBody:
    name: str
    kind: str
    _members: strawberry.Private[list[PlainMember]]

    @strawberry.field
    def members(self, as_of: str | None = None) -> list[PlainMember]:
        return self._members


@strawberry.type
class PlainDecision:
    item: str
    text: str
    kind: str
    status: str
    decided_on: str


@strawberry.type
class PlainItem:
    number: str
    title: str
    decisions: list[PlainDecision]


@strawberry.type
class PlainMeeting:
    held_on: str
    items: list[PlainItem]


@strawberry.type
class PlainBodies:
    nodes: list[PlainBody]


@strawberry.type
class PlainMeetings:
    nodes: list[PlainMeeting]


@strawberry.type
class PlainDecisions:
    nodes: list[PlainDecision]


def _decision(d: dict[str, Any]) -> PlainDecision:
    return PlainDecision(
        item=d.get("item", ""),
        text=d.get("text", ""),
        kind=d.get("kind", ""),
        status=d.get("status", ""),
        decided_on=d.get("decidedOn", ""),
    )


def plain_schema(nested: dict[str, Any], flat: dict[str, Any]) -> strawberry.Schema:
    """A schema answering NESTED and FLAT (national_figures.py) with the data of the
    registry's answers to them (`data` of each)."""
    bodies = [
        PlainBody(
            name=b["name"],
            kind=b["kind"],
            _members=[
                PlainMember(
                    person_name=m["personName"],
                    role=m["role"],
                    person=PlainPerson(name=m["person"]["name"]),
                )
                for m in b["members"]
            ],
        )
        for b in nested["bodies"]["nodes"]
    ]
    meetings = [
        PlainMeeting(
            held_on=m["heldOn"],
            items=[
                PlainItem(
                    number=i["number"],
                    title=i["title"],
                    decisions=[_decision(d) for d in i["decisions"]],
                )
                for i in m["items"]
            ],
        )
        for m in nested["meetings"]["nodes"]
    ]
    decisions = [_decision(d) for d in flat["decisions"]["nodes"]]

    @strawberry.type
    class Query:
        @strawberry.field
        def bodies(self, first: int | None = None) -> PlainBodies:
            return PlainBodies(nodes=bodies)

        @strawberry.field
        def meetings(self, first: int | None = None) -> PlainMeetings:
            return PlainMeetings(nodes=meetings)

        @strawberry.field
        def decisions(self, first: int | None = None) -> PlainDecisions:
            return PlainDecisions(nodes=decisions)

    return strawberry.Schema(query=Query, extensions=[ParserCache(), ValidationCache()])


def plain_app(schema: strawberry.Schema) -> FastAPI:
    served = FastAPI()
    served.include_router(GraphQLRouter(schema), prefix="/graphql")
    return served
