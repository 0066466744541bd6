"""A municipal decision's life after the meeting, end to end on both stores: the minutes are
approved (justering) and posted (anslag); the decision is NOT_APPROVED before, APPEALABLE in
the three weeks after the posting, FINAL (laga kraft) after; APPEALED when appealed in time,
ANNULLED when the court quashes it, FINAL again when the court lets it stand. A paragraph
approved at once (omedelbar justering) has its own, earlier window. Both time axes: what the
registry said before the appeal was recorded stays answerable. The invented nämnd of
tests/import_cases/lifecycle-namnd.yaml carries all of it, with a vacant seat, a
tjänstgörande ersättare, a vote with counts and a reservation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.minutes_client import (
    ask,
    client,
    import_twice,
    imported,
    refused,
    served_graphql,
)
from tests.served import registry_process

__all__ = ["client"]

CASE = (Path(__file__).parent / "import_cases" / "lifecycle-namnd.yaml").read_text()

MEETING = """{
  meetings { nodes {
    heldOn
    approval {
      approvedOn justerare { name person { name } }
      posted { on takenDownOn keptAt } appealDeadline
      immediateItems { item approvedOn postedOn appealDeadline }
    }
    servingDeputies { name servingForName }
    body { kind composition(asOf: "2026-05-26") { defined filled vacant } }
  } }
}"""

DECISIONS = """query($asOf: Date, $knownAt: DateTime) {
  decisions(knownAt: $knownAt) { nodes {
    id item appealDeadline
    legalStatus(asOf: $asOf) finalOn(asOf: $asOf)
    appeals { appellant filedOn court caseNumber outcome outcomeOn }
    votes { yes no abstain }
    statements { kind personName vote { question } }
  } }
}"""


def decisions(client, as_of: str, known_at: str | None = None) -> dict[str, dict]:
    found = ask(client, DECISIONS, asOf=as_of, knownAt=known_at)["decisions"]["nodes"]
    return {d["item"]: d for d in found}


def status(client, item: str, as_of: str, known_at: str | None = None) -> tuple:
    d = decisions(client, as_of, known_at)[item]
    return d["legalStatus"], d["finalOn"]


APPEAL = """\
version: 1
kind: minutes
source: {document: Protokoll Socialnämnden i Exempelby kommun %(date)s (påhittat)}
date: %(date)s
body: {ref: sn, name: Socialnämnden i Exempelby, kind: nämnd}
persons:
  - {ref: anna, name: Anna Alm, organisation: Exempelby kommun}
organisations:
  - {ref: exempelby, name: Exempelby kommun, kind: kommun}
meeting:
  present: [anna]
  chair: anna
items:
  - number: 1
    title: Meddelanden
    decisions:
      - kind: noted
        text: %(text)s
        appeals:
          - decision: {date: 2026-05-26, item: 2}
            appellant: Olle Överklagare
            filed_on: 2026-06-15
            court: Förvaltningsrätten i Exempelstad
            case_number: "1234-26"%(outcome)s
"""


def appeal_file(day: str, outcome: str | None = None, on: str | None = None) -> str:
    ruling = f"\n            outcome: {outcome}\n            outcome_on: {on}" if outcome else ""
    text = "Överklagandet anmäls." if not outcome else "Förvaltningsrättens dom anmäls."
    return APPEAL % {"date": day, "text": text, "outcome": ruling}


def test_the_invented_namnd_carries_justering_anslag_deadline_seat_deputy_vote_and_reservation(
    client,
):
    import_twice(client, CASE)
    (meeting,) = ask(client, MEETING)["meetings"]["nodes"]
    assert meeting["approval"] == {
        "approvedOn": "2026-05-28",
        "justerare": [{"name": "Cecilia Cedér", "person": {"name": "Cecilia Cedér"}}],
        "posted": {
            "on": "2026-05-29",
            "takenDownOn": "2026-06-23",
            "keptAt": "Socialförvaltningen, Kommunhuset, Exempelby",
        },
        "appealDeadline": "2026-06-22",  # three weeks: midsommarafton, to Monday
        "immediateItems": [
            {
                "item": "4",
                "approvedOn": "2026-05-26",
                "postedOn": "2026-05-27",
                "appealDeadline": "2026-06-17",
            }
        ],
    }
    assert meeting["servingDeputies"] == [{"name": "Fia Fransson", "servingForName": "Bo Björk"}]
    composition = meeting["body"]["composition"]
    assert (composition["defined"], composition["vacant"]) == (7, 2)  # 5 + 2 ersättare
    found = decisions(client, "2026-06-01")
    assert found["2"]["votes"] == [{"yes": 3, "no": 1, "abstain": None}]
    assert found["2"]["statements"] == [
        {
            "kind": "reservation",
            "personName": "Cecilia Cedér",
            "vote": {"question": "Förvaltningens förslag mot Cecilia Cedérs yrkande om återremiss"},
        }
    ]
    assert {i: d["appealDeadline"] for i, d in found.items()} == {
        "1": "2026-06-22",
        "2": "2026-06-22",
        "3": "2026-06-22",
        "4": "2026-06-17",
    }


def test_one_vacant_member_seat_of_five(client):
    imported(client, CASE)
    query = """{ bodies(name: "Socialnämnden i Exempelby") { nodes {
      composition(asOf: "2026-05-26") { groups { label defined filled vacant } } } } }"""
    (body,) = ask(client, query)["bodies"]["nodes"]
    groups = {g["label"]: g for g in body["composition"]["groups"]}
    assert (groups["ledamot"]["defined"], groups["ledamot"]["vacant"]) == (5, 1)


def test_before_justering_during_the_window_and_after_it(client):
    imported(client, CASE)
    assert status(client, "2", "2026-05-26") == ("NOT_APPROVED", None)  # the meeting's day
    assert status(client, "2", "2026-05-27") == ("NOT_APPROVED", None)
    assert status(client, "2", "2026-05-28") == ("APPEALABLE", None)  # justerat, not posted
    assert status(client, "2", "2026-06-19") == ("APPEALABLE", None)
    assert status(client, "2", "2026-06-22") == ("APPEALABLE", None)  # the last day
    assert status(client, "2", "2026-06-23") == ("FINAL", "2026-06-23")  # laga kraft
    assert status(client, "2", "2027-01-01") == ("FINAL", "2026-06-23")


def test_a_paragraph_approved_at_once_has_its_own_earlier_window(client):
    imported(client, CASE)
    assert status(client, "4", "2026-05-26") == ("APPEALABLE", None)  # omedelbart justerad
    assert status(client, "2", "2026-05-26") == ("NOT_APPROVED", None)
    assert status(client, "4", "2026-06-17") == ("APPEALABLE", None)
    assert status(client, "4", "2026-06-18") == ("FINAL", "2026-06-18")
    assert status(client, "2", "2026-06-18") == ("APPEALABLE", None)


def test_appealed_then_annulled_on_both_time_axes(client):
    imported(client, CASE)
    before_appeal = datetime.now(UTC).isoformat()
    assert imported(client, appeal_file("2026-06-30")) == "imported"
    (appeal,) = decisions(client, "2026-07-01")["2"]["appeals"]
    assert appeal == {
        "appellant": "Olle Överklagare",
        "filedOn": "2026-06-15",
        "court": "Förvaltningsrätten i Exempelstad",
        "caseNumber": "1234-26",
        "outcome": None,
        "outcomeOn": None,
    }
    assert status(client, "2", "2026-06-14") == ("APPEALABLE", None)
    assert status(client, "2", "2026-06-15") == ("APPEALED", None)
    assert status(client, "2", "2026-07-01") == ("APPEALED", None)
    assert status(client, "4", "2026-07-01") == ("FINAL", "2026-06-18")  # not appealed
    # As the registry knew it before the appeal was recorded: final.
    assert status(client, "2", "2026-07-01", before_appeal) == ("FINAL", "2026-06-23")

    before_ruling = datetime.now(UTC).isoformat()
    ruling = appeal_file("2026-09-15", "annulled", "2026-09-10")
    assert imported(client, ruling) == "imported"
    assert status(client, "2", "2026-09-09") == ("APPEALED", None)
    assert status(client, "2", "2026-09-10") == ("ANNULLED", None)
    assert decisions(client, "2026-09-10")["2"]["appeals"][0]["outcome"] == "ANNULLED"
    assert status(client, "2", "2026-09-10", before_ruling) == ("APPEALED", None)
    assert status(client, "2", "2026-09-10", before_appeal) == ("FINAL", "2026-06-23")


def test_an_appeal_the_court_rejects_leaves_the_decision_final_from_the_ruling(client):
    imported(client, CASE)
    imported(client, appeal_file("2026-06-30"))
    imported(client, appeal_file("2026-10-01", "rejected", "2026-09-28"))
    assert status(client, "2", "2026-09-27") == ("APPEALED", None)
    assert status(client, "2", "2026-09-28") == ("FINAL", "2026-09-28")


def test_the_ruling_may_be_given_in_the_same_entry_as_the_appeal(client):
    imported(client, CASE)
    imported(client, appeal_file("2026-10-01", "annulled", "2026-09-28"))
    assert status(client, "2", "2026-09-28") == ("ANNULLED", None)
    assert status(client, "2", "2026-09-27") == ("APPEALED", None)


def test_a_body_that_is_not_a_kommunal_namnd_has_no_legal_status(client):
    samverkan = CASE.replace("kind: nämnd", "kind: samverkansorgan").replace(
        "Socialnämnden i Exempelby", "Samverkansorganet i Exempelby"
    )
    imported(client, samverkan)
    found = decisions(client, "2026-07-01")
    assert {d["legalStatus"] for d in found.values()} == {None}
    assert {d["appealDeadline"] for d in found.values()} == {None}


def test_a_deferred_or_referred_back_item_has_no_legal_status(client):
    """Bordläggning and återremiss only prepare the matter: they cannot be appealed."""
    deferred = CASE.replace(
        "      - {kind: noted, text: Redovisningen av delegationsbeslut läggs till handlingarna.}",
        "      - {kind: deferred, text: Ärendet bordläggs.}",
    ).replace(
        "      - kind: decided\n        text: Socialnämnden lämnar",
        "      - kind: referred_back\n        text: Socialnämnden lämnar",
    )
    imported(client, deferred)
    found = decisions(client, "2026-07-01")
    assert {i: d["legalStatus"] for i, d in found.items()} == {
        "1": "FINAL",
        "2": "FINAL",
        "3": None,
        "4": None,
    }
    assert (found["3"]["appealDeadline"], found["4"]["appealDeadline"]) == (None, None)


def test_minutes_of_a_namnd_without_justering_recorded_are_not_approved(client):
    start = CASE.index("  approval:")
    end = CASE.index("items:")
    imported(client, CASE[:start] + CASE[end:])
    found = decisions(client, "2027-01-01")
    assert {d["legalStatus"] for d in found.values()} == {"NOT_APPROVED"}
    assert {d["appealDeadline"] for d in found.values()} == {None}


AUDIT = """query($id: ID!) { auditTrail(id: $id) { nodes { type effectiveDate data } } }"""
FEED = """{ changes(first: 500) { nodes { type entityType effectiveDate } } }"""


def test_justering_and_the_appeal_are_on_the_decisions_audit_trail_and_in_the_change_feed(
    client,
):
    imported(client, CASE)
    imported(client, appeal_file("2026-10-01", "annulled", "2026-09-28"))
    decision_id = decisions(client, "2026-07-01")["2"]["id"]
    trail = ask(client, AUDIT, id=decision_id)["auditTrail"]["nodes"]
    mine = [(e["type"], e["effectiveDate"]) for e in trail]
    assert ("MinutesApproved", "2026-05-28") in mine
    assert ("AppealFiled", "2026-06-15") in mine
    assert ("AppealRuledOn", "2026-09-28") in mine
    assert [t for t, _ in mine].index("MinutesApproved") < [t for t, _ in mine].index("AppealFiled")
    feed = [(e["type"], e["entityType"]) for e in ask(client, FEED)["changes"]["nodes"]]
    assert ("MinutesApproved", "meeting") in feed
    assert ("AppealFiled", "decision") in feed
    assert ("AppealRuledOn", "decision") in feed


def test_refusals_name_the_field_and_write_nothing(client):
    early = CASE.replace("posted_on: 2026-05-29", "posted_on: 2026-05-27")
    assert refused(client, early) == [("meeting.approval.posted_on", "INVALID_INPUT")]
    unknown_item = CASE.replace("      - item: 4", "      - item: 9")
    assert refused(client, unknown_item) == [("meeting.approval.immediate[0]", "INVALID_INPUT")]
    absent = CASE.replace("justerare: [cecilia]", "justerare: [bo]")
    assert refused(client, absent) == [("meeting.approval.justerare[0]", "INVALID_INPUT")]
    assert refused(client, appeal_file("2026-06-30")) == [
        ("items[0].decisions[0].appeals[0].decision", "NOT_FOUND")
    ]
    imported(client, CASE)
    imported(client, appeal_file("2026-06-30"))
    before = appeal_file("2026-10-01", "annulled", "2026-06-01")
    assert refused(client, before) == [
        ("items[0].decisions[0].appeals[0].outcome_on", "INVALID_INPUT")
    ]
    other = appeal_file("2026-10-01", "annulled", "2026-09-28")
    imported(client, other)
    assert refused(client, appeal_file("2026-10-02", "rejected", "2026-09-28")) == [
        ("items[0].decisions[0].appeals[0]", "INVALID_TRANSITION")
    ]


def test_over_http_a_running_registry_answers_the_legal_status(settings, tmp_path):
    """As a user: `registry serve`, POST /import of the minutes and of the appeal, GraphQL
    with the position the import answered (read-your-writes)."""
    with registry_process("serve", "--database", settings.url, cwd=tmp_path) as server:
        status_code, answer = server.post("/import", CASE.encode(), "application/yaml")
        assert status_code == 200, answer
        position = answer["position"]
        found = served_graphql(server, DECISIONS, position, asOf="2026-06-23")
        by_item = {d["item"]: d for d in found["decisions"]["nodes"]}
        assert (by_item["2"]["legalStatus"], by_item["2"]["finalOn"]) == ("FINAL", "2026-06-23")
        status_code, answer = server.post(
            "/import", appeal_file("2026-06-30").encode(), "application/yaml"
        )
        assert status_code == 200, answer
        found = served_graphql(server, DECISIONS, answer["position"], asOf="2026-07-01")
        by_item = {d["item"]: d for d in found["decisions"]["nodes"]}
        assert by_item["2"]["legalStatus"] == "APPEALED"
        assert by_item["4"]["legalStatus"] == "FINAL"


def test_a_corrected_file_records_the_approval_again_and_the_old_stays_answerable(client):
    imported(client, CASE)
    before = datetime.now(UTC).isoformat()
    later = CASE.replace("posted_on: 2026-05-29", "posted_on: 2026-06-01")
    assert refused(client, later) == [("", "CHANGED")]  # a changed file needs --correct
    assert imported(client, later, correct=True, reason="Anslaget satt upp 1 juni") == "corrected"
    # 1 June + three weeks is Monday 22 June: the same last day, but nothing final before.
    assert decisions(client, "2026-06-01")["2"]["appealDeadline"] == "2026-06-22"
    query = "{ meetings { nodes { approval { posted { on } } } } }"
    (meeting,) = ask(client, query)["meetings"]["nodes"]
    assert meeting["approval"]["posted"]["on"] == "2026-06-01"
    (old,) = ask(client, query.replace("meetings {", f'meetings(knownAt: "{before}") {{'))[
        "meetings"
    ]["nodes"]
    assert old["approval"]["posted"]["on"] == "2026-05-29"


def test_the_status_rule_for_late_withdrawn_and_unposted_appeals():
    """The rule itself (registry/status/legal.py), for the cases the files above do not reach."""
    from datetime import date

    from registry.lifecycle import AppealOutcome
    from registry.status.legal import AppealState, LegalStatus, Window, legal_standing

    window = Window(date(2026, 5, 28), date(2026, 5, 29))  # last day 2026-06-22
    late = AppealState(date(2026, 6, 25))
    assert legal_standing(window, [late], date(2026, 7, 1)).status is LegalStatus.FINAL
    withdrawn = AppealState(date(2026, 6, 1), AppealOutcome.WITHDRAWN, date(2026, 6, 10))
    found = legal_standing(window, [withdrawn], date(2026, 6, 23))
    assert (found.status, found.final_on) == (LegalStatus.FINAL, date(2026, 6, 23))
    assert legal_standing(window, [withdrawn], date(2026, 6, 5)).status is LegalStatus.APPEALED
    unposted = Window(date(2026, 5, 28), None)
    found = legal_standing(unposted, [], date(2027, 1, 1))
    assert (found.status, found.appeal_deadline) == (LegalStatus.APPEALABLE, None)


def test_a_background_fact_records_the_courts_ruling_without_a_decision_of_the_namnd(client):
    imported(client, CASE)
    imported(client, appeal_file("2026-06-30"))
    ruling = appeal_file("2026-10-01", "annulled", "2026-09-28")
    start = ruling.index("items:")
    background = ruling[:start].replace("meeting:\n  present: [anna]\n  chair: anna\n", "").replace(
        "kind: minutes", "kind: statement"
    ) + (
        "background:\n"
        "  note: Förvaltningsrättens dom, as the nämnd's register records it.\n"
        "  appeals:\n"
        "    - decision: {date: 2026-05-26, item: 2}\n"
        "      appellant: Olle Överklagare\n"
        "      filed_on: 2026-06-15\n"
        "      outcome: annulled\n"
        "      outcome_on: 2026-09-28\n"
        "items: []\n"
    )
    assert imported(client, background) == "imported"
    assert status(client, "2", "2026-09-28") == ("ANNULLED", None)
    (appeal,) = decisions(client, "2026-09-28")["2"]["appeals"]
    assert (appeal["court"], appeal["outcome"]) == ("Förvaltningsrätten i Exempelstad", "ANNULLED")
