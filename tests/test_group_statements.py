"""Statements by groups end to end on both stores: "Robert Mjörnberg m.fl. (V)" keeps every
named author, the party group and that more stood behind it; a statement by a party group
alone keeps the group; a statement by one person stays one person's. Refusals name their path
and write nothing; a changed author is not silently taken as a correction."""

from __future__ import annotations

from tests.minutes_client import ask, client, import_twice, imported, refused

__all__ = ["client"]

HEAD = """\
version: 1
kind: statement
source: {document: Utlåtande 2022:1}
date: 2022-05-04
body: {ref: ks, name: Kommunstyrelsen, kind: styrelse, owners: [stad]}
organisations:
  - {ref: stad, name: Teststaden, kind: kommun}
bodies:
  - {ref: aen, name: Äldrenämnden, kind: nämnd, owners: [stad]}
persons:
  - {ref: robert, name: Robert Mjörnberg, party: V, organisation: stad}
  - {ref: karin, name: Karin Kvist, party: V, organisation: stad}
  - {ref: leif, name: Leif Söderström, party: SD, organisation: stad}
items:
  - number: "1"
    title: Huvudöverenskommelse
    decisions:
      - kind: endorsed
        body: aen
        date: 2022-04-19
        text: Äldrenämnden godkänner förvaltningens tjänsteutlåtande.
        statements:
"""

GROUP = (
    HEAD
    + """\
          - kind: statement
            by: [robert, karin]
            by_name: Robert Mjörnberg m.fl. (V)
            party: V
            and_others: true
            text: Vi håller med förvaltningen.
          - kind: statement
            by: leif
            text: Ett steg i rätt riktning.
          - kind: reservation
            party: V
            by_name: Vänsterpartiet
            text: Vänsterpartiets reservation.
"""
)

QUERY = """{ decisions { nodes { statements {
  kind personId personName text party andOthers authors { personId name }
} } } }"""


def statements(client) -> list[dict]:
    (decision,) = ask(client, QUERY)["decisions"]["nodes"]
    return decision["statements"]


def person_id(client, name: str) -> str:
    query = "query($n: String) { persons(name: $n) { nodes { id name } } }"
    (person,) = ask(client, query, n=name)["persons"]["nodes"]
    return person["id"]


def test_a_statement_by_several_members_keeps_every_author_the_party_and_the_others(client):
    import_twice(client, GROUP)
    group = statements(client)[0]
    robert, karin = person_id(client, "Robert Mjörnberg"), person_id(client, "Karin Kvist")
    assert group == {
        "kind": "statement",
        "personId": robert,  # the first named, as before
        "personName": "Robert Mjörnberg m.fl. (V)",
        "text": "Vi håller med förvaltningen.",
        "party": "V",
        "andOthers": True,
        "authors": [
            {"personId": robert, "name": "Robert Mjörnberg"},
            {"personId": karin, "name": "Karin Kvist"},
        ],
    }


def test_a_statement_by_one_member_is_that_members(client):
    import_twice(client, GROUP)
    single = statements(client)[1]
    leif = person_id(client, "Leif Söderström")
    assert single["authors"] == [{"personId": leif, "name": "Leif Söderström"}]
    assert (single["personName"], single["party"], single["andOthers"]) == (
        "Leif Söderström",
        None,
        False,
    )


def test_a_statement_by_a_party_group_alone_keeps_the_group(client):
    import_twice(client, GROUP)
    party = statements(client)[2]
    assert party == {
        "kind": "reservation",
        "personId": None,
        "personName": "Vänsterpartiet",
        "text": "Vänsterpartiets reservation.",
        "party": "V",
        "andOthers": False,
        "authors": [],
    }


def test_a_group_statement_is_found_by_the_name_of_an_author_named_after_the_first(client):
    import_twice(client, GROUP)
    query = """{ search(query: "Karin Kvist", kinds: [DECISION]) { nodes { kind title } } }"""
    assert ask(client, query)["search"]["nodes"] == [
        {"kind": "DECISION", "title": "§ 1 (2022-04-19)"}
    ]


def test_several_authors_without_the_printed_form_are_named_together(client):
    text = GROUP.replace("            by_name: Robert Mjörnberg m.fl. (V)\n", "")
    import_twice(client, text)
    assert statements(client)[0]["personName"] == "Robert Mjörnberg, Karin Kvist"


def test_an_unknown_author_among_several_is_refused_at_its_place(client):
    text = GROUP.replace("by: [robert, karin]", "by: [robert, kerstin]")
    assert refused(client, text) == [
        ("items[0].decisions[0].statements[0].by[1]", "UNKNOWN_REFERENCE")
    ]


def test_a_statement_with_no_author_is_refused(client):
    text = HEAD + "          - {kind: statement, text: Ingen avsändare.}\n"
    assert refused(client, text) == [("items[0].decisions[0].statements[0]", "MISSING_FIELD")]


def test_a_changed_author_list_is_not_taken_as_a_correction(client):
    assert imported(client, GROUP) == "imported"
    changed = GROUP.replace("            and_others: true\n", "")
    problems = refused(client, changed, correct=True, reason="m.fl. borttaget")
    assert problems == [("items[0].decisions[0].statements[0].and_others", "NOT_CORRECTABLE")]
