"""Mutations under concurrency and retries, against `registry serve` as a real process on
both stores: expected versions, idempotency keys (also 100 concurrent retries of one
request), 8 writers competing for one body, and imports racing to create one organisation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.mutation_support import (
    IMPORT,
    data,
    error_code,
    post,
    seed,
    stored_events,
    stored_position,
)
from tests.served import registry_process

APPOINT = """
mutation Appoint($body: ID!, $person: ID!, $start: Date!, $end: Date, $version: Int,
                 $key: String) {
  appoint(bodyId: $body, source: {document: "Testprotokoll", item: "§ 1"},
          appointment: {personId: $person, start: $start, end: $end},
          expectedVersion: $version, idempotencyKey: $key) {
    entityId version position replayed membershipId events { position type version }
  }
}"""

BODY_EVENTS = """
query($p: Int!) @atLeastPosition(position: $p) {
  changes(first: 500) { edges { node { entityId entityType type entityVersion data } } }
}"""


@pytest.fixture
def served(settings, tmp_path):
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        yield server


def body_version(base: str, body: str, position: int) -> int:
    edges = data(post(base, BODY_EVENTS, {"p": position}))["changes"]["edges"]
    return max(e["node"]["entityVersion"] for e in edges if e["node"]["entityId"] == body)


def test_a_stale_expected_version_is_refused_with_the_current_one(settings, served):
    seeded = seed(served.base)
    body, ingmar = seeded.bodies["styrgrupp"], seeded.persons["Ingmar Ångman"]
    current = body_version(served.base, body, seeded.position)
    before = stored_position(settings)
    stale = post(
        served.base,
        APPOINT,
        {"body": body, "person": ingmar, "start": "2021-01-01", "version": current - 1},
    )
    assert error_code(stale) == "CONFLICT"
    assert stale["errors"][0]["extensions"]["currentVersion"] == current
    assert stored_position(settings) == before
    fresh = post(
        served.base,
        APPOINT,
        {"body": body, "person": ingmar, "start": "2021-01-01", "version": current},
    )
    assert data(fresh)["appoint"]["version"] == current + 1


def test_a_retried_mutation_with_its_idempotency_key_is_answered_as_before(settings, served):
    seeded = seed(served.base)
    body, ingmar = seeded.bodies["styrgrupp"], seeded.persons["Ingmar Ångman"]
    given = {
        "body": body,
        "person": ingmar,
        "start": "2021-01-01",
        "end": "2021-06-30",
        "key": "retry-1",
    }
    first = data(post(served.base, APPOINT, given))["appoint"]
    after = stored_position(settings)
    again = data(post(served.base, APPOINT, given))["appoint"]
    assert again == {**first, "replayed": True} and not first["replayed"]
    assert stored_position(settings) == after
    # The same key with another request is an error, not the first answer.
    other = post(served.base, APPOINT, {**given, "start": "2021-02-01"})
    assert error_code(other) == "IDEMPOTENCY_KEY_REUSED"
    # The header does the same as the argument.
    header = {"Idempotency-Key": "retry-2"}
    variables = {"body": body, "person": ingmar, "start": "2022-01-01"}
    by_header = data(post(served.base, APPOINT, variables, header))["appoint"]
    assert data(post(served.base, APPOINT, variables, header))["appoint"] == {
        **by_header,
        "replayed": True,
    }
    assert stored_position(settings) == by_header["position"]


def test_one_mutation_sent_100_times_at_once_with_one_key_is_applied_once(settings, served):
    seeded = seed(served.base)
    before = len(stored_events(settings))
    given = {
        "body": seeded.bodies["styrgrupp"],
        "person": seeded.persons["Ingmar Ångman"],
        "start": "2021-01-01",
        "key": "one-appointment",
    }
    with (
        httpx.Client(limits=httpx.Limits(max_connections=100)) as client,
        ThreadPoolExecutor(100) as pool,
    ):
        answers = list(
            pool.map(lambda _: post(served.base, APPOINT, given, client=client), range(100))
        )
    writes = [data(a)["appoint"] for a in answers]
    assert sum(not w["replayed"] for w in writes) == 1
    assert all(w == {**writes[0], "replayed": w["replayed"]} for w in writes)
    # One event written, at the position every answer gives.
    events = stored_events(settings)
    assert len(events) == before + 1 and events[-1].id == writes[0]["position"]


def test_eight_writers_competing_for_one_body_lose_nothing_and_duplicate_nothing(settings, served):
    seeded = seed(served.base)
    body, ingmar = seeded.bodies["styrgrupp"], seeded.persons["Ingmar Ångman"]
    start_version = body_version(served.base, body, seeded.position)
    before = len(stored_events(settings))

    def writer(month: int) -> tuple[dict[str, Any], int]:
        """Appoint Ingmar for a month of 2021, expecting the version last seen; on a
        conflict, try again with the current version it reports."""
        version, conflicts = start_version, 0
        variables = {
            "body": body,
            "person": ingmar,
            "start": f"2021-{month:02d}-01",
            "end": f"2021-{month:02d}-15",
        }
        with httpx.Client() as client:
            for _ in range(100):
                answer = post(
                    served.base, APPOINT, {**variables, "version": version}, client=client
                )
                if "errors" not in answer:
                    return answer["data"]["appoint"], conflicts
                assert error_code(answer) == "CONFLICT", answer
                assert answer["data"] is None
                version = answer["errors"][0]["extensions"]["currentVersion"]
                conflicts += 1
        raise AssertionError(f"writer {month} never got through")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(writer, range(1, 9)))
    written = [w for w, _ in results]
    # Each writer's appointment is the body's next version, once: none lost, none twice.
    assert sorted(w["version"] for w in written) == list(
        range(start_version + 1, start_version + 9)
    )
    assert sum(c for _, c in results) > 0  # they did compete, and were told so
    last = max(w["position"] for w in written)
    edges = data(post(served.base, BODY_EVENTS, {"p": last}))["changes"]["edges"]
    appointed = [
        e["node"]["data"]["membership"]["start"]
        for e in edges
        if e["node"]["entityId"] == body and e["node"]["entityVersion"] > start_version
    ]
    assert sorted(appointed) == [f"2021-{m:02d}-01" for m in range(1, 9)]
    assert len(stored_events(settings)) == before + 8


NEW_ORGANISATION = """
version: 1
kind: minutes
source: {{document: Protokoll arbetsgrupp {n} 2021-04-01}}
date: 2021-04-01
body: {{ref: grupp, name: Arbetsgrupp {n}, kind: arbetsgrupp, owners: [lekeberg]}}
organisations:
  - {{ref: lekeberg, name: Lekebergs kommun, kind: kommun}}
persons:
  - {{ref: p, name: Person {n}, organisation: lekeberg}}
meeting:
  present: [p]
items:
  - number: 1
    title: Mötets öppnande
"""


def test_imports_racing_to_create_one_organisation_are_all_saved(settings, served):
    documents = [NEW_ORGANISATION.format(n=n) for n in range(6)]
    with httpx.Client() as client, ThreadPoolExecutor(6) as pool:
        answers = list(
            pool.map(lambda d: post(served.base, IMPORT, {"document": d}, client=client), documents)
        )
    assert [data(a)["importMinutes"]["status"] for a in answers] == ["imported"] * 6
    position = max(data(a)["importMinutes"]["position"] for a in answers)
    found = data(
        post(
            served.base,
            """query($p: Int!) @atLeastPosition(position: $p) {
        organisations(name: "Lekebergs kommun") { edges { node { id } } }
        bodies { edges { node { name owners { name } } } } }""",
            {"p": position},
        )
    )
    assert len(found["organisations"]["edges"]) == 1
    assert len(found["bodies"]["edges"]) == 6
    created = [
        e
        for a in answers
        for e in data(a)["importMinutes"]["events"]
        if e["entityType"] == "organisation"
    ]
    assert len(created) == 1  # registered by one import, referred to by the others


def test_files_racing_to_create_one_organisation_over_post_import_are_all_saved(settings, served):
    documents = [NEW_ORGANISATION.format(n=n).encode() for n in range(6)]
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda d: served.post("/import", d, "application/yaml"), documents))
    assert [(status, a["status"]) for status, a in answers] == [(200, "imported")] * 6
    position = max(a["position"] for _, a in answers)
    found = data(
        post(
            served.base,
            """query($p: Int!) @atLeastPosition(position: $p) {
        organisations(name: "Lekebergs kommun") { edges { node { id } } } }""",
            {"p": position},
        )
    )
    assert len(found["organisations"]["edges"]) == 1
