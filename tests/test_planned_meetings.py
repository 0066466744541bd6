"""A body's meeting plan, from a minutes file through GraphQL over HTTP, on both stores:
the meetings planned after a day (own and joint, an internat over two days) as the plan stood
on a day and as the registry knew it; a deferred item goes to the next meeting; a planned
meeting that is held becomes that meeting (same id, PLANNED → HELD); a cancelled one drops
out; a file that names no meeting to go to is refused, naming the place, and writes nothing."""

from __future__ import annotations

import pytest

from tests.plans_support import Served, served

server = pytest.fixture(scope="module", params=["sqlite", "postgres"])(served)


def head(day: str, board: str, extra_bodies: str = "") -> str:
    return f"""\
version: 1
kind: minutes
source: {{document: Protokoll {board} {day}}}
date: {day}
body: {{ref: board, name: {board}, kind: chefsgrupp, owners: [kommun]}}
organisations:
  - {{ref: kommun, name: Plankommunen, kind: kommun}}
bodies:
  - {{ref: joint, name: {board} folkhälsa, kind: chefsgrupp, owners: [kommun]}}
{extra_bodies}persons:
  - {{ref: ingmar, name: Ingmar Planman, organisation: kommun}}
meeting:
  present: [ingmar]
  chair: ingmar
"""


def plan_file(board: str) -> str:
    return (
        head("2020-02-07", board)
        + """\
background:
  note: "§ 15 Kommande möten 2020"
  planned_meetings:
    - {date: 2020-03-13, place: Gästmatsalen}
    - {date: 2020-04-17, joint_with: [joint], agenda: [Workshop om målbild]}
    - {date: 2020-10-15, until: 2020-10-16, kind: internat}
items:
  - number: 6
    title: Egenvård vid korttidsvistelse enligt LSS
    decisions:
      - kind: deferred
        text: Frågan skjuts upp till nästa möte.
        meeting_referrals: [{meeting: next}]
  - number: 7
    title: Delrapport
    decisions:
      - kind: decided
        text: Delrapport ges den 17 april.
        meeting_referrals: [{meeting: 2020-04-17, matter: Delrapport om samverkansstrukturen}]
"""
    )


NEXT = """
query($body: ID!, $after: Date, $asOf: Date, $knownAt: DateTime) {
  nextMeetings(bodyId: $body, after: $after, asOf: $asOf, knownAt: $knownAt) {
    id date until kind place status(asOf: $asOf) plannedAsOf
    body { name } jointWith { name }
    matters { text decision { text kind } }
    meeting { id heldOn }
  }
}"""


def body_id(server: Served, name: str) -> str:
    found = server.query("query($n: String) { bodies(name: $n) { nodes { id name } } }", n=name)[
        "bodies"
    ]["nodes"]
    return next(b["id"] for b in found if b["name"] == name)


def test_the_plan_lists_the_next_meetings_as_planned_on_both_time_axes(server: Served) -> None:
    before_import = server.now()
    server.import_minutes(plan_file("Planchefsgruppen A"))
    board = body_id(server, "Planchefsgruppen A")

    meetings = server.query(NEXT, body=board, after="2020-02-07")["nextMeetings"]
    assert [(m["date"], m["until"], m["kind"]) for m in meetings] == [
        ("2020-03-13", None, "MEETING"),
        ("2020-04-17", None, "MEETING"),
        ("2020-10-15", "2020-10-16", "INTERNAT"),
    ]
    march, april, _ = meetings
    assert march["place"] == "Gästmatsalen" and march["status"] == "PLANNED"
    assert march["plannedAsOf"] == "2020-02-07"
    assert march["matters"] == [
        {
            "text": "Egenvård vid korttidsvistelse enligt LSS",
            "decision": {"text": "Frågan skjuts upp till nästa möte.", "kind": "DEFERRED"},
        }
    ]
    assert april["jointWith"] == [{"name": "Planchefsgruppen A folkhälsa"}]
    assert [m["text"] for m in april["matters"]] == [
        "Workshop om målbild",
        "Delrapport om samverkansstrukturen",
    ]
    # After a day: only the later meetings.
    later = server.query(NEXT, body=board, after="2020-04-17")["nextMeetings"]
    assert [m["date"] for m in later] == ["2020-10-15"]
    # The joint body sees the joint meeting among its own.
    joint = body_id(server, "Planchefsgruppen A folkhälsa")
    assert [
        (m["date"], m["body"]["name"])
        for m in server.query(NEXT, body=joint, after="2020-01-01")["nextMeetings"]
    ] == [("2020-04-17", "Planchefsgruppen A")]
    # Valid time: on 2020-02-06 nothing was planned yet; on 2020-02-07 the plan was made.
    on = lambda day: server.query(NEXT, body=board, after="2020-01-01", asOf=day)  # noqa: E731
    assert on("2020-02-06")["nextMeetings"] == []
    assert len(on("2020-02-07")["nextMeetings"]) == 3
    # Recorded time: before the import the registry knew no plan.
    assert (
        server.query(NEXT, body=board, after="2020-01-01", knownAt=before_import)["nextMeetings"]
        == []
    )


def test_a_deferred_item_refers_to_the_meeting_it_goes_to(server: Served) -> None:
    server.import_minutes(plan_file("Planchefsgruppen B"))
    board = body_id(server, "Planchefsgruppen B")
    data = server.query(
        """query($body: ID!) { decisions(bodyId: $body, kinds: [DEFERRED]) { nodes {
             text goesToMeetings { id date status(asOf: "2020-02-07") body { name } } } } }""",
        body=board,
    )
    [deferred] = data["decisions"]["nodes"]
    assert deferred["goesToMeetings"] == [
        {
            "id": deferred["goesToMeetings"][0]["id"],
            "date": "2020-03-13",
            "status": "PLANNED",
            "body": {"name": "Planchefsgruppen B"},
        }
    ]


def test_a_planned_meeting_that_is_held_becomes_that_meeting(server: Served) -> None:
    server.import_minutes(plan_file("Planchefsgruppen C"))
    board = body_id(server, "Planchefsgruppen C")
    [planned] = [
        m
        for m in server.query(NEXT, body=board, after="2020-02-07")["nextMeetings"]
        if m["date"] == "2020-03-13"
    ]
    before_held = server.now()
    server.import_minutes(
        head("2020-03-13", "Planchefsgruppen C")
        + "items:\n  - {number: 1, title: Mötets öppnande}\n"
    )
    one = """query($id: ID!, $asOf: Date, $knownAt: DateTime) {
      plannedMeeting(id: $id, knownAt: $knownAt) { id status(asOf: $asOf) meeting { id heldOn } }
      meeting(id: $id) { id heldOn }
    }"""
    held = server.query(one, id=planned["id"], asOf="2020-03-13")
    assert held["plannedMeeting"] == {
        "id": planned["id"],
        "status": "HELD",
        "meeting": {"id": planned["id"], "heldOn": "2020-03-13"},
    }
    assert held["meeting"] == {"id": planned["id"], "heldOn": "2020-03-13"}
    # The day before it was held it was still planned; before the minutes were recorded the
    # registry knew it only as planned.
    assert server.query(one, id=planned["id"], asOf="2020-03-12")["plannedMeeting"]["status"] == (
        "PLANNED"
    )
    known = server.query(one, id=planned["id"], asOf="2020-03-13", knownAt=before_held)
    assert known["plannedMeeting"]["status"] == "PLANNED"
    assert known["plannedMeeting"]["meeting"] is None
    # The next meetings after the held one start with the April meeting.
    after = server.query(NEXT, body=board, after="2020-03-13")["nextMeetings"]
    assert [m["date"] for m in after] == ["2020-04-17", "2020-10-15"]


def test_a_cancelled_meeting_drops_out_from_its_cancellation_and_next_moves_on(
    server: Served,
) -> None:
    server.import_minutes(plan_file("Planchefsgruppen D"))
    board = body_id(server, "Planchefsgruppen D")
    server.import_minutes(
        head("2020-03-13", "Planchefsgruppen D")
        + """\
items:
  - number: 2
    title: Mötesplan
    decisions:
      - kind: decided
        text: Mötet den 17 april ställs in.
        meeting_cancellations: [{meeting: 2020-04-17, reason: Krockar med påsklovet}]
  - number: 3
    title: Nutrition
    decisions:
      - kind: deferred
        text: Frågan skjuts upp till nästa möte.
        meeting_referrals: [{meeting: next}]
"""
    )
    after_cancel = server.query(NEXT, body=board, after="2020-03-13")["nextMeetings"]
    assert [m["date"] for m in after_cancel] == ["2020-10-15"]
    assert [m["text"] for m in after_cancel[0]["matters"]] == ["Nutrition"]
    # Before the cancellation was decided the April meeting was still planned.
    before = server.query(NEXT, body=board, after="2020-03-01", asOf="2020-03-12")["nextMeetings"]
    assert [m["date"] for m in before] == ["2020-03-13", "2020-04-17", "2020-10-15"]
    cancelled = server.query(
        """query($body: ID!) { body(id: $body) { plannedMeetings(after: "2020-03-13",
             asOf: "2020-03-13", includeCancelled: true) { date status(asOf: "2020-03-13")
             cancelledOn cancellationReason } } }""",
        body=board,
    )["body"]["plannedMeetings"]
    assert cancelled[0] == {
        "date": "2020-04-17",
        "status": "CANCELLED",
        "cancelledOn": "2020-03-13",
        "cancellationReason": "Krockar med påsklovet",
    }


def test_minutes_of_a_cancelled_meeting_show_it_was_held_after_all(server: Served) -> None:
    server.import_minutes(plan_file("Planchefsgruppen G"))
    board = body_id(server, "Planchefsgruppen G")
    server.import_minutes(
        head("2020-03-13", "Planchefsgruppen G")
        + """\
items:
  - number: 2
    title: Mötesplan
    decisions:
      - kind: decided
        text: Mötet den 17 april ställs in.
        meeting_cancellations: [{meeting: 2020-04-17, reason: Krockar med påsklovet}]
"""
    )
    server.import_minutes(
        head("2020-04-17", "Planchefsgruppen G") + "items:\n  - {number: 1, title: Mötet}\n"
    )
    [april] = [
        m
        for m in server.query(NEXT, body=board, after="2020-03-13", asOf="2020-03-01")[
            "nextMeetings"
        ]
        if m["date"] == "2020-04-17"
    ]
    status = """query($id: ID!) { plannedMeeting(id: $id) {
      before: status(asOf: "2020-03-12") cancelled: status(asOf: "2020-04-16")
      held: status(asOf: "2020-04-17") meeting { heldOn } } }"""
    assert server.query(status, id=april["id"])["plannedMeeting"] == {
        "before": "PLANNED",
        "cancelled": "CANCELLED",
        "held": "HELD",
        "meeting": {"heldOn": "2020-04-17"},
    }


def test_next_meeting_without_a_plan_is_refused_at_its_place_and_writes_nothing(
    server: Served,
) -> None:
    text = (
        head("2020-02-07", "Planchefsgruppen E")
        + """\
items:
  - number: 6
    title: Egenvård
    decisions:
      - kind: deferred
        text: Frågan skjuts upp till nästa möte.
        meeting_referrals: [{meeting: next}]
"""
    )
    status, answer = server.try_import(text)
    assert status == 422
    [error] = answer["errors"]
    assert error["path"] == "items[0].decisions[0].meeting_referrals[0].meeting"
    assert "has no meeting planned after 2020-02-07" in error["message"]
    assert server.query('{ bodies(name: "Planchefsgruppen E") { totalCount } }') == {
        "bodies": {"totalCount": 0}
    }


@pytest.mark.parametrize(
    ("entry", "path", "words"),
    [
        ("{date: 2020-10-16, until: 2020-10-15}", "planned_meetings[0].until", "before"),
        ("{date: 2020-03-13, joint_with: [board]}", "planned_meetings[0].joint_with", "itself"),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field(
    server: Served, entry: str, path: str, words: str
) -> None:
    text = (
        head("2020-02-07", "Planchefsgruppen F")
        + f"""\
items:
  - number: 15
    title: Kommande möten
    decisions:
      - kind: noted
        text: Mötesplanen noteras.
        planned_meetings: [{entry}]
"""
    )
    status, answer = server.try_import(text)
    assert status == 422, answer
    [error] = answer["errors"]
    assert error["path"] == f"items[0].decisions[0].{path}"
    assert words in error["message"]
