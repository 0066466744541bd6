"""Helpers for the mutation tests: a served registry seeded with the example minutes, the ids
a test needs, GraphQL over HTTP with headers, and the store's own position (what was
written, read from the store, not from the server's answers)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from registry.application import Registry
from registry.config import StoreSettings

TESTS = Path(__file__).parent
MINUTES = TESTS / "import_cases" / "minutes.yaml"
LATER = TESTS / "mutation_cases" / "later-meeting.yaml"

IMPORT = """
mutation Import($document: String!, $key: String) {
  importMinutes(document: $document, idempotencyKey: $key) {
    entityId status position replayed events { position entityType type version }
  }
}"""

IDS = """
query Ids($position: Int!) @atLeastPosition(position: $position) {
  bodies { edges { node { id name } } }
  persons { edges { node { id name } } }
  organisations { edges { node { id name } } }
  funds { edges { node { id name } } }
  changes(first: 500) { edges { node { entityType type agreement { id title } } } }
  assignments { edges { node { id task } } }
  decisions { edges { node { id item text conditions { id }
                             pendingEffects { kind subjectId label } } } }
}"""


def post(
    base: str,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    client: httpx.Client | None = None,
) -> dict[str, Any]:
    """POST a GraphQL request; the whole answer (data and errors)."""
    payload = {"query": query, "variables": variables or {}}
    send = client.post if client is not None else httpx.post
    response = send(f"{base}/graphql", json=payload, headers=headers or {}, timeout=120)
    assert response.status_code in (200, 503), response.text
    return response.json()


def data(answer: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in answer, answer
    return answer["data"]


def read_at(
    base: str, query: str, variables: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """A query with @atLeastPosition, asked again while the answer is POSITION_NOT_REACHED
    (as a client does; a projector in another process may be starting)."""
    for _ in range(30):
        answer = post(base, query, variables, headers)
        if "errors" not in answer or error_code(answer) != "POSITION_NOT_REACHED":
            break
    return data(answer)


def error_code(answer: dict[str, Any]) -> str:
    assert answer.get("errors"), answer
    return answer["errors"][0]["extensions"]["code"]


def stored_position(settings: StoreSettings) -> int:
    """The last position in the event store, read from the store itself."""
    registry = Registry(settings)
    try:
        return registry.max_position()
    finally:
        registry.close()


def stored_events(settings: StoreSettings) -> list[Any]:
    """Every event in the store (notifications: id, originator id and version, topic), read
    from the store itself. (On PostgreSQL a position can be skipped by a write that rolled
    back, so counting positions is not counting events.)"""
    registry = Registry(settings)
    try:
        return list(registry.recorder.select_notifications(start=1, limit=1_000_000))
    finally:
        registry.close()


@dataclass
class Seeded:
    """Ids in the registry after the example minutes and the later meeting."""

    position: int
    bodies: dict[str, str]
    persons: dict[str, str]
    organisations: dict[str, str]
    funds: dict[str, str]
    agreements: dict[str, str]
    assignments: dict[str, str]
    decisions: dict[str, dict[str, Any]]


def seed(base: str, headers: dict[str, str] | None = None) -> Seeded:
    """Import the example minutes and the later meeting (by mutation); their ids."""
    position = 0
    for path in (MINUTES, LATER):
        answer = data(post(base, IMPORT, {"document": path.read_text()}, headers))
        position = answer["importMinutes"]["position"]
    found = read_at(base, IDS, {"position": position}, headers)

    def by(field: str, name: str = "name") -> dict[str, Any]:
        return {e["node"][name]: e["node"]["id"] for e in found[field]["edges"]}

    def held(kind: str) -> dict[str, Any]:
        """Funds and assignments a conditional decision authorised: not listed until its
        condition is met (one of the mutations meets it), found through its pending effects."""
        return {
            effect["label"]: effect["subjectId"]
            for e in found["decisions"]["edges"]
            for effect in e["node"]["pendingEffects"]
            if effect["kind"].startswith(f"{kind}.") and effect["label"]
        }

    return Seeded(
        position=position,
        bodies={n.split()[0].lower(): i for n, i in by("bodies").items()},
        persons=by("persons"),
        organisations=by("organisations"),
        funds={**held("Fund"), **by("funds")},
        agreements={
            e["node"]["agreement"]["title"]: e["node"]["agreement"]["id"]
            for e in found["changes"]["edges"]
            if e["node"]["entityType"] == "agreement" and e["node"]["agreement"]
        },
        assignments={**held("Assignment"), **by("assignments", "task")},
        decisions={
            e["node"]["item"] + ":" + e["node"]["text"][:20]: e["node"]
            for e in found["decisions"]["edges"]
        },
    )


def decision(seeded: Seeded, item: str) -> dict[str, Any]:
    return next(d for k, d in seeded.decisions.items() if k.startswith(f"{item}:"))


SOURCE = {"document": "Testprotokoll 2020-04-03", "item": "§ 4"}
