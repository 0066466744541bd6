"""Agreements, funds and assignments over HTTP, on both stores: agreements valid on a date,
expiring soon, parties that have not adopted, the computed entry into force, pending
extensions and revisions; a fund's total, allocated and remaining as exact decimal strings
with the decision behind each allocation, as known before a change; assignments by status on
a date, due date, overdue, holder and body."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from registry.config import StoreSettings
from tests.read_scenario import (
    FUND,
    HEMSJUKVARD,
    HJALPMEDEL,
    LEDNINGSGRUPP,
    MINUTES_1,
    SAMVERKANSORGAN,
    UTSKRIVNING,
    World,
    open_world,
)


@pytest.fixture
def world(settings: StoreSettings) -> Iterator[World]:
    yield from open_world(settings)


AGREEMENT_FIELDS = """
  id title validFrom validUntil entryIntoForceNotBefore entryIntoForceRequiresAllAdoptions
  inForceFrom effectiveUntil daysLeft(onDate: "2021-06-01") terminatedOn
  parties { name } adoptions { adoptedOn party { name } } partiesNotAdopted { name }
  extensions { key newUntil status adoptedBy { name } decision { id item } }
  pendingExtensions { key newUntil status }
  revisions recordedBy
  events { type effectiveDate }
"""

AGREEMENTS = (
    """query($on: Date, $days: Int, $knownAt: DateTime) {
  agreements(validOn: $on, expiringWithinDays: $days, knownAt: $knownAt) {
    totalCount nodes {"""
    + AGREEMENT_FIELDS
    + "} } }"
)

AGREEMENT = (
    "query($id: ID!, $knownAt: DateTime) { agreement(id: $id, knownAt: $knownAt) {"
    + AGREEMENT_FIELDS
    + "} }"
)


def _titles(world: World, **variables: Any) -> list[str]:
    found = world.data(AGREEMENTS, **variables)["agreements"]
    assert found["totalCount"] == len(found["nodes"])
    return [a["title"] for a in found["nodes"]]


def test_agreements_valid_on_a_date(world: World) -> None:
    assert _titles(world, on="2019-10-02") == [HJALPMEDEL]  # home care waits for Sala
    assert _titles(world, on="2019-10-03") == [HJALPMEDEL, HEMSJUKVARD]
    assert _titles(world, on="2021-06-30") == [HJALPMEDEL, HEMSJUKVARD]
    assert _titles(world, on="2021-07-01") == [HEMSJUKVARD]
    # The extension to 2023 is pending (Sala has not adopted it): the last day stays 2021-12-31.
    assert _titles(world, on="2021-12-31") == [HEMSJUKVARD]
    assert _titles(world, on="2022-01-01") == []
    # The discharge agreement waits for every party's adoption: never in force yet.
    assert _titles(world, on="2023-01-01") == []
    assert _titles(world, on="2017-12-31") == []


def test_agreements_expiring_within_days(world: World) -> None:
    assert _titles(world, on="2021-06-01", days=30) == [HJALPMEDEL]
    assert _titles(world, on="2021-06-01", days=29) == [HJALPMEDEL]
    assert _titles(world, on="2021-06-01", days=28) == []
    assert _titles(world, on="2021-06-01", days=213) == [HJALPMEDEL, HEMSJUKVARD]
    assert _titles(world, on="2021-06-01", days=212) == [HJALPMEDEL]
    assert _titles(world, on="2021-12-01", days=30) == [HEMSJUKVARD]
    error = world.error(AGREEMENTS, on="2021-06-01", days=-1)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_home_care_agreement_with_its_rule_adoptions_pending_extension_and_revision(
    world: World,
) -> None:
    s = world.s
    home_care = world.data(AGREEMENT, id=s.id("agreements", "home_care"))["agreement"]
    assert home_care == {
        "id": s.id("agreements", "home_care"),
        "title": HEMSJUKVARD,
        "validFrom": None,
        "validUntil": "2021-12-31",
        "entryIntoForceNotBefore": "2019-09-01",
        "entryIntoForceRequiresAllAdoptions": True,
        # Not before 2019-09-01 and when all have adopted: Sala adopted last, on 2019-10-03.
        "inForceFrom": "2019-10-03",
        "effectiveUntil": "2021-12-31",
        "daysLeft": 213,
        "terminatedOn": None,
        "parties": [
            {"name": "Region Västmanland"},
            {"name": "Västerås stad"},
            {"name": "Sala kommun"},
        ],
        "adoptions": [
            {"adoptedOn": "2019-06-10", "party": {"name": "Region Västmanland"}},
            {"adoptedOn": "2019-08-20", "party": {"name": "Västerås stad"}},
            {"adoptedOn": "2019-10-03", "party": {"name": "Sala kommun"}},
        ],
        "partiesNotAdopted": [],
        "extensions": [
            {
                "key": "until-2023-12-31",
                "newUntil": "2023-12-31",
                "status": "pending",
                "adoptedBy": home_care["extensions"][0]["adoptedBy"],
                "decision": {"id": s.id("decisions", "extension"), "item": "5"},
            }
        ],
        "pendingExtensions": [
            {"key": "until-2023-12-31", "newUntil": "2023-12-31", "status": "pending"}
        ],
        "revisions": ["Bilaga 2 om läkemedelshantering revideras"],
        "recordedBy": "registrator Malin Ek",
        "events": [
            {"type": "Registered", "effectiveDate": None},
            {"type": "Adopted", "effectiveDate": "2019-06-10"},
            {"type": "Adopted", "effectiveDate": "2019-08-20"},
            {"type": "Adopted", "effectiveDate": "2019-10-03"},
            {"type": "Revised", "effectiveDate": "2020-07-01"},
            {"type": "ExtensionProposed", "effectiveDate": None},
            {"type": "ExtensionAdopted", "effectiveDate": "2021-03-15"},
            {"type": "ExtensionAdopted", "effectiveDate": "2021-04-01"},
        ],
    }
    adopted_by = sorted(o["name"] for o in home_care["extensions"][0]["adoptedBy"])
    assert adopted_by == ["Region Västmanland", "Västerås stad"]


def test_agreements_as_known_before_the_extension_and_its_adoptions(world: World) -> None:
    s = world.s
    before_meeting = world.data(
        AGREEMENT, id=s.id("agreements", "home_care"), knownAt=world.at("before_meeting_1")
    )["agreement"]
    assert before_meeting["extensions"] == [] and before_meeting["pendingExtensions"] == []
    assert before_meeting["revisions"] == ["Bilaga 2 om läkemedelshantering revideras"]
    after_meeting = world.data(
        AGREEMENT, id=s.id("agreements", "home_care"), knownAt=world.at("after_meeting_1")
    )["agreement"]
    assert [(e["status"], e["adoptedBy"]) for e in after_meeting["extensions"]] == [("pending", [])]
    nothing_yet = world.data(AGREEMENTS, on="2021-03-01", knownAt=world.at("start"))["agreements"]
    assert nothing_yet == {"totalCount": 0, "nodes": []}


def test_agreements_with_parties_not_adopted(world: World) -> None:
    s = world.s
    aids = world.data(AGREEMENT, id=s.id("agreements", "aids"))["agreement"]
    assert (aids["validFrom"], aids["validUntil"], aids["inForceFrom"], aids["daysLeft"]) == (
        "2018-01-01",
        "2021-06-30",
        "2018-01-01",
        29,
    )
    assert aids["entryIntoForceRequiresAllAdoptions"] is False
    assert aids["adoptions"] == [
        {"adoptedOn": "2017-12-01", "party": {"name": "Region Västmanland"}}
    ]
    # Its entry into force needs no adoption: Västerås stad's missing one is no condition.
    assert aids["partiesNotAdopted"] == []
    discharge = world.data(AGREEMENT, id=s.id("agreements", "discharge"))["agreement"]
    assert discharge["title"] == UTSKRIVNING
    assert (discharge["inForceFrom"], discharge["effectiveUntil"], discharge["daysLeft"]) == (
        None,
        None,
        None,
    )
    assert discharge["entryIntoForceNotBefore"] == "2022-01-01"
    assert discharge["partiesNotAdopted"] == [
        {"name": "Region Västmanland"},
        {"name": "Västerås stad"},
        {"name": "Sala kommun"},
    ]


FUNDS = """query($knownAt: DateTime) { funds(knownAt: $knownAt) { totalCount nodes {
  id name total allocated remaining currency periodStart periodEnd sourceOfFunds
  decision { id item } source { document item }
  allocations {
    id recipient recipientOrganisation { name } purpose amount effectiveDate
    decision { id item decidedOn }
  }
} } }"""


def test_a_fund_with_exact_totals_and_the_decision_behind_each_allocation(world: World) -> None:
    s = world.s
    funds = world.data(FUNDS)["funds"]
    assert funds["totalCount"] == 1
    fund = funds["nodes"][0]
    funds_decision = {"id": s.id("decisions", "funds"), "item": "6", "decidedOn": "2021-02-12"}
    realloc = {"id": s.id("decisions", "reallocation"), "item": "3", "decidedOn": "2021-05-20"}
    assert fund == {
        "id": s.id("funds", "stimulus"),
        "name": FUND,
        "total": "2500000.00",
        "allocated": "2250000.50",
        "remaining": "249999.50",
        "currency": "SEK",
        "periodStart": "2021-01-01",
        "periodEnd": "2021-12-31",
        "sourceOfFunds": "Statsbidrag enligt överenskommelsen mellan staten och SKR",
        "decision": {"id": s.id("decisions", "funds"), "item": "6"},
        "source": {"document": MINUTES_1, "item": "§ 6"},
        "allocations": [
            {
                "id": s.id("allocations", "vasteras"),
                "recipient": "Västerås stad",
                "recipientOrganisation": {"name": "Västerås stad"},
                "purpose": "Mobila team",
                "amount": "1450000.50",
                "effectiveDate": "2021-05-20",
                "decision": realloc,
            },
            {
                "id": s.id("allocations", "sala"),
                "recipient": "Sala kommun",
                "recipientOrganisation": {"name": "Sala kommun"},
                "purpose": "Digitala vårdmöten",
                "amount": "800000.00",
                "effectiveDate": "2021-02-12",
                "decision": funds_decision,
            },
        ],
    }
    one = world.data(
        "query($id: ID!) { fund(id: $id) { name allocated remaining } }",
        id=s.id("funds", "stimulus"),
    )
    assert one == {"fund": {"name": FUND, "allocated": "2250000.50", "remaining": "249999.50"}}
    # An id of something else is not a fund.
    assert world.data("query($id: ID!) { fund(id: $id) { name } }", id=s.id("bodies", "group")) == {
        "fund": None
    }


def test_a_fund_as_known_before_the_reallocation(world: World) -> None:
    s = world.s
    fund = world.data(FUNDS, knownAt=world.at("before_meeting_2"))["funds"]["nodes"][0]
    assert (fund["total"], fund["allocated"], fund["remaining"]) == (
        "2500000.00",
        "2300000.00",
        "200000.00",
    )
    assert [
        (a["id"], a["recipient"], a["amount"], a["effectiveDate"], a["decision"]["item"])
        for a in fund["allocations"]
    ] == [
        (s.id("allocations", "vasteras"), "Västerås stad", "1200000.00", "2021-02-12", "6"),
        (s.id("allocations", "sala"), "Sala kommun", "800000.00", "2021-02-12", "6"),
        (s.id("allocations", "region"), "Region Västmanland", "300000.00", "2021-02-12", "6"),
    ]
    assert world.data(FUNDS, knownAt=world.at("before_meeting_1"))["funds"] == {
        "totalCount": 0,
        "nodes": [],
    }


ASSIGNMENTS = """query($statuses: [AssignmentStatus!], $dueBefore: Date, $overdue: Boolean,
                      $holder: ID, $body: ID, $asOf: Date, $knownAt: DateTime) {
  assignments(statuses: $statuses, dueBefore: $dueBefore, overdue: $overdue, holderId: $holder,
              bodyId: $body, asOf: $asOf, knownAt: $knownAt) {
    totalCount nodes {
      id task holderKind holderName holderId holderPerson { id name } body { name }
      givenOn dueDate status(asOf: $asOf) overdue(asOf: $asOf) endedOn withdrawalReason
      reports { reportedOn text } decision { id item } source { document item }
    }
  }
}"""

PLAN = "Ta fram en handlingsplan för hemsjukvården i samverkan"
SHORT_TERM = "Kartlägga behovet av korttidsplatser i länet"
NIGHT = "Utreda en gemensam nattpatrull"
VACCINE = "Samordna länets information om vaccinationer"


def _assignments(world: World, **variables: Any) -> list[dict]:
    found = world.data(ASSIGNMENTS, **variables)["assignments"]
    assert found["totalCount"] == len(found["nodes"])
    return found["nodes"]


def _tasks(world: World, **variables: Any) -> list[tuple[str, str]]:
    return [(a["task"], a["status"]) for a in _assignments(world, **variables)]


def test_assignments_and_their_status_on_a_date(world: World) -> None:
    s = world.s
    summer = _assignments(world, asOf="2021-07-01")
    assert [(a["task"], a["dueDate"], a["status"], a["endedOn"]) for a in summer] == [
        (NIGHT, "2021-05-31", "WITHDRAWN", "2021-04-01"),
        (PLAN, "2021-06-30", "COMPLETED", "2021-06-15"),
        (SHORT_TERM, "2021-09-30", "OPEN", None),
        (VACCINE, "2022-03-31", "OPEN", None),
    ]
    night, plan, short_term, vaccine = summer
    assert night["withdrawalReason"] == "Frågan hanteras inom ordinarie verksamhet."
    assert (night["holderKind"], night["holderName"], night["holderId"]) == (
        "organisation",
        "Sala kommun",
        s.id("orgs", "sala"),
    )
    assert night["holderPerson"] is None
    assert plan["reports"] == [
        {"reportedOn": "2021-04-15", "text": "Lägesrapport: ett utkast är klart."}
    ]
    assert (plan["holderKind"], plan["holderName"], plan["holderId"]) == (
        "body",
        LEDNINGSGRUPP,
        s.id("bodies", "group"),
    )
    assert short_term["holderPerson"] == {
        "id": s.id("persons", "Maria Söderström"),
        "name": "Maria Söderström",
    }
    # Given to the misspelt record; the holder resolves to the survivor.
    assert vaccine["holderId"] == s.id("persons", "Karin Lindkvist")
    assert vaccine["holderPerson"] == {
        "id": s.id("persons", "Karin Lindqvist"),
        "name": "Karin Lindqvist",
    }
    for a in summer:
        assert a["givenOn"] == "2021-02-12"
        assert a["body"] == {"name": SAMVERKANSORGAN}
        assert a["decision"] == {"id": s.id("decisions", "tasks"), "item": "7"}
        assert a["source"] == {"document": MINUTES_1, "item": "§ 7"}
    assert _tasks(world, asOf="2021-02-11") == [
        (NIGHT, "NOT_YET_GIVEN"),
        (PLAN, "NOT_YET_GIVEN"),
        (SHORT_TERM, "NOT_YET_GIVEN"),
        (VACCINE, "NOT_YET_GIVEN"),
    ]


def test_assignments_by_status_due_date_and_overdue(world: World) -> None:
    assert _tasks(world, statuses=["OPEN"], asOf="2021-03-01") == [
        (NIGHT, "OPEN"),
        (PLAN, "OPEN"),
        (SHORT_TERM, "OPEN"),
        (VACCINE, "OPEN"),
    ]
    assert _tasks(world, statuses=["OPEN"], asOf="2021-07-01") == [
        (SHORT_TERM, "OPEN"),
        (VACCINE, "OPEN"),
    ]
    assert _tasks(world, statuses=["COMPLETED", "WITHDRAWN"], asOf="2021-07-01") == [
        (NIGHT, "WITHDRAWN"),
        (PLAN, "COMPLETED"),
    ]
    assert _tasks(world, statuses=["WITHDRAWN"], asOf="2021-03-31") == []
    assert _tasks(world, dueBefore="2021-07-01", asOf="2021-07-01") == [
        (NIGHT, "WITHDRAWN"),
        (PLAN, "COMPLETED"),
    ]
    assert _tasks(world, dueBefore="2021-06-30", asOf="2021-07-01") == [(NIGHT, "WITHDRAWN")]
    # Overdue: open on the date and past its due date.
    assert _tasks(world, overdue=True, asOf="2021-09-30") == []
    assert _tasks(world, overdue=True, asOf="2021-10-01") == [(SHORT_TERM, "OPEN")]
    assert _tasks(world, overdue=True, asOf="2022-04-01") == [
        (SHORT_TERM, "OPEN"),
        (VACCINE, "OPEN"),
    ]
    # The withdrawn one was never overdue; the plan was completed before its due date.
    assert _tasks(world, overdue=True, asOf="2021-06-20") == []
    assert _tasks(world, overdue=False, asOf="2021-10-01") == [
        (NIGHT, "WITHDRAWN"),
        (PLAN, "COMPLETED"),
        (VACCINE, "OPEN"),
    ]
    overdue = _assignments(world, asOf="2021-10-01")
    assert [a["overdue"] for a in overdue] == [False, False, True, False]


def test_assignments_by_holder_and_body(world: World) -> None:
    s = world.s

    def held_by(holder: str) -> list[str]:
        return [a["task"] for a in _assignments(world, holder=holder, asOf="2021-07-01")]

    assert held_by(s.id("persons", "Maria Söderström")) == [SHORT_TERM]
    assert held_by(s.id("bodies", "group")) == [PLAN]
    assert held_by(s.id("orgs", "sala")) == [NIGHT]
    assert held_by(s.id("orgs", "region")) == []
    # A merged record resolves to the survivor, both ways.
    assert held_by(s.id("persons", "Karin Lindqvist")) == [VACCINE]
    assert held_by(s.id("persons", "Karin Lindkvist")) == [VACCINE]
    by_body = _assignments(world, body=s.id("bodies", "organ"), asOf="2021-07-01")
    assert [a["task"] for a in by_body] == [NIGHT, PLAN, SHORT_TERM, VACCINE]
    assert _assignments(world, body=s.id("bodies", "group")) == []
    combined = _tasks(
        world,
        body=s.id("bodies", "organ"),
        statuses=["OPEN"],
        dueBefore="2022-01-01",
        asOf="2021-07-01",
    )
    assert combined == [(SHORT_TERM, "OPEN")]


def test_assignments_as_known_before_they_moved_on(world: World) -> None:
    then = _tasks(world, asOf="2021-07-01", knownAt=world.at("after_meeting_1"))
    assert then == [
        (NIGHT, "OPEN"),
        (PLAN, "OPEN"),
        (SHORT_TERM, "OPEN"),
        (VACCINE, "OPEN"),
    ]
    plan = _assignments(world, asOf="2021-07-01", knownAt=world.at("after_meeting_1"))[1]
    assert (plan["reports"], plan["endedOn"]) == ([], None)
    assert _tasks(world, knownAt=world.at("before_meeting_1")) == []
