"""Dates known only to the month or year, end to end on both stores: a body that ceased in
2019, a body renamed in a month, a decision taken "i december": kept as the document gives
them, never widened to a made-up day, and read as the interval they denote; an answer on a
day inside that interval says it is uncertain. Both time axes: asOf (valid time) and knownAt
(what the registry said before a later file told it)."""

from __future__ import annotations

from datetime import UTC, date, datetime

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
source: {document: Protokoll Avtalsutskottet 2020-03-06}
date: 2020-03-06
body: {ref: au, name: Avtalsutskottet, kind: utskott, owners: [region]}
organisations:
  - {ref: region, name: Testregionen, kind: region}
bodies:
  - {ref: svs, name: Sjukvårdsstyrelsen, kind: styrelse, owners: [region]}
  - {ref: hsn, name: Hälso- och sjukvårdsnämnden, kind: nämnd, owners: [region]}
persons:
  - {ref: anna, name: Anna Andersson, organisation: region}
meeting:
  present: [anna]
"""

CEASED = (
    HEAD
    + """\
background:
  cessations:
    - body: svs
      date: "2019"
      successor: au
      note: '"upphörde 2019 och avtalsutskottet tog då över ansvaret"'
items:
  - {number: 1, title: Välkommen}
"""
)

BODY = """query($name: String, $asOf: Date, $knownAt: DateTime) {
  bodies(name: $name, knownAt: $knownAt) { nodes {
    name status(asOf: $asOf) statusUncertain(asOf: $asOf)
    ceased { on { text precision earliest latest } how note }
    successor { name }
  } }
}"""


def body(client, name: str, as_of: str, known_at: str | None = None) -> dict:
    (found,) = ask(client, BODY, name=name, asOf=as_of, knownAt=known_at)["bodies"]["nodes"]
    return found


def test_a_body_that_ceased_in_a_year_is_ceased_after_it_and_uncertain_within_it(client):
    import_twice(client, CEASED)

    before = body(client, "Sjukvårdsstyrelsen", "2018-12-31")
    assert (before["status"], before["statusUncertain"]) == ("ACTIVE", False)
    within = body(client, "Sjukvårdsstyrelsen", "2019-06-30")
    assert (within["status"], within["statusUncertain"]) == ("ACTIVE", True)
    after = body(client, "Sjukvårdsstyrelsen", "2020-01-01")
    assert (after["status"], after["statusUncertain"]) == ("CEASED", False)
    assert after["ceased"] == {
        "on": {
            "text": "2019",
            "precision": "YEAR",
            "earliest": "2019-01-01",
            "latest": "2019-12-31",
        },
        "how": "DISSOLVED",
        "note": '"upphörde 2019 och avtalsutskottet tog då över ansvaret"',
    }
    assert after["successor"] == {"name": "Avtalsutskottet"}
    successor = body(client, "Avtalsutskottet", "2020-01-01")
    assert (successor["status"], successor["ceased"]) == ("ACTIVE", None)


def test_what_the_registry_said_before_it_learnt_that_a_body_ceased_stays_answerable(client):
    assert imported(client, HEAD + "items:\n  - {number: 1, title: Välkommen}\n") == "imported"
    before = datetime.now(UTC).isoformat()
    later = CEASED.replace("2020-03-06", "2020-04-03")
    assert imported(client, later) == "imported"

    now = body(client, "Sjukvårdsstyrelsen", "2020-03-06")
    assert (now["status"], now["ceased"]["on"]["text"]) == ("CEASED", "2019")
    then = body(client, "Sjukvårdsstyrelsen", "2020-03-06", known_at=before)
    assert (then["status"], then["statusUncertain"], then["ceased"]) == ("ACTIVE", False, None)


def test_a_body_merged_into_another_names_it(client):
    merged = CEASED.replace('      date: "2019"\n', '      date: "2019-05"\n      how: merged\n')
    import_twice(client, merged)
    found = body(client, "Sjukvårdsstyrelsen", "2019-06-01")
    assert found["status"] == "CEASED" and found["ceased"]["how"] == "MERGED"
    assert found["ceased"]["on"]["precision"] == "MONTH"
    assert found["successor"] == {"name": "Avtalsutskottet"}


def test_a_merger_without_the_body_merged_into_is_refused_at_its_path(client):
    text = CEASED.replace("      successor: au\n", "      how: merged\n")
    assert refused(client, text) == [("background.cessations[0]", "INVALID_INPUT")]
    (message,) = refusal_messages(client, text)
    assert "merged into another body: name it (successor)" in message


def test_a_rename_by_a_decision_whose_date_is_unknown_needs_its_date(client):
    undated = RENAMED.replace('        date: "2019-12"\n', "        date_not_after: 2020-03-06\n")
    assert refused(client, undated) == [("items[0].decisions[0].renames[0]", "INVALID_INPUT")]


def test_a_background_cessation_needs_its_date(client):
    text = CEASED.replace('      date: "2019"\n', "")
    assert refused(client, text) == [("background.cessations[0]", "INVALID_INPUT")]


def test_a_body_cannot_cease_twice(client):
    assert imported(client, CEASED) == "imported"
    again = CEASED.replace("2020-03-06", "2020-04-03").replace('"2019"', '"2018"')
    assert refused(client, again) == [("background.cessations[0].date", "INVALID_TRANSITION")]


RENAMED = (
    HEAD
    + """\
items:
  - number: 1
    title: Nytt namn
    decisions:
      - kind: decided
        body: hsn
        date: "2019-12"
        text: Nämnden byter namn till Hälso- och sjukvårdsnämnden i Region Test.
        note: '"beslut i december"; the year is read from the context.'
        renames:
          - {name: Hälso- och sjukvårdsnämnden i Region Test}
"""
)

NAMES = """query($asOf: Date) {
  bodies(name: "sjukvårdsnämnden") { nodes {
    name
    then: name(asOf: $asOf) nameUncertain(asOf: $asOf)
    renames { oldName name on { text precision earliest latest } }
  } }
}"""


def test_a_body_renamed_in_a_month_has_its_old_name_before_it_and_is_uncertain_within(client):
    import_twice(client, RENAMED)

    def named(as_of: str) -> dict:
        (found,) = ask(client, NAMES, asOf=as_of)["bodies"]["nodes"]
        return found

    assert named("2019-11-30")["then"] == "Hälso- och sjukvårdsnämnden"
    assert named("2019-11-30")["nameUncertain"] is False
    assert named("2019-12-15")["then"] == "Hälso- och sjukvårdsnämnden"
    assert named("2019-12-15")["nameUncertain"] is True
    after = named("2019-12-31")
    assert (after["then"], after["nameUncertain"]) == (
        "Hälso- och sjukvårdsnämnden i Region Test",
        False,
    )
    assert after["name"] == "Hälso- och sjukvårdsnämnden i Region Test"
    assert after["renames"] == [
        {
            "oldName": "Hälso- och sjukvårdsnämnden",
            "name": "Hälso- och sjukvårdsnämnden i Region Test",
            "on": {
                "text": "2019-12",
                "precision": "MONTH",
                "earliest": "2019-12-01",
                "latest": "2019-12-31",
            },
        }
    ]


DECISIONS = """query($asOf: Date, $knownAt: DateTime) {
  decisions(knownAt: $knownAt) { nodes {
    item decidedOn decidedOnUnknown decidedOnPrecision
    decidedIn { text precision earliest latest }
    status(asOf: $asOf) statusUncertain(asOf: $asOf) meeting { heldOn }
  } }
}"""


def decision(client, item: str, as_of: str) -> dict:
    nodes = ask(client, DECISIONS, asOf=as_of)["decisions"]["nodes"]
    (found,) = [d for d in nodes if d["item"] == item]
    return found


def test_a_decision_known_to_the_month_is_the_month_not_a_made_up_day(client):
    import_twice(client, RENAMED)

    within = decision(client, "1", "2019-12-15")
    assert within == {
        "item": "1",
        "decidedOn": "2019-12-31",  # the latest it can have been, as for date_not_after
        "decidedOnUnknown": True,
        "decidedOnPrecision": "MONTH",
        "decidedIn": {
            "text": "2019-12",
            "precision": "MONTH",
            "earliest": "2019-12-01",
            "latest": "2019-12-31",
        },
        "status": "NOT_YET_DECIDED",
        "statusUncertain": True,
        "meeting": None,  # not taken at the meeting whose minutes quote it
    }
    before = decision(client, "1", "2019-11-30")
    assert (before["status"], before["statusUncertain"]) == ("NOT_YET_DECIDED", False)
    after = decision(client, "1", "2019-12-31")
    assert (after["status"], after["statusUncertain"]) == ("IN_FORCE", False)


def test_a_decision_known_to_the_day_says_so(client):
    import_twice(
        client,
        CEASED.replace("items:\n  - {number: 1, title: Välkommen}\n", "")
        + "items:\n  - number: 1\n    title: Beslut\n    decisions:\n"
        "      - {kind: decided, text: Beslutas.}\n",
    )
    found = decision(client, "1", "2020-03-06")
    assert found["decidedOnPrecision"] == "DAY" and found["decidedOnUnknown"] is False
    assert found["decidedIn"]["text"] == "2020-03-06" and found["statusUncertain"] is False
    assert found["meeting"] == {"heldOn": "2020-03-06"}


def test_a_decision_quoted_without_its_date_is_uncertain_before_its_latest_day(client):
    undated = RENAMED.replace('        date: "2019-12"\n', "        date_not_after: 2020-03-06\n")
    undated = undated.replace("        renames:\n", "").replace(
        "          - {name: Hälso- och sjukvårdsnämnden i Region Test}\n", ""
    )
    import_twice(client, undated)
    found = decision(client, "1", "2020-01-01")
    assert found["decidedOnPrecision"] is None and found["decidedIn"] is None
    assert (found["status"], found["statusUncertain"]) == ("NOT_YET_DECIDED", True)


def test_a_member_appointed_by_a_decision_known_to_the_year_is_a_member_by_its_end(client):
    text = (
        HEAD
        + """\
items:
  - number: 1
    title: Val
    decisions:
      - kind: decided
        body: hsn
        date: "2019"
        text: Anna Andersson väljs till ledamot.
        appointments:
          - {person: anna, body: hsn}
"""
    )
    import_twice(client, text)
    query = """{ bodies(name: "Hälso- och sjukvårdsnämnden") { nodes {
      members(asOf: "2019-12-31") { personName from fromUnknown fromNotAfter } } } }"""
    (hsn,) = ask(client, query)["bodies"]["nodes"]
    assert hsn["members"] == [
        {
            "personName": "Anna Andersson",
            "from": None,
            "fromUnknown": True,
            "fromNotAfter": "2019-12-31",
        }
    ]


def test_a_date_known_to_the_year_where_a_day_is_needed_is_refused_and_says_why(client):
    text = CEASED.replace(
        "items:\n",
        '  appointments:\n    - {person: anna, body: au, start: "2019"}\nitems:\n',
    )
    assert refused(client, text) == [("background.appointments[0].start", "IMPRECISE_DATE")]
    (message,) = refusal_messages(client, text)
    assert "gives only the year" in message and "_not_after" in message


def test_a_month_that_does_not_exist_is_refused_at_its_path(client):
    text = RENAMED.replace('date: "2019-12"', 'date: "2019-13"')
    assert refused(client, text) == [("items[0].decisions[0].date", "INVALID_DATE")]


def test_a_date_in_no_form_the_format_takes_is_refused_at_its_path(client):
    text = CEASED.replace('date: "2019"', 'date: "våren 2019"')
    assert refused(client, text) == [("background.cessations[0].date", "INVALID_DATE")]


EXAMPLES = """{
  bodies(name: "Sjukvårdsstyrelserna") { nodes {
    status(asOf: "2019-06-01") statusUncertain(asOf: "2019-06-01")
    ceased { on { text precision } how } successor { name }
  } }
  decisions { nodes { item decidedOn decidedOnPrecision decidedIn { text } body { name } } }
}"""


def test_the_examples_keep_the_dates_their_documents_give_only_to_the_month_or_year(client):
    from pathlib import Path

    from registry.importing import import_file

    registry = client.app.state.registry
    for path in sorted((Path(__file__).parents[1] / "registry" / "examples").glob("*.yaml")):
        import_file(registry, path)
    client.app.state.runner.wait_for(registry.max_position())
    data = ask(client, EXAMPLES)

    assert data["bodies"]["nodes"] == [
        {
            "status": "ACTIVE",
            "statusUncertain": True,
            "ceased": {"on": {"text": "2019", "precision": "YEAR"}, "how": "DISSOLVED"},
            "successor": {"name": "Avtalsutskottet"},
        }
    ]
    by_month = sorted(
        (d["item"], d["decidedIn"]["text"], d["decidedOn"], d["body"]["name"])
        for d in data["decisions"]["nodes"]
        if d["decidedOnPrecision"] == "MONTH"
    )
    chefsgrupp = "Chefsgrupp för samverkan social välfärd och vård"
    assert by_month == [
        ("11", "2019-12", "2019-12-31", chefsgrupp),
        ("4", "2019-04", "2019-04-30", chefsgrupp),
        ("4", "2019-09", "2019-09-30", chefsgrupp),
    ]


def test_a_served_registry_answers_a_cessation_from_a_posted_file(settings, tmp_path):
    from tests.served import registry_process

    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        status, answer = server.post("/import", CEASED.encode(), "application/yaml")
        assert status == 200, answer
        answered = served_graphql(
            server, BODY, answer["position"], name="Sjukvårdsstyrelsen", asOf="2019-02-01"
        )
        (found,) = answered["bodies"]["nodes"]
        assert (found["status"], found["statusUncertain"]) == ("ACTIVE", True)
        assert found["ceased"]["on"] == {
            "text": "2019",
            "precision": "YEAR",
            "earliest": "2019-01-01",
            "latest": "2019-12-31",
        }


def test_a_year_of_cessation_known_better_later_is_a_correction_and_the_old_answer_stays(client):
    assert imported(client, CEASED) == "imported"
    before = datetime.now(UTC).isoformat()
    to_month = CEASED.replace('date: "2019"', 'date: "2019-05"')
    status = imported(client, to_month, correct=True, reason="Protokollet från maj 2019 hittat")
    assert status == "corrected"

    now = body(client, "Sjukvårdsstyrelsen", "2019-06-01")
    assert (now["status"], now["statusUncertain"]) == ("CEASED", False)
    assert now["ceased"]["on"]["text"] == "2019-05"
    then = body(client, "Sjukvårdsstyrelsen", "2019-06-01", known_at=before)
    assert (then["status"], then["statusUncertain"]) == ("ACTIVE", True)
    assert then["ceased"]["on"]["text"] == "2019"
    query = '{ bodies(name: "Sjukvårdsstyrelsen") { nodes { ceased { correctionReason } } } }'
    (corrected,) = ask(client, query)["bodies"]["nodes"]
    assert corrected["ceased"]["correctionReason"] == "Protokollet från maj 2019 hittat"


# -- the rules themselves, through the application (both stores) ---------------------------


def test_a_partial_date_is_the_interval_it_denotes_and_refuses_what_is_no_date():
    import pytest

    from registry.dates import PartialDate, Position
    from registry.errors import InvalidInput

    february = PartialDate.parse("2020-02")
    assert (february.earliest.isoformat(), february.latest.isoformat()) == (
        "2020-02-01",
        "2020-02-29",
    )
    assert [
        february.position(PartialDate.parse(d).earliest)
        for d in ("2020-01-31", "2020-02-28", "2020-02-29")
    ] == [
        Position.BEFORE,
        Position.WITHIN,
        Position.AFTER,
    ]
    for wrong in ("2019-02-29", "2019-00", "19", "2019-1", "våren 2019"):
        with pytest.raises(InvalidInput):
            PartialDate.parse(wrong)


def test_the_application_refuses_a_month_precision_whose_day_is_not_the_months_last(registry, ctx):
    import pytest

    from registry.errors import InvalidInput

    body = registry.register_body("Nämnden", "nämnd", ctx)
    with pytest.raises(InvalidInput):
        registry.record_decision(
            body,
            date(2019, 12, 15),
            "1",
            "decided",
            "Beslut i december.",
            ctx,
            decided_on_unknown=True,
            decided_precision="month",
        )


def test_a_body_cannot_be_its_own_successor_nor_cease_before_its_term(registry, ctx):
    import pytest

    from registry.errors import InvalidInput

    body = registry.register_body("Nämnden", "nämnd", ctx, term_start=date(2020, 1, 1))
    with pytest.raises(InvalidInput):
        registry.cease_body(body, "2019", ctx)
    with pytest.raises(InvalidInput):
        registry.cease_body(body, "2021", ctx, successor_body_id=body)
    registry.cease_body(body, "2021", ctx)


def test_a_body_that_surely_ceased_takes_no_new_members_but_may_within_its_year(client):
    assert imported(client, CEASED) == "imported"
    later = CEASED.replace("2020-03-06", "2020-04-03").replace(
        "  cessations:\n",
        "  appointments:\n    - {person: anna, body: svs, start: 2020-01-01}\n  cessations:\n",
    )
    assert refused(client, later) == [("background.appointments[0].start", "INVALID_TRANSITION")]
    within = later.replace("start: 2020-01-01", "start: 2019-06-01")
    assert imported(client, within) == "imported"
