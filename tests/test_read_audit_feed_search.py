"""The audit trail, the change feed, full-text search and Relay connections over HTTP, on both
stores: an entity's and an answer row's events in order with their provenance; paging through
the whole feed sees every event once, corrections and withdrawals included, and a cursor kept
from before new events then sees only those; Swedish search (stemmed on PostgreSQL, word
prefixes on SQLite); keyset paging with clear errors for bad cursors and sizes."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from registry.config import StoreSettings
from registry.domain.meeting import meeting_id_for
from registry.values import Context, Source
from tests.read_scenario import (
    HEMSJUKVARD,
    MINUTES_1,
    MINUTES_2,
    World,
    open_world,
    settle,
)


@pytest.fixture
def world(settings: StoreSettings) -> Iterator[World]:
    yield from open_world(settings)


AUDIT = """query($id: ID!, $first: Int, $after: String) {
  auditTrail(id: $id, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes {
      position entityId entityType type entityVersion effectiveDate recordedAt actor
      source { document item } decision { id item } data
    }
  }
}"""


def _trail(world: World, group: str, key: str) -> list[dict]:
    found = world.data(AUDIT, id=world.s.id(group, key))["auditTrail"]
    assert found["totalCount"] == len(found["nodes"])
    assert found["pageInfo"]["hasNextPage"] is False
    return found["nodes"]


def _in_order(world: World, events: list[dict]) -> None:
    positions = [e["position"] for e in events]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    times = [datetime.fromisoformat(e["recordedAt"]) for e in events]
    assert times == sorted(times)
    assert world.s.known["start"] < times[0] and times[-1] < world.s.known["end"]


def test_the_audit_trail_of_an_entity(world: World) -> None:
    s = world.s
    trail = _trail(world, "funds", "stimulus")
    _in_order(world, trail)
    funds = {"id": s.id("decisions", "funds"), "item": "6"}
    realloc = {"id": s.id("decisions", "reallocation"), "item": "3"}
    minutes_1 = {"document": MINUTES_1, "item": "§ 6"}
    minutes_2 = {"document": MINUTES_2, "item": "§ 3"}
    assert [
        (
            e["type"],
            e["entityType"],
            e["entityVersion"],
            e["effectiveDate"],
            e["decision"],
            e["source"],
        )
        for e in trail
    ] == [
        ("Established", "fund", 1, "2021-01-01", funds, minutes_1),
        ("Allocated", "fund", 2, "2021-02-12", funds, minutes_1),
        ("Allocated", "fund", 3, "2021-02-12", funds, minutes_1),
        ("Allocated", "fund", 4, "2021-02-12", funds, minutes_1),
        ("AllocationWithdrawn", "fund", 5, "2021-05-20", realloc, minutes_2),
        ("AllocationChanged", "fund", 6, "2021-05-20", realloc, minutes_2),
    ]
    assert {e["entityId"] for e in trail} == {s.id("funds", "stimulus")}
    assert {e["actor"] for e in trail} == {"sekreterare Sofia Wikström"}
    meeting_1 = datetime.fromisoformat(trail[0]["recordedAt"])
    assert s.known["before_meeting_1"] < meeting_1 < s.known["after_meeting_1"]
    meeting_2 = datetime.fromisoformat(trail[-1]["recordedAt"])
    assert s.known["before_meeting_2"] < meeting_2 < s.known["before_corrections"]
    assert trail[4]["data"] == {
        "allocation_id": s.id("allocations", "region"),
        "reason": "Utbildningen finansieras av regionen själv.",
    }

    decision = _trail(world, "decisions", "info")
    assert [(e["type"], e["actor"], e["decision"]) for e in decision] == [
        ("Recorded", "sekreterare Sofia Wikström", None),
        ("Corrected", "sekreterare Sofia Wikström", None),
    ]
    assert decision[1]["data"]["kind"] == "noted"
    assert decision[1]["data"]["reason"].startswith("Felaktigt registrerat som bordlagt")


def test_the_audit_trail_of_answer_rows_membership_allocation_condition_and_seat(
    world: World,
) -> None:
    s = world.s
    group = s.id("bodies", "group")
    replaced = _trail(world, "memberships", "oberg")
    _in_order(world, replaced)
    assert [
        (e["type"], e["entityId"], e["effectiveDate"], e["actor"], e["decision"]["item"])
        for e in replaced
    ] == [
        ("MemberAppointed", group, "2020-01-15", "registrator Malin Ek", "12"),
        ("MemberReplaced", group, "2021-03-01", "sekreterare Sofia Wikström", "4"),
    ]
    assert replaced[1]["source"] == {"document": MINUTES_1, "item": "§ 4"}

    corrected = _trail(world, "memberships", "nystrom")
    assert [(e["type"], e["effectiveDate"], e["decision"]) for e in corrected] == [
        ("MemberAppointed", "2020-02-01", {"id": s.id("decisions", "formed"), "item": "12"}),
        ("MembershipCorrected", "2020-01-15", None),
    ]
    assert corrected[1]["source"] == {
        "document": "Delegationsbeslut Sala kommun 2020-01-10",
        "item": None,
    }
    assert s.known["before_corrections"] < datetime.fromisoformat(corrected[1]["recordedAt"])

    withdrawn = _trail(world, "allocations", "region")
    assert [(e["type"], e["effectiveDate"], e["decision"]["item"]) for e in withdrawn] == [
        ("Allocated", "2021-02-12", "6"),
        ("AllocationWithdrawn", "2021-05-20", "3"),
    ]
    changed = _trail(world, "allocations", "vasteras")
    assert [(e["type"], e["data"].get("amount")) for e in changed] == [
        ("Allocated", None),
        ("AllocationChanged", "1450000.50"),
    ]
    assert changed[0]["data"]["allocation"]["amount"] == "1200000.00"

    condition = _trail(world, "conditions", "extension")
    assert [(e["type"], e["entityId"], e["effectiveDate"]) for e in condition] == [
        ("Recorded", s.id("decisions", "extension"), "2021-02-12"),
        ("ConditionMet", s.id("decisions", "extension"), "2021-04-20"),
    ]
    assert condition[1]["source"] == {
        "document": "Protokoll Socialnämnden Sala kommun 2021-04-20",
        "item": "§ 45",
    }
    seat = _trail(world, "seats", "brukare")
    assert [(e["type"], e["decision"]["item"]) for e in seat] == [("SeatsDefined", "12")]


def test_the_audit_trail_pages(world: World) -> None:
    everything = _trail(world, "funds", "stimulus")
    seen: list[int] = []
    after = None
    while True:
        page = world.data(AUDIT, id=world.s.id("funds", "stimulus"), first=4, after=after)
        seen += [e["position"] for e in page["auditTrail"]["nodes"]]
        if not page["auditTrail"]["pageInfo"]["hasNextPage"]:
            break
        after = page["auditTrail"]["pageInfo"]["endCursor"]
    assert seen == [e["position"] for e in everything]
    unknown = world.data(AUDIT, id="00000000-0000-0000-0000-000000000000")["auditTrail"]
    assert unknown["totalCount"] == 0 and unknown["nodes"] == []


CHANGES = """query($first: Int, $after: String) { changes(first: $first, after: $after) {
  totalCount
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { position entityId entityType type effectiveDate actor decision { id } } }
} }"""


def _stored(world: World, after: int = 0) -> list[tuple[int, str, str]]:
    """(position, entity id, event type) of every event in the event store (for comparing)."""
    notifications = world.registry.recorder.select_notifications(start=after + 1, limit=100_000)
    return [(n.id, str(n.originator_id), n.topic.rsplit(".", 1)[-1]) for n in notifications]


def _page_through(
    world: World, first: int, after: str | None = None
) -> tuple[list[dict], str | None]:
    nodes: list[dict] = []
    pages = 0
    while True:
        page = world.data(CHANGES, first=first, after=after)["changes"]
        info = page["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        assert page["totalCount"] == world.registry.max_position()
        if page["edges"]:
            assert info["startCursor"] == page["edges"][0]["cursor"]
            assert info["endCursor"] == page["edges"][-1]["cursor"]
            assert len(page["edges"]) <= first
        nodes += [e["node"] for e in page["edges"]]
        after = info["endCursor"]
        pages += 1
        assert pages < 1000
        if not info["hasNextPage"]:
            return nodes, after


def test_the_change_feed_pages_through_every_event_once_in_order(world: World) -> None:
    nodes, end = _page_through(world, first=7)
    assert [(n["position"], n["entityId"], n["type"]) for n in nodes] == _stored(world)
    assert len(nodes) == world.registry.max_position() == 72
    types = [n["type"] for n in nodes]
    for kind in [
        "MemberReplaced",
        "MembershipCorrected",
        "Corrected",
        "AllocationChanged",
        "AllocationWithdrawn",
        "Withdrawn",
        "Revoked",
        "Superseded",
        "MergedInto",
        "Absorbed",
        "ConditionMet",
        "ExtensionProposed",
    ]:
        assert kind in types, kind
    # One big page gives the same feed.
    whole = world.data(CHANGES, first=500)["changes"]
    assert [e["node"] for e in whole["edges"]] == nodes
    assert whole["pageInfo"]["hasNextPage"] is False
    # Asked again at the end: nothing new, and the cursor stays.
    again = world.data(CHANGES, first=7, after=end)["changes"]
    assert again["edges"] == []
    assert again["pageInfo"]["endCursor"] == end
    assert again["pageInfo"]["hasNextPage"] is False


def test_a_cursor_taken_before_new_events_then_sees_only_the_new_ones(world: World) -> None:
    s = world.s
    _, end = _page_through(world, first=20)
    registry = world.registry
    ctx = Context("registrator Malin Ek", Source("Ledningsgruppens återrapportering", "§ 2"))
    registry.report_assignment(
        s.assignments["short_term"], date(2021, 9, 1), "Kartläggningen pågår.", ctx
    )
    registry.withdraw_assignment(
        s.assignments["vaccine"], date(2021, 9, 1), "Uppdraget tas över av regionen.", ctx
    )
    registry.add_name_variant(s.persons["Maria Söderström"], "Maria Söderströmm", ctx)
    settle(world.client)
    new, newer_end = _page_through(world, first=2, after=end)
    assert [(n["position"], n["entityId"], n["type"]) for n in new] == [
        (73, s.id("assignments", "short_term"), "Reported"),
        (74, s.id("assignments", "vaccine"), "Withdrawn"),
        (75, s.id("persons", "Maria Söderström"), "NameVariantAdded"),
    ]
    assert [(n["entityType"], n["effectiveDate"], n["actor"]) for n in new] == [
        ("assignment", "2021-09-01", "registrator Malin Ek"),
        ("assignment", "2021-09-01", "registrator Malin Ek"),
        ("person", None, "registrator Malin Ek"),
    ]
    assert _stored(world, after=72) == [(n["position"], n["entityId"], n["type"]) for n in new]
    assert newer_end != end
    assert world.data(CHANGES, after=newer_end)["changes"]["edges"] == []


SEARCH = """query($q: String!, $kinds: [SearchKind!], $first: Int, $after: String) {
  search(query: $q, kinds: $kinds, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes {
      kind entityId title snippet rank itemNumber
      decision { id item } meeting { id heldOn } agreement { id title }
    }
  }
}"""

HOME_CARE_HITS = [
    ("AGENDA_ITEM", "5. Förlängning av överenskommelsen om hemsjukvård"),
    ("AGENDA_ITEM", "7. Handlingsplan för hemsjukvården"),
    ("AGREEMENT", HEMSJUKVARD),
    ("DECISION", "§ 5 (2021-02-12)"),
    ("DECISION", "§ 7 (2021-02-12)"),
]


def _search(world: World, q: str, **variables: Any) -> list[dict]:
    found = world.data(SEARCH, q=q, **variables)["search"]
    assert found["totalCount"] == len(found["nodes"])
    ranks = [h["rank"] for h in found["nodes"]]
    assert ranks == sorted(ranks, reverse=True)
    return found["nodes"]


def _hits(world: World, q: str, **variables: Any) -> list[tuple[str, str]]:
    return sorted((h["kind"], h["title"]) for h in _search(world, q, **variables))


def test_search_in_swedish_stemmed_on_postgres_and_by_prefix_on_sqlite(world: World) -> None:
    assert _hits(world, "hemsjukvård") == HOME_CARE_HITS
    if world.registry.settings.is_postgres:
        # The Swedish stemmer: "hemsjukvården" (definite form) finds "hemsjukvård".
        assert _hits(world, "hemsjukvården") == HOME_CARE_HITS
        assert _hits(world, "Hemsjukvårdens") == HOME_CARE_HITS
    else:
        # No Swedish stemmer in SQLite: each word matches as a prefix.
        assert _hits(world, "hemsjukv") == HOME_CARE_HITS
        assert _hits(world, "hemsjukvården") == [
            ("AGENDA_ITEM", "7. Handlingsplan för hemsjukvården"),
            ("DECISION", "§ 7 (2021-02-12)"),
        ]
    # Revisions of agreements and statements on decisions are searched too.
    assert _hits(world, "läkemedelshantering") == [("AGREEMENT", HEMSJUKVARD)]
    assert _hits(world, "ettårig") == [("DECISION", "§ 5 (2021-02-12)")]
    assert _hits(world, "vårdsamordnare") == [
        ("AGENDA_ITEM", "4. Upphävande av beslut om gemensam vårdsamordnare"),
        ("AGENDA_ITEM", "8. Gemensam vårdsamordnare"),
        ("DECISION", "§ 4 (2021-05-20)"),
        ("DECISION", "§ 8 (2021-02-12)"),
    ]
    assert _hits(world, "Vårdsamordnare") == _hits(world, "vårdsamordnare")
    assert _hits(world, "tandvård") == []


def test_search_hits_resolve_and_filter_by_kind(world: World) -> None:
    s = world.s
    agreements = _search(world, "hemsjukvård", kinds=["AGREEMENT"])
    assert len(agreements) == 1
    hit = agreements[0]
    assert hit["entityId"] == s.id("agreements", "home_care")
    assert hit["agreement"] == {"id": s.id("agreements", "home_care"), "title": HEMSJUKVARD}
    assert (hit["decision"], hit["meeting"], hit["itemNumber"]) == (None, None, None)
    assert "[hemsjukvård]" in hit["snippet"]
    items = sorted(
        _search(world, "hemsjukvård", kinds=["AGENDA_ITEM"]), key=lambda h: h["itemNumber"]
    )
    assert [(h["itemNumber"], h["meeting"], h["entityId"]) for h in items] == [
        (n, {"id": s.id("meetings", "first"), "heldOn": "2021-02-12"}, s.id("meetings", "first"))
        for n in ["5", "7"]
    ]
    decisions = _search(world, "hemsjukvård", kinds=["DECISION"])
    assert sorted((h["decision"]["id"], h["decision"]["item"]) for h in decisions) == sorted(
        [(s.id("decisions", "extension"), "5"), (s.id("decisions", "tasks"), "7")]
    )
    both = _hits(world, "hemsjukvård", kinds=["DECISION", "AGREEMENT"])
    assert both == [h for h in HOME_CARE_HITS if h[0] != "AGENDA_ITEM"]


def test_search_pages_and_refuses_an_empty_query(world: World) -> None:
    everything = _search(world, "hemsjukvård")
    seen: list[str] = []
    after = None
    while True:
        page = world.data(SEARCH, q="hemsjukvård", first=2, after=after)["search"]
        assert page["totalCount"] == 5
        seen += [(h["kind"], h["entityId"], h["itemNumber"]) for h in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [(h["kind"], h["entityId"], h["itemNumber"]) for h in everything]
    for empty in ["", "   "]:
        error = world.error(SEARCH, q=empty)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "query" in error["message"]
    too_long = world.error(SEARCH, q="vård " * 120)
    assert too_long["extensions"]["code"] == "BAD_USER_INPUT"
    # Search syntax and punctuation are words, never a server error.
    for odd in ['"hemsjukvård', "hemsjukvård OR -avtal", "NEAR(", "*", "!!!", "a'b"]:
        result = world.post(SEARCH, q=odd)
        assert not result.get("errors"), (odd, result)


# -- Relay connections ------------------------------------------------------------------------

DECISIONS = """query($first: Int, $after: String) { decisions(first: $first, after: $after) {
  totalCount
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { id decidedOn item } }
} }"""


def test_paging_over_decisions_gives_every_row_once(world: World) -> None:
    everything = world.data(DECISIONS)["decisions"]
    assert everything["totalCount"] == 11
    assert everything["pageInfo"]["hasNextPage"] is False
    all_ids = [e["node"]["id"] for e in everything["edges"]]
    assert len(set(all_ids)) == 11
    for size in [1, 3, 4, 11]:
        seen: list[str] = []
        after = None
        pages = 0
        while True:
            page = world.data(DECISIONS, first=size, after=after)["decisions"]
            info = page["pageInfo"]
            assert page["totalCount"] == 11
            assert info["hasPreviousPage"] is (after is not None)
            assert info["startCursor"] == page["edges"][0]["cursor"]
            assert info["endCursor"] == page["edges"][-1]["cursor"]
            seen += [e["node"]["id"] for e in page["edges"]]
            pages += 1
            if not info["hasNextPage"]:
                break
            after = info["endCursor"]
        assert seen == all_ids, size
        assert pages == -(-11 // size)
    empty = world.data(DECISIONS, first=0)["decisions"]
    assert empty["edges"] == [] and empty["totalCount"] == 11
    assert empty["pageInfo"]["hasNextPage"] is True


def test_a_cursor_stays_put_while_rows_arrive(world: World) -> None:
    first = world.data(DECISIONS, first=4)["decisions"]
    cursor = first["pageInfo"]["endCursor"]
    rest_before = world.data(DECISIONS, first=50, after=cursor)["decisions"]
    # A decision older than the cursor's row arrives: the next page does not shift.
    world.registry.record_decision(
        world.s.bodies["organ"],
        date(2019, 3, 1),
        "2",
        "noted",
        "Informationen om samverkansorganets arbetsordning noteras.",
        Context("registrator Malin Ek", Source("Protokoll 2019-03-01", "§ 2")),
    )
    settle(world.client)
    rest_after = world.data(DECISIONS, first=50, after=cursor)["decisions"]
    assert rest_after["edges"] == rest_before["edges"]
    assert rest_after["totalCount"] == 12


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    ("first", "after"),
    [
        (None, "nonsense"),
        (None, "!!!"),
        (None, _cursor({"not": "a list"})),
        (None, _cursor([1, 2])),  # a list, but not of this connection's sort keys
        (None, base64.urlsafe_b64encode(b"\xff\xfe").decode()),
        (-1, None),
        (501, None),
    ],
)
def test_bad_cursors_and_sizes_are_client_errors(
    world: World, first: int | None, after: str | None
) -> None:
    for query in [DECISIONS, CHANGES]:
        error = world.error(query, first=first, after=after)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert ("after" if after else "first") in error["message"]


def test_every_list_pages_the_same_rows_as_one_big_page(world: World) -> None:
    s = world.s
    lists = {
        "bodies": ("bodies(first: $first, after: $after)", "name", {}),
        "persons": ("persons(first: $first, after: $after)", "name", {}),
        "members": (
            'members(bodyId: $id, asOf: "2021-03-01", first: $first, after: $after)',
            "personName",
            {"id": s.id("bodies", "group")},
        ),
        "meetings": ("meetings(first: $first, after: $after)", "heldOn", {}),
        "agreements": (
            'agreements(validOn: "2021-03-01", first: $first, after: $after)',
            "title",
            {},
        ),
        "funds": ("funds(first: $first, after: $after)", "name", {}),
        "assignments": ("assignments(first: $first, after: $after)", "task", {}),
        "auditTrail": (
            "auditTrail(id: $id, first: $first, after: $after)",
            "position",
            {"id": s.id("bodies", "group")},
        ),
    }
    for name, (field, leaf, extra) in lists.items():
        query = (
            "query($first: Int, $after: String, $id: ID!) { page: "
            + field
            + " { totalCount pageInfo { hasNextPage endCursor } nodes { "
            + leaf
            + " } } }"
        )
        if "$id" not in field:
            query = query.replace(", $id: ID!", "")
        whole = world.data(query, first=500, **extra)["page"]
        assert whole["totalCount"] >= 1, name
        seen: list[Any] = []
        after = None
        while True:
            page = world.data(query, first=1, after=after, **extra)["page"]
            assert page["totalCount"] == whole["totalCount"], name
            seen += page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == whole["nodes"], name


def test_two_meetings_on_one_day_page_in_sequence_order(world: World) -> None:
    # Pick a day on which the second meeting's id sorts before the first's, so an order by
    # id (instead of by sequence) would show; both must still be paged, once each.
    group = world.s.bodies["group"]
    day = date(2021, 9, 1)
    while str(meeting_id_for(group, day, 2)) > str(meeting_id_for(group, day, 1)):
        day += timedelta(days=1)
    ctx = Context("sekreterare Sofia Wikström", Source("Protokoll ledningsgruppen", "§ 1"))
    for sequence in (1, 2):
        world.registry.hold_meeting(
            group, day, ctx, sequence=sequence, place=f"Möte {sequence} för dagen"
        )
    settle(world.client)
    query = """query($body: ID, $after: String) { meetings(bodyId: $body, first: 1, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { heldOn place } } }"""
    seen: list[dict] = []
    after = None
    while True:
        page = world.data(query, body=str(group), after=after)["meetings"]
        assert page["totalCount"] == 2
        seen += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [
        {"heldOn": day.isoformat(), "place": "Möte 1 för dagen"},
        {"heldOn": day.isoformat(), "place": "Möte 2 för dagen"},
    ]
