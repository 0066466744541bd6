"""Deferred and referred-back items are not decisions in force, on both stores, from a minutes
file through GraphQL: their own statuses (also with remarks that read like conditions), and a
deferred item links to the meeting it goes to, which resolves once that meeting is recorded."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from registry.importing import ImportRefused, import_text
from tests.minutes_client import ask, client
from tests.minutes_client import imported_at as imported

__all__ = ["client"]  # the fixture, used by name

MINUTES = """\
version: 1
kind: minutes
source: {document: Protokoll Testnämnden 2021-04-01}
date: 2021-04-01
body: {ref: board, name: Testnämnden, kind: nämnd, owners: [kommun]}
organisations:
  - {ref: kommun, name: Testkommun, kind: kommun}
persons:
  - {ref: anna, name: Anna Andersson, organisation: kommun}
meeting:
  present: [anna]
items:
  - number: 6
    title: Egenvård vid korttidsvistelse
    decisions:
      - kind: deferred
        text: Frågan skjuts upp till nästa möte.
        deferred_to: {date: 2021-05-06, note: Nästa möte enligt mötesplanen.}
  - number: 7
    title: Närvaroteam
    decisions:
      - kind: deferred
        text: Processa på hemmaplan först, förankra med skolcheferna.
        conditions: [processa på hemmaplan först]
  - number: 8
    title: Riktlinjer
    decisions:
      - kind: referred_back
        text: Ärendet återremitteras för komplettering.
  - number: 9
    title: Budget
    decisions:
      - {kind: decided, text: Budgeten fastställs.}
"""

NEXT = """\
version: 1
kind: minutes
source: {document: Protokoll Testnämnden 2021-05-06}
date: 2021-05-06
body: Testnämnden
organisations:
  - {ref: kommun, name: Testkommun, kind: kommun}
persons:
  - {ref: anna, name: Anna Andersson, organisation: kommun}
meeting:
  present: [anna]
items:
  - number: 1
    title: Egenvård vid korttidsvistelse
    decisions:
      - {kind: decided, text: Riktlinjen antas.}
"""


QUERY = """query($on: Date, $statuses: [DecisionStatus!]) {
  decisions(asOf: $on, statuses: $statuses) { totalCount nodes {
    item kind status(asOf: $on)
    deferredTo { heldOn body { name } meeting { heldOn items { title } } }
  } }
}"""


def by_item(client: TestClient, **variables) -> dict[str, dict]:
    return {d["item"]: d for d in ask(client, QUERY, **variables)["decisions"]["nodes"]}


def test_deferred_and_referred_back_items_have_their_own_status(client):
    imported(client, MINUTES)

    found = by_item(client, on="2021-06-01")
    assert {k: v["status"] for k, v in found.items()} == {
        "6": "DEFERRED",
        "7": "DEFERRED",
        "8": "REFERRED_BACK",
        "9": "IN_FORCE",
    }
    assert by_item(client, on="2021-03-31")["6"]["status"] == "NOT_YET_DECIDED"
    in_force = ask(client, QUERY, on="2021-06-01", statuses=["IN_FORCE"])["decisions"]
    assert in_force["totalCount"] == 1
    conditional = ask(client, QUERY, on="2021-06-01", statuses=["CONDITIONAL"])["decisions"]
    assert conditional["totalCount"] == 0


def test_a_deferred_item_links_to_the_meeting_it_goes_to(client):
    imported(client, MINUTES)

    deferred = by_item(client, on="2021-06-01")["6"]["deferredTo"]
    assert deferred == {"heldOn": "2021-05-06", "body": {"name": "Testnämnden"}, "meeting": None}
    assert by_item(client, on="2021-06-01")["8"]["deferredTo"] is None

    imported(client, NEXT)
    deferred = by_item(client, on="2021-06-01")["6"]["deferredTo"]
    assert deferred["meeting"] == {
        "heldOn": "2021-05-06",
        "items": [{"title": "Egenvård vid korttidsvistelse"}],
    }


def test_only_a_deferred_item_goes_to_a_later_meeting(client):
    registry = client.app.state.registry
    position = registry.max_position()
    wrong = MINUTES.replace(
        "      - {kind: decided, text: Budgeten fastställs.}",
        "      - {kind: decided, text: Budgeten fastställs., deferred_to: {date: 2021-05-06}}",
    )
    with pytest.raises(ImportRefused) as refusal:
        import_text(registry, wrong, "test.yaml")
    assert registry.max_position() == position
    assert [(p.path, p.code) for p in refusal.value.problems] == [
        ("items[3].decisions[0].deferred_to", "INVALID_INPUT")
    ]


def test_a_deferred_item_referred_to_the_next_planned_meeting_links_to_it(client):
    """Without `deferred_to`, a deferred item sent to "nästa möte" by a meeting referral goes
    to the first meeting of the plan after its day: one link, not two to keep in step."""
    referred = MINUTES.replace(
        "        deferred_to: {date: 2021-05-06, note: Nästa möte enligt mötesplanen.}\n",
        "        meeting_referrals: [{meeting: next}]\n",
    ).replace(
        "meeting:\n  present: [anna]\n",
        "meeting:\n  present: [anna]\nbackground:\n  planned_meetings:\n"
        "    - {date: 2021-06-10}\n    - {date: 2021-05-06}\n",
    )
    assert "deferred_to" not in referred.split("items:")[1].split("number: 8")[0]
    imported(client, referred)

    deferred = by_item(client, on="2021-06-01")["6"]["deferredTo"]
    assert deferred == {"heldOn": "2021-05-06", "body": {"name": "Testnämnden"}, "meeting": None}
    assert by_item(client, on="2021-06-01")["7"]["deferredTo"] is None  # not referred

    imported(client, NEXT)
    deferred = by_item(client, on="2021-06-01")["6"]["deferredTo"]
    assert deferred["meeting"] == {
        "heldOn": "2021-05-06",
        "items": [{"title": "Egenvård vid korttidsvistelse"}],
    }
