"""Votes (votering) end to end on both stores: the counts (ja, nej, avstår) and, where the
minutes list them, the members' votes; a reservation names the decision it opposes (the one
it is made on) and the vote its authors lost. Refusals name their path and write nothing.
Recorded time: a vote added by a corrected file is not in what the registry said before."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.minutes_client import (
    ask,
    client,
    import_twice,
    imported,
    refusal_messages,
    refused,
    served_graphql,
)

__all__ = ["client"]

HEAD = """\
version: 1
kind: minutes
source: {document: Protokoll Socialnämnden 2021-05-11}
date: 2021-05-11
body: {ref: sn, name: Socialnämnden, kind: nämnd, owners: [kommun]}
organisations:
  - {ref: kommun, name: Testkommun, kind: kommun}
persons:
  - {ref: anna, name: Anna Andersson, organisation: kommun, party: S}
  - {ref: bo, name: Bo Berg, organisation: kommun, party: M}
  - {ref: cecilia, name: Cecilia Carlsson, organisation: kommun, party: V}
  - {ref: david, name: David Dahl, organisation: kommun, party: V}
  - {ref: eva, name: Eva Ek, organisation: kommun, party: SD}
meeting:
  present: [anna, bo, cecilia, david, eva]
  chair: anna
items:
  - number: "5"
    title: Budget 2022
    decisions:
      - kind: decided
        text: Nämnden beslutar enligt ordförandens förslag.
"""

VOTED = (
    HEAD
    + """\
        votes:
          - ref: budget
            question: Bifall till ordförandens förslag mot Cecilia Carlssons yrkande
            for: 2
            against: 2
            abstain: 1
            note: Ordförandens utslagsröst.
            ballots:
              - {person: anna, vote: for}
              - {person: bo, vote: for}
              - {person: cecilia, vote: against}
              - {person: david, vote: against}
              - {person: eva, vote: abstain}
        statements:
          - kind: reservation
            by: [cecilia, david]
            by_name: Cecilia Carlsson m.fl. (V)
            party: V
            vote: budget
            text: Vi reserverar oss till förmån för vårt yrkande.
"""
)

QUERY = """query($knownAt: DateTime) {
  decisions(knownAt: $knownAt) { nodes {
    item text
    votes {
      ordinal question yes no abstain ballotsComplete note
      ballots { personName personId choice party }
    }
    statements { kind personName authors { name } vote { ordinal question } }
  } }
}"""


def only_decision(client, known_at: str | None = None) -> dict:
    (found,) = ask(client, QUERY, knownAt=known_at)["decisions"]["nodes"]
    return found


def test_a_vote_has_its_counts_and_each_members_vote(client):
    import_twice(client, VOTED)
    (vote,) = only_decision(client)["votes"]
    ballots = vote.pop("ballots")
    assert vote == {
        "ordinal": 1,
        "question": "Bifall till ordförandens förslag mot Cecilia Carlssons yrkande",
        "yes": 2,
        "no": 2,
        "abstain": 1,
        "ballotsComplete": True,
        "note": "Ordförandens utslagsröst.",
    }
    assert [(b["personName"], b["choice"]) for b in ballots] == [
        ("Anna Andersson", "YES"),
        ("Bo Berg", "YES"),
        ("Cecilia Carlsson", "NO"),
        ("David Dahl", "NO"),
        ("Eva Ek", "ABSTAIN"),
    ]
    assert all(b["personId"] for b in ballots)


def test_a_reservation_refers_to_the_decision_it_opposes_and_the_vote_it_lost(client):
    import_twice(client, VOTED)
    decision = only_decision(client)
    (reservation,) = decision["statements"]
    assert decision["text"] == "Nämnden beslutar enligt ordförandens förslag."
    assert reservation == {
        "kind": "reservation",
        "personName": "Cecilia Carlsson m.fl. (V)",
        "authors": [{"name": "Cecilia Carlsson"}, {"name": "David Dahl"}],
        "vote": {
            "ordinal": 1,
            "question": "Bifall till ordförandens förslag mot Cecilia Carlssons yrkande",
        },
    }


def test_a_vote_given_only_as_counts_lists_no_members(client):
    counts = HEAD + "        votes:\n          - {for: 7, against: 4}\n"
    import_twice(client, counts)
    (vote,) = only_decision(client)["votes"]
    assert (vote["yes"], vote["no"], vote["abstain"]) == (7, 4, None)
    assert vote["ballots"] == [] and vote["ballotsComplete"] is False


def test_a_vote_given_only_as_members_votes_is_counted_from_them(client):
    listed = HEAD + (
        "        votes:\n          - ballots:\n"
        "              - {person: anna, vote: for}\n"
        "              - {name: Fredrik Fors, vote: against, party: C}\n"
    )
    import_twice(client, listed)
    (vote,) = only_decision(client)["votes"]
    assert (vote["yes"], vote["no"], vote["abstain"], vote["ballotsComplete"]) == (1, 1, 0, True)
    assert vote["ballots"][1] == {
        "personName": "Fredrik Fors",
        "personId": None,
        "choice": "NO",
        "party": "C",
    }


def test_minutes_that_name_only_the_members_voting_no_keep_the_counts(client):
    partial = HEAD + (
        "        votes:\n          - for: 7\n            against: 2\n            ballots:\n"
        "              - {person: cecilia, vote: against}\n"
        "              - {person: david, vote: against}\n"
    )
    import_twice(client, partial)
    (vote,) = only_decision(client)["votes"]
    assert (vote["yes"], vote["no"], vote["ballotsComplete"]) == (7, 2, False)


def test_counts_that_disagree_with_the_members_votes_are_refused_at_the_count(client):
    wrong = VOTED.replace("            against: 2\n", "            against: 1\n")
    assert refused(client, wrong) == [("items[0].decisions[0].votes[0].against", "INVALID_INPUT")]
    (message,) = refusal_messages(client, wrong)
    assert "2 members are listed as voting no but the count no is 1" in message


def test_a_member_who_votes_twice_is_refused_at_the_second_vote(client):
    twice = VOTED.replace("{person: david, vote: against}", "{person: cecilia, vote: against}")
    assert refused(client, twice) == [
        ("items[0].decisions[0].votes[0].ballots[3]", "INVALID_INPUT")
    ]


def test_a_vote_with_neither_counts_nor_members_votes_is_refused(client):
    empty = HEAD + "        votes:\n          - {question: Bifall till förslaget}\n"
    problems = refused(client, empty)
    assert problems and all(path == "items[0].decisions[0].votes[0]" for path, _ in problems)


def test_a_reservation_naming_a_vote_the_decision_does_not_have_is_refused(client):
    unknown = VOTED.replace("vote: budget", "vote: budgeten")
    assert refused(client, unknown) == [
        ("items[0].decisions[0].statements[0].vote", "UNKNOWN_REFERENCE")
    ]


def test_a_negative_count_is_refused_by_the_schema(client):
    negative = HEAD + "        votes:\n          - {for: -1, against: 4}\n"
    assert refused(client, negative) == [("items[0].decisions[0].votes[0].for", "INVALID_VALUE")]


def test_a_vote_added_by_a_correction_is_not_in_what_the_registry_said_before(client):
    assert imported(client, HEAD) == "imported"
    before = datetime.now(UTC).isoformat()
    status = imported(client, VOTED, correct=True, reason="Voteringen saknades i protokollet")
    assert status == "corrected"

    assert len(only_decision(client)["votes"]) == 1
    then = only_decision(client, known_at=before)
    assert then["votes"] == [] and then["statements"] == []


def test_a_served_registry_takes_a_vote_from_a_posted_file_and_answers_it(settings, tmp_path):
    from tests.served import registry_process

    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        wrong = VOTED.replace("            for: 2\n", "            for: 1\n")
        status, answer = server.post("/import", wrong.encode(), "application/yaml")
        assert status in (400, 422), answer
        assert [e["path"] for e in answer["errors"]] == ["items[0].decisions[0].votes[0].for"]

        status, answer = server.post("/import", VOTED.encode(), "application/yaml")
        assert status == 200, answer
        (decision,) = served_graphql(server, QUERY, answer["position"])["decisions"]["nodes"]
        (vote,) = decision["votes"]
        assert (vote["yes"], vote["no"], vote["abstain"], vote["ballotsComplete"]) == (
            2,
            2,
            1,
            True,
        )
        (reservation,) = decision["statements"]
        assert reservation["vote"]["ordinal"] == 1
        assert [a["name"] for a in reservation["authors"]] == ["Cecilia Carlsson", "David Dahl"]


def test_a_vote_is_a_popolo_vote_event_of_its_decisions_motion(client):
    from datetime import date

    from api.exports import export_popolo
    from tests.test_exports import assert_valid_popolo

    import_twice(client, VOTED + HEAD.split("items:\n", 1)[1].replace('"5"', '"6"'))
    document = export_popolo(client.app.state.runner, client.app.state.registry, date(2021, 6, 1))
    assert_valid_popolo(document)
    (event,) = document["vote_events"]
    motions = {m["identifier"]: m["id"] for m in document["motions"]}
    assert event["motion_id"] == motions["§ 5"]
    assert event["counts"] == [
        {"option": "yes", "value": 2},
        {"option": "no", "value": 2},
        {"option": "abstain", "value": 1},
    ]
    persons = {p["name"]: p["id"] for p in document["persons"]}
    assert [(v["voter_id"], v["option"]) for v in event["votes"]] == [
        (persons["Anna Andersson"], "yes"),
        (persons["Bo Berg"], "yes"),
        (persons["Cecilia Carlsson"], "no"),
        (persons["David Dahl"], "no"),
        (persons["Eva Ek"], "abstain"),
    ]
