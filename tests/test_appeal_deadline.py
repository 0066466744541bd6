"""The last day to appeal a municipal decision: three weeks from the day the approved minutes
were posted (13 kap. 5 § kommunallagen), moved to the next weekday when it falls on a Saturday,
Sunday, public holiday, midsommarafton, julafton or nyårsafton (lag 1930:173, 2 §). The
expected days below are worked out by hand from the calendar, not by the function. Then the
same through GraphQL from imported minutes, on both stores."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.lifecycle import appeal_deadline, is_day_off
from tests.minutes_client import ask, client, imported

__all__ = ["client"]

D = date.fromisoformat

# (posted on, last day to appeal, why)
CASES = [
    ("2026-03-02", "2026-03-23", "a Monday: three weeks later is a Monday, a working day"),
    ("2026-09-01", "2026-09-22", "a Tuesday, nothing in the way"),
    ("2026-03-07", "2026-03-30", "posted on a Saturday: the 28th is a Saturday, to Monday"),
    ("2026-03-01", "2026-03-23", "posted on a Sunday: the 22nd is a Sunday, to Monday"),
    ("2026-05-29", "2026-06-22", "19 June 2026 is midsommarafton, then midsommardagen, Sunday"),
    ("2025-05-30", "2025-06-23", "20 June 2025 is midsommarafton"),
    ("2026-03-13", "2026-04-07", "3 April 2026 is Good Friday; Easter Monday is the 6th"),
    ("2026-03-16", "2026-04-07", "6 April 2026 is Easter Monday"),
    ("2027-03-05", "2027-03-30", "26 March 2027 is Good Friday; Easter Monday the 29th"),
    ("2026-04-23", "2026-05-15", "14 May 2026 is Ascension Day (Kristi himmelsfärd)"),
    ("2026-12-03", "2026-12-28", "24 December 2026 is julafton, then Christmas, a weekend"),
    ("2027-12-03", "2027-12-27", "24 December 2027 is a Friday, julafton; 27th a Monday"),
    ("2026-12-10", "2027-01-04", "year end: nyårsafton, New Year's Day, a weekend"),
    ("2026-12-16", "2027-01-07", "6 January 2027 is trettondedag jul"),
    ("2027-05-16", "2027-06-07", "6 June 2027 (National Day) is a Sunday: Monday is not a holiday"),
]


@pytest.mark.parametrize(("posted", "last", "why"), CASES, ids=[c[0] for c in CASES])
def test_the_last_day_to_appeal(posted: str, last: str, why: str) -> None:
    assert appeal_deadline(D(posted)) == D(last), why


@pytest.mark.parametrize(
    ("day", "off"),
    [
        ("2026-06-19", True),  # midsommarafton
        ("2026-06-18", False),
        ("2026-12-24", True),  # julafton
        ("2026-12-23", False),
        ("2026-12-31", True),  # nyårsafton
        ("2026-04-03", True),  # långfredagen
        ("2026-04-06", True),  # annandag påsk
        ("2026-04-02", False),  # skärtorsdagen is a working day
        ("2026-03-22", True),  # an ordinary Sunday
        ("2026-03-21", True),  # an ordinary Saturday
        ("2026-03-20", False),
    ],
)
def test_days_off(day: str, off: bool) -> None:
    assert is_day_off(D(day)) is off


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_the_deadline_is_the_first_working_day_from_three_weeks_on(posted: date) -> None:
    last = appeal_deadline(posted)
    assert not is_day_off(last)
    start = posted + timedelta(weeks=3)
    assert start <= last <= start + timedelta(days=5)
    day = start
    while day < last:
        assert is_day_off(day), day
        day += timedelta(days=1)


def _minutes(held: str, approved: str, posted: str, printed: str | None = None) -> str:
    deadline = f"\n    appeal_deadline: {printed}" if printed else ""
    return f"""\
version: 1
kind: minutes
source: {{document: Protokoll Testnämnden {held}}}
date: {held}
body: {{ref: tn, name: Testnämnden, kind: nämnd, owners: [kommun]}}
organisations:
  - {{ref: kommun, name: Testkommun, kind: kommun}}
persons:
  - {{ref: anna, name: Anna Andersson, organisation: kommun}}
meeting:
  present: [anna]
  chair: anna
  approval:
    approved_on: {approved}
    justerare: [anna]
    posted_on: {posted}{deadline}
items:
  - number: 1
    title: Ärende
    decisions:
      - {{kind: decided, text: Beslut {held}.}}
"""


DEADLINES = """{
  decisions(bodyId: null) { nodes {
    decidedOn appealDeadline
    meeting { approval { approvedOn posted { on } appealDeadline } }
  } }
}"""


def test_deadlines_through_graphql_over_year_ends_weekends_and_holidays(client) -> None:
    """Minutes posted before midsommar, Easter, Christmas and the year end: GraphQL gives the
    deadline on the meeting's approval and on its decision."""
    chosen = [c for c in CASES if c[0] in ("2026-05-29", "2026-03-13", "2026-12-03", "2026-12-10")]
    for posted, _, _ in chosen:
        held = (D(posted) - timedelta(days=3)).isoformat()
        approved = (D(posted) - timedelta(days=1)).isoformat()
        assert imported(client, _minutes(held, approved, posted)) == "imported"
    found = {
        d["meeting"]["approval"]["posted"]["on"]: d
        for d in ask(client, DEADLINES)["decisions"]["nodes"]
    }
    assert sorted(found) == sorted(c[0] for c in chosen)
    for posted, last, why in chosen:
        assert found[posted]["appealDeadline"] == last, why
        assert found[posted]["meeting"]["approval"]["appealDeadline"] == last, why


def test_a_printed_deadline_that_agrees_is_accepted_and_one_that_does_not_is_refused(client):
    from tests.minutes_client import refusal_messages, refused

    wrong = _minutes("2026-12-01", "2026-12-02", "2026-12-03", printed="2026-12-24")
    assert refused(client, wrong) == [("meeting.approval.appeal_deadline", "INVALID_INPUT")]
    (message,) = refusal_messages(client, wrong)
    assert "2026-12-28" in message and "2026-12-24" in message
    right = _minutes("2026-12-01", "2026-12-02", "2026-12-03", printed="2026-12-28")
    assert imported(client, right) == "imported"
