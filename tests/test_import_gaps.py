"""What a document leaves unknown is said as unknown, not guessed, end to end on both stores:
the file's field is imported, importing it again changes nothing, the refusals name their
path in the file, and GraphQL over HTTP answers with it."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from projections.runner import ProjectionRunner
from projections.sql import Db
from registry.application import Registry
from registry.errors import InvalidInput
from registry.ids import natural_id
from registry.importing import ImportRefused, import_file, import_text
from registry.values import Context, Source

ROOT = Path(__file__).resolve().parents[1]

HEAD = """\
version: 1
kind: minutes
source: {document: Protokoll Testnämnden 2021-04-01}
date: 2021-04-01
body: {ref: board, name: Testnämnden, kind: nämnd, owners: [kommun]}
organisations:
  - {ref: kommun, name: Testkommun, kind: kommun}
  - {ref: region, name: Testregionen, kind: region}
persons:
  - {ref: anna, name: Anna Andersson, organisation: kommun}
  - {ref: bo, name: Bo Berg, organisation: kommun}
  - {ref: cecilia, name: Cecilia Carlsson, organisation: region}
meeting:
  present: [anna, bo, cecilia]
  chair: anna
"""


@pytest.fixture
def client(settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as http:
        yield http


def imported(client: TestClient, text: str, **options) -> str:
    """Import `text` with the app's registry and wait until the read models have it."""
    registry = client.app.state.registry
    status = import_text(registry, text, "test.yaml", **options).status
    client.app.state.runner.wait_for(registry.max_position())
    return status


def import_twice(client: TestClient, text: str) -> None:
    """The file imports, and importing it again writes nothing."""
    registry = client.app.state.registry
    assert imported(client, text) == "imported"
    position = registry.max_position()
    assert imported(client, text) == "unchanged"
    assert registry.max_position() == position


def refused(client: TestClient, text: str) -> list[tuple[str, str]]:
    registry = client.app.state.registry
    position = registry.max_position()
    with pytest.raises(ImportRefused) as refusal:
        import_text(registry, text, "test.yaml")
    assert registry.max_position() == position
    return [(p.path, p.code) for p in refusal.value.problems]


def ask(client: TestClient, query: str, **variables) -> dict:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "errors" not in answer, answer
    return answer["data"]


# -- an agreement whose start is unknown ------------------------------------------------------

AGREEMENT = (
    HEAD
    + """\
background:
  agreements:
    - ref: avtal
      title: Tandvårdsavtal
      parties: [kommun, region]
      valid_from_not_after: 2020-01-01
      valid_until: 2022-12-31
      note: Revised "under 2020"; its start is not in the minutes.
items:
  - number: 1
    title: Revidering av tandvårdsavtal
    decisions:
      - kind: approved
        text: Revideringen godkänns.
        revisions:
          - {agreement: avtal, description: Ersättningen höjs., from: 2021-04-01}
"""
)

AGREEMENTS = """query($on: Date, $knownAt: DateTime) {
  agreements(validOn: $on, knownAt: $knownAt) { nodes {
    title validFrom validFromUnknown validFromNotAfter inForceFrom effectiveUntil
  } }
}"""


def test_an_agreement_whose_start_is_unknown_is_valid_from_the_day_it_is_known_valid(client):
    import_twice(client, AGREEMENT)

    assert ask(client, AGREEMENTS, on="2019-12-31")["agreements"]["nodes"] == []
    (avtal,) = ask(client, AGREEMENTS, on="2020-01-01")["agreements"]["nodes"]
    assert avtal == {
        "title": "Tandvårdsavtal",
        "validFrom": None,
        "validFromUnknown": True,
        "validFromNotAfter": "2020-01-01",
        "inForceFrom": "2020-01-01",
        "effectiveUntil": "2022-12-31",
    }


def test_an_agreement_with_a_known_start_says_its_start_is_known(client):
    import_twice(client, AGREEMENT.replace("valid_from_not_after:", "valid_from:"))

    (avtal,) = ask(client, AGREEMENTS, on="2020-01-01")["agreements"]["nodes"]
    assert avtal["validFrom"] == "2020-01-01"
    assert avtal["validFromUnknown"] is False and avtal["validFromNotAfter"] is None


def test_a_start_learnt_later_is_a_correction_and_the_old_answer_stays_known(client):
    assert imported(client, AGREEMENT) == "imported"
    before = datetime.now(UTC).isoformat()
    corrected = AGREEMENT.replace("valid_from_not_after: 2020-01-01", "valid_from: 2019-07-01")
    status = imported(client, corrected, correct=True, reason="Avtalet hittat: gäller från 1 juli")
    assert status == "corrected"

    (now,) = ask(client, AGREEMENTS, on="2019-07-01")["agreements"]["nodes"]
    assert now["validFrom"] == "2019-07-01" and now["validFromUnknown"] is False
    assert now["validFromNotAfter"] is None and now["inForceFrom"] == "2019-07-01"
    (then,) = ask(client, AGREEMENTS, on="2020-01-01", knownAt=before)["agreements"]["nodes"]
    assert then["validFromUnknown"] is True and then["validFromNotAfter"] == "2020-01-01"


def test_valid_from_and_valid_from_not_after_together_are_refused_at_their_path(client):
    text = AGREEMENT.replace(
        "      valid_from_not_after: 2020-01-01\n",
        "      valid_from: 2019-01-01\n      valid_from_not_after: 2020-01-01\n",
    )
    assert refused(client, text) == [
        ("background.agreements[0].valid_from_not_after", "INVALID_INPUT")
    ]


def test_an_agreement_ending_before_the_day_it_is_known_valid_is_refused(client):
    text = AGREEMENT.replace("valid_until: 2022-12-31", "valid_until: 2019-12-31")
    assert refused(client, text) == [("background.agreements[0].valid_until", "END_BEFORE_START")]


def test_a_store_made_before_the_field_existed_gains_its_column(settings):
    registry = Registry(settings)
    runner = ProjectionRunner(registry)
    with runner.views.datastore.transaction(commit=True) as cursor:
        db = Db(cursor, runner.views.dialect, getattr(runner.views.datastore, "schema", "public"))
        db.execute("ALTER TABLE {s}agreement_versions DROP COLUMN valid_from_not_after")
        # Made before the read models' schema versions were stored, too.
        db.execute("DROP TABLE {s}read_model_versions")
    runner.close()

    runner = ProjectionRunner(registry)  # attaching the read models rebuilds them
    try:
        import_text(registry, AGREEMENT, "test.yaml")
        runner.catch_up()
        with runner.views.reading() as db:
            (row,) = runner.agreements.valid_on(db, date(2020, 1, 1), datetime.now(UTC))
        assert row.valid_from_not_after == date(2020, 1, 1)
    finally:
        runner.close()
        registry.close()


# -- a decision whose date is unknown ---------------------------------------------------------

UNDATED = (
    HEAD
    + """\
bodies:
  - {ref: styrelse, name: Förbundets styrelse, kind: styrelse, owners: [kommun]}
  - {ref: grupp, name: Arbetsgruppen, kind: arbetsgrupp, owners: [kommun]}
items:
  - number: 1
    title: Information
    decisions:
      - kind: endorsed
        body: styrelse
        date_not_after: 2021-04-01
        text: Styrelsen har ställt sig bakom målbilden.
        note: Quoted without a date.
        appointments:
          - {person: cecilia, body: grupp}
      - kind: noted
        text: Nämnden noterar informationen.
"""
)

DECISIONS = """query($body: ID) {
  decisions(bodyId: $body) { nodes {
    item ordinal decidedOn decidedOnUnknown kind meeting { heldOn } body { name }
    source { note }
  } }
}"""

MEMBERS = """query($body: ID!, $asOf: Date) {
  members(bodyId: $body, asOf: $asOf) { nodes { personName from fromUnknown fromNotAfter } }
}"""

BODIES = """query($name: String) { bodies(name: $name) { nodes { id name } } }"""


def body_id(client: TestClient, name: str) -> str:
    (body,) = ask(client, BODIES, name=name)["bodies"]["nodes"]
    return body["id"]


def test_a_decision_quoted_without_its_date_is_recorded_as_taken_by_that_day(client):
    import_twice(client, UNDATED)

    (undated,) = ask(client, DECISIONS, body=body_id(client, "Förbundets styrelse"))["decisions"][
        "nodes"
    ]
    assert undated == {
        "item": "1",
        "ordinal": 1,
        "decidedOn": "2021-04-01",
        "decidedOnUnknown": True,
        "kind": "ENDORSED",
        "meeting": None,  # not taken at the meeting whose minutes quote it
        "body": {"name": "Förbundets styrelse"},
        "source": {"note": "Quoted without a date."},
    }
    (dated,) = ask(client, DECISIONS, body=body_id(client, "Testnämnden"))["decisions"]["nodes"]
    assert dated["decidedOnUnknown"] is False and dated["meeting"] == {"heldOn": "2021-04-01"}


def test_a_member_appointed_by_an_undated_decision_is_a_member_by_that_day(client):
    import_twice(client, UNDATED)

    members = ask(client, MEMBERS, body=body_id(client, "Arbetsgruppen"), asOf="2021-04-01")
    assert members["members"]["nodes"] == [
        {
            "personName": "Cecilia Carlsson",
            "from": None,
            "fromUnknown": True,
            "fromNotAfter": "2021-04-01",
        }
    ]


def test_date_and_date_not_after_together_are_refused_at_their_path(client):
    text = UNDATED.replace(
        "        date_not_after: 2021-04-01\n",
        "        date: 2021-03-01\n        date_not_after: 2021-04-01\n",
    )
    assert refused(client, text) == [("items[0].decisions[0].date_not_after", "INVALID_INPUT")]


def test_an_effect_that_needs_the_undated_decisions_day_is_refused_at_its_path(client):
    text = UNDATED.replace(
        "        appointments:\n          - {person: cecilia, body: grupp}\n",
        "        assignments:\n          - {ref: u, task: Utreda, holder: grupp}\n"
        "        completions:\n          - {assignment: u}\n",
    )
    assert refused(client, text) == [("items[0].decisions[0].completions[0]", "INVALID_INPUT")]
    dated = text.replace(
        "completions:\n          - {assignment: u}",
        "completions:\n          - {assignment: u, completed_on: 2021-04-01}",
    )
    assert imported(client, dated) == "imported"


# -- several secretaries ---------------------------------------------------------------------------

SECRETARIES = (
    HEAD.replace(
        "  chair: anna\n",
        "  chair: anna\n"
        "  secretaries:\n"
        "    - {person: bo, note: For the municipality.}\n"
        "    - cecilia\n",
    )
    + """\
items:
  - number: 1
    title: Mötets öppnande
"""
)

MEETINGS = """{
  meetings { nodes {
    heldOn chair { name } secretary { name } secretaries { name person { name } } source { note }
  } }
}"""


def test_minutes_kept_by_two_secretaries_name_both(client):
    import_twice(client, SECRETARIES)

    (meeting,) = ask(client, MEETINGS)["meetings"]["nodes"]
    assert meeting["secretary"] == {"name": "Bo Berg"}
    assert meeting["secretaries"] == [
        {"name": "Bo Berg", "person": {"name": "Bo Berg"}},
        {"name": "Cecilia Carlsson", "person": {"name": "Cecilia Carlsson"}},
    ]
    assert meeting["source"]["note"] == "secretary Bo Berg: For the municipality."


def test_one_secretary_is_still_written_secretary_and_is_the_only_one(client):
    import_twice(
        client, HEAD.replace("  chair: anna\n", "  chair: anna\n  secretary: bo\n") + "items: []\n"
    )

    (meeting,) = ask(client, MEETINGS)["meetings"]["nodes"]
    assert meeting["secretary"] == {"name": "Bo Berg"}
    assert meeting["secretaries"] == [{"name": "Bo Berg", "person": {"name": "Bo Berg"}}]


def test_a_meeting_without_a_secretary_has_none(client):
    import_twice(client, HEAD + "items: []\n")

    (meeting,) = ask(client, MEETINGS)["meetings"]["nodes"]
    assert meeting["secretary"] is None and meeting["secretaries"] == []


def test_secretary_and_secretaries_together_are_refused(client):
    text = SECRETARIES.replace("  chair: anna\n", "  chair: anna\n  secretary: anna\n")
    assert refused(client, text) == [("meeting.secretaries", "INVALID_INPUT")]


def test_a_secretary_named_twice_is_refused_at_the_second_place(client):
    text = SECRETARIES.replace("    - cecilia\n", "    - Bo Berg\n")
    assert refused(client, text) == [("meeting.secretaries[1]", "INVALID_INPUT")]


def test_an_unknown_secretary_is_refused_at_its_path(client):
    text = SECRETARIES.replace("    - cecilia\n", "    - {person: Doris Dahl}\n")
    assert refused(client, text) == [("meeting.secretaries[1].person", "UNKNOWN_REFERENCE")]


# -- events recorded before the fields existed --------------------------------------------------


def stored_without(registry: Registry, aggregate_id, field: str):
    """The aggregate's first event as the code before `field` existed stored it."""
    stored = registry.recorder.select_events(aggregate_id)[0]
    state = json.loads(stored.state)
    state.pop(field)
    return registry.mapper.to_domain_event(
        dataclasses.replace(stored, state=json.dumps(state).encode())
    )


def test_events_recorded_before_the_fields_existed_still_load(registry):
    import_text(registry, AGREEMENT, "test.yaml")
    agreement = stored_without(
        registry, natural_id("agreement", "Tandvårdsavtal"), "valid_from_not_after"
    ).mutate(None)
    assert agreement.valid_from_not_after is None and agreement.in_force_from() is None

    ctx = Context("test", Source("Protokoll"))
    body = registry.register_body("Nämnden", "nämnd", ctx)
    decision = registry.record_decision(body, date(2021, 4, 1), "1", "noted", "Noteras.", ctx)
    old = stored_without(registry, decision, "decided_on_unknown").mutate(None)
    assert old.decided_on_unknown is False and old.decided_on == date(2021, 4, 1)

    person = registry.register_person("Bo Berg", ctx)
    meeting = registry.hold_meeting(body, date(2021, 4, 1), ctx, secretary_id=person)
    held = stored_without(registry, meeting, "additional_secretary_ids").mutate(None)
    assert held.secretary_id == person and held.additional_secretary_ids == ()


# -- a report on an assignment that goes on ------------------------------------------------------

REPORTS = (
    HEAD
    + """\
bodies:
  - {ref: grupp, name: Arbetsgruppen, kind: arbetsgrupp, owners: [kommun]}
background:
  assignments:
    - {ref: visam, task: Ersätta användargrupperna med metodhandledare, holder: grupp}
  reports:
    - assignment: visam
      reported_on: 2021-03-15
      text: Metodhandledare utses i varje kommun.
      note: Reported by e-mail before the meeting.
items:
  - number: 1
    title: Återrapportering
    decisions:
      - kind: noted
        text: Återrapporteringen noteras; arbetet fortsätter.
        reports:
          - assignment: visam
            text: Hälften av kommunerna har utsett metodhandledare.
"""
)

ASSIGNMENTS = """query($asOf: Date) {
  assignments(asOf: $asOf) { nodes {
    task status(asOf: $asOf) reports { reportedOn text }
    events { type effectiveDate source { item note } }
  } }
}"""


def test_reports_on_an_assignment_are_recorded_and_it_stays_open(client):
    import_twice(client, REPORTS)

    (visam,) = ask(client, ASSIGNMENTS, asOf="2021-04-01")["assignments"]["nodes"]
    assert visam["status"] == "OPEN"
    assert visam["reports"] == [
        {"reportedOn": "2021-03-15", "text": "Metodhandledare utses i varje kommun."},
        {"reportedOn": "2021-04-01", "text": "Hälften av kommunerna har utsett metodhandledare."},
    ]
    reported = [e for e in visam["events"] if e["type"] == "Reported"]
    assert reported == [
        {
            "type": "Reported",
            "effectiveDate": "2021-03-15",
            "source": {"item": None, "note": "Reported by e-mail before the meeting."},
        },
        {"type": "Reported", "effectiveDate": "2021-04-01", "source": {"item": "1", "note": None}},
    ]


def test_a_background_report_needs_its_date(client):
    text = REPORTS.replace("      reported_on: 2021-03-15\n", "")
    assert refused(client, text) == [("background.reports[0]", "INVALID_INPUT")]


def test_a_report_on_a_completed_assignment_is_refused_at_its_path(client):
    text = REPORTS.replace(
        "      - kind: noted\n        text: Återrapporteringen",
        "      - kind: noted\n        text: Uppdraget anses färdigt.\n"
        "        completions:\n          - {assignment: visam}\n"
        "      - kind: noted\n        text: Återrapporteringen",
    )
    assert refused(client, text) == [("items[0].decisions[1].reports[0]", "INVALID_TRANSITION")]


def test_a_report_on_an_assignment_the_file_does_not_name_is_refused_at_its_path(client):
    text = REPORTS.replace("          - assignment: visam\n", "          - assignment: tne\n")
    assert refused(client, text) == [
        ("items[0].decisions[0].reports[0].assignment", "UNKNOWN_REFERENCE")
    ]


def test_a_report_dated_before_the_assignment_was_given_is_refused_at_its_date(client):
    text = REPORTS.replace(
        "    - {ref: visam, task: Ersätta användargrupperna med metodhandledare, holder: grupp}",
        "    - {ref: visam, task: Ersätta användargrupperna, holder: grupp, given_on: 2021-03-20}",
    )
    assert refused(client, text) == [("background.reports[0].reported_on", "INVALID_INPUT")]


def test_the_application_refuses_a_secretary_named_twice(registry, ctx):
    body = registry.register_body("Nämnden", "nämnd", ctx)
    bo = registry.register_person("Bo Berg", ctx)
    with pytest.raises(InvalidInput, match="Bo Berg is named as secretary twice"):
        registry.hold_meeting(
            body, date(2021, 4, 1), ctx, secretary_id=bo, additional_secretary_ids=[bo]
        )
    with pytest.raises(InvalidInput, match="name the first secretary as secretary_id"):
        registry.hold_meeting(body, date(2021, 4, 1), ctx, additional_secretary_ids=[bo])


# -- the example files use the fields ------------------------------------------------------------

EXAMPLES_QUERY = """{
  agreements(validOn: "2020-03-06") { nodes { title validFromUnknown validFromNotAfter } }
  decisions { nodes { decidedOn decidedOnUnknown decidedOnPrecision body { name } } }
  assignments { nodes { task reports { reportedOn } } }
  meetings { nodes { heldOn secretaries { name } } }
}"""


def test_the_example_files_say_what_their_documents_leave_unknown(client):
    for path in sorted((ROOT / "registry" / "examples").glob("*.yaml")):
        import_file(client.app.state.registry, path)
    client.app.state.runner.wait_for(client.app.state.registry.max_position())
    data = ask(client, EXAMPLES_QUERY)

    unknown_start = {
        a["title"]: a["validFromNotAfter"]
        for a in data["agreements"]["nodes"]
        if a["validFromUnknown"]
    }
    assert unknown_start == {
        "Tandvårdsavtal": "2020-01-01",
        "Överenskommelse om samverkan vid utskrivning från sluten hälso- och sjukvård (LUS)": (
            "2020-01-01"
        ),
    }
    undated = sorted(
        (d["body"]["name"], d["decidedOn"])
        for d in data["decisions"]["nodes"]
        if d["decidedOnUnknown"] and d["decidedOnPrecision"] is None  # not even the month
    )
    assert undated == [
        ("Borgarrådsberedningen", "2022-06-01"),
        ("Hälso- och sjukvårdens ledningsgrupp", "2020-02-07"),
        ("Hälso- och sjukvårdsnämnden", "2020-03-06"),
        ("Storsthlms styrelse", "2022-06-01"),
        ("VästKoms styrelse", "2020-03-06"),
    ]
    reported = {a["task"] for a in data["assignments"]["nodes"] if a["reports"]}
    assert (
        "Ersätta nuvarande användargrupper (som inte fungerat) med superusers/metodhandledare"
        in reported
    )
    secretaries = [m["secretaries"] for m in data["meetings"]["nodes"] if len(m["secretaries"]) > 1]
    assert secretaries == [[{"name": "Rose-Marie Nyborg"}, {"name": "Anneli Assmundson Bjerde"}]]
