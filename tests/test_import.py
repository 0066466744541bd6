"""Minutes import: a whole meeting from one file, on SQLite and PostgreSQL.

tests/import_cases/minutes.yaml is the complete example of docs/minutes-format.md (every
section, every effect); statement.json is a statement in JSON.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from registry.application import Registry
from registry.domain.agreement import Agreement
from registry.domain.assignment import Assignment
from registry.domain.body import Body
from registry.domain.decision import Decision, decision_id_for
from registry.domain.fund import Fund
from registry.domain.imported import ImportedDocument
from registry.domain.meeting import Meeting, meeting_id_for
from registry.domain.person import Person
from registry.ids import natural_id
from registry.importing import ImportRefused, import_data, import_file, import_text

CASES = Path(__file__).parent / "import_cases"
MINUTES = CASES / "minutes.yaml"
STATEMENT = CASES / "statement.json"
DAY = date(2020, 2, 7)


def body_id(name: str):
    return natural_id("body", name)


def person_id(name: str, organisation: str):
    return natural_id("person", f"{name}|{natural_id('organisation', organisation)}")


CHEFSGRUPP = body_id("Chefsgrupp för samverkan social välfärd och vård")
STYRGRUPP = body_id("Styrgrupp – samverkan för en god och nära vård")


def memberships(registry: Registry, name: str, organisation: str):
    body = registry.get(STYRGRUPP, Body)
    return body.memberships_of(person_id(name, organisation))


def events_of(registry: Registry, aggregate_id) -> list:
    return list(registry.events.get(aggregate_id))


# -- a whole meeting ------------------------------------------------------------------------


def test_a_minutes_file_records_the_meeting_and_every_decision(registry):
    result = import_file(registry, MINUTES)
    assert result.status == "imported"
    assert result.events == registry.max_position()
    meeting = registry.get(meeting_id_for(CHEFSGRUPP, DAY), Meeting)
    assert meeting.place == "Gästmatsalen, Eklundav. 1, Region Örebro län"
    assert [i.number for i in meeting.items] == ["1", "5", "7", "8", "9", "12", "14", "15", "16"]
    tarja = next(a for a in meeting.present if a.name == "Tarja Nordling")
    assert tarja.note == "Presents item 8 but is not on the attendance list."
    assert [a.name for a in meeting.absent] == ["Annika Roman"]
    decision = registry.get(decision_id_for(CHEFSGRUPP, DAY, "5"), Decision)
    assert decision.meeting_id == meeting.id
    assert decision.status == "conditional"
    assert [s.person_name for s in decision.statements] == ["Ingmar Ångman"]


def test_appointments_replacements_and_endings_change_the_composition(registry):
    import_file(registry, MINUTES)
    (patrik,) = memberships(registry, "Patrik Jonsson", "Kumla kommun")
    assert patrik.start is None and patrik.start_not_after == date(2020, 2, 6)
    assert patrik.end == DAY
    (annika,) = memberships(registry, "Annika Roman", "Kumla kommun")
    assert annika.start == DAY and annika.on_behalf_of == natural_id("organisation", "Kumla kommun")
    (lena,) = memberships(registry, "Lena Adolfsson", "Region Örebro län")
    assert (lena.start, lena.end) == (DAY, date(2020, 3, 1))
    seats = registry.get(STYRGRUPP, Body).seats.values()
    assert [s.label for s in seats] == ["skolchef"]


def test_a_name_variant_resolves_to_the_one_person(registry):
    import_file(registry, MINUTES)
    lena = registry.get(person_id("Lena Adolfsson", "Region Örebro län"), Person)
    assert lena.name_variants == ["Lena Adolfs-son"]
    assert len(memberships(registry, "Lena Adolfsson", "Region Örebro län")) == 1


def test_funds_and_allocations_are_exact(registry):
    import_file(registry, MINUTES)
    fund = registry.get(natural_id("fund", "Brukarmiljonen 2020"), Fund)
    assert fund.total == Decimal("1000000.00")
    assert sorted(a.amount for a in fund.allocations.values()) == [
        Decimal("94000.00"),
        Decimal("306000.00"),
        Decimal("600000.00"),
    ]
    assert fund.remaining == Decimal("0.00")


def test_agreements_are_registered_extended_revised_adopted_and_terminated(registry):
    import_file(registry, MINUTES)
    tandvard = registry.get(natural_id("agreement", "Avtal om uppsökande tandvård"), Agreement)
    assert tandvard.effective_until() == date(2021, 6, 30)
    assert [e["status"] for e in tandvard.extensions.values()] == ["adopted", "pending"]
    assert tandvard.revisions[0]["description"].startswith("Ersättningen höjs")
    hok = registry.get(natural_id("agreement", "Huvudöverenskommelse om samverkan"), Agreement)
    assert hok.entry_into_force is not None and hok.entry_into_force.requires_all_adoptions
    assert list(hok.adoptions.values()) == [DAY]
    assert hok.in_force_from() is None  # Kumla kommun has not adopted it


def test_assignments_are_given_and_completed(registry):
    import_file(registry, MINUTES)
    given = registry.get(
        natural_id(
            "assignment",
            f"{CHEFSGRUPP}|återkomma med förslag om fortsatt arbete i linje med utredningens förslag",
        ),
        Assignment,
    )
    assert (given.holder_kind, given.holder_id, given.due_date) == (
        "body",
        STYRGRUPP,
        date(2020, 6, 30),
    )
    completed = registry.get(
        natural_id("assignment", f"{CHEFSGRUPP}|utveckla verksamheten vid tne"), Assignment
    )
    assert completed.status == "completed"


def test_every_effect_is_authorised_by_its_decision_and_cites_its_item(registry):
    import_file(registry, MINUTES)
    decision = decision_id_for(CHEFSGRUPP, DAY, "9")
    appointed = [e for e in events_of(registry, STYRGRUPP) if type(e).__name__ != "Registered"]
    by_item_9 = [e for e in appointed if e.context.decision_id == decision]
    assert {type(e).__name__ for e in by_item_9} == {"MemberAppointed", "MemberReplaced"}
    assert {e.context.source.item for e in by_item_9} == {"9"}
    assert {e.context.actor for e in appointed} == {"secretary Ann-Louise Gustafsson"}


def test_notes_travel_with_the_events_of_the_fact(registry):
    import_file(registry, MINUTES)
    background = next(
        e for e in events_of(registry, STYRGRUPP) if type(e).__name__ == "MemberAppointed"
    )
    assert background.context.decision_id is None
    assert background.context.note == (
        "The minutes replace Patrik Jonsson without listing his appointment.; "
        "Start unknown; member before this meeting."
    )
    lena = events_of(registry, person_id("Lena Adolfsson", "Region Örebro län"))
    assert {e.context.note for e in lena} == {
        'Spelt "Adolfs-son" in item 9 (a line break in the original).'
    }
    item_5 = events_of(registry, decision_id_for(CHEFSGRUPP, DAY, "5"))[0]
    assert item_5.context.note == (
        "condition 1: Särskilt avseende den nya posten om medel till suicidprevention."
    )


def test_a_statement_in_json_records_quoted_decisions_of_other_bodies(registry):
    result = import_file(registry, STATEMENT)
    assert result.status == "imported"
    bromma = decision_id_for(body_id("Bromma stadsdelsnämnd"), date(2022, 3, 24), "1", 1)
    assert registry.get(bromma, Decision).meeting_id is None
    own = registry.get(
        decision_id_for(body_id("Kommunstyrelsen"), date(2022, 5, 4), "1", 2), Decision
    )
    assert [(s.kind, s.person_name) for s in own.statements] == [
        ("statement", "Clara Lindblom"),
        ("reservation", "Robert Mjörnberg m.fl. (V)"),
    ]


def test_yaml_and_json_of_the_same_content_are_the_same_file(registry):
    data = json.loads(STATEMENT.read_text())
    import_text(registry, STATEMENT.read_text(), "statement.json")
    position = registry.max_position()
    again = import_data(registry, data, "statement.yaml")
    assert again.status == "unchanged"
    assert registry.max_position() == position


# -- idempotency ----------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(registry):
    import_file(registry, MINUTES)
    position = registry.max_position()
    again = import_file(registry, MINUTES)
    assert again.status == "unchanged" and again.events == 0
    assert registry.max_position() == position


def test_the_imported_document_is_remembered_with_its_content(registry):
    result = import_file(registry, MINUTES)
    remembered = registry.get(result.document_id, ImportedDocument)
    assert remembered.body_id == CHEFSGRUPP and remembered.held_on == DAY
    assert remembered.content["items"][4]["title"] == "Sammansättning av styrgrupp"


def test_a_second_file_may_declare_what_the_registry_already_holds(registry):
    import_file(registry, MINUTES)
    later = MINUTES.read_text().replace("date: 2020-02-07", "date: 2020-03-06", 1)
    later = later.replace("2020-02-07\n", "2020-03-06\n")
    later = _only_items(later, "1")
    result = import_text(registry, later, "later.yaml")
    assert result.status == "imported"
    assert (
        registry.get(meeting_id_for(CHEFSGRUPP, date(2020, 3, 6)), Meeting).items[0].number == "1"
    )


def _only_items(text: str, number: str) -> str:
    head, _ = text.split("\nitems:\n", 1)
    return f"{head}\nitems:\n  - number: {number}\n    title: Mötets öppnande\n"


# -- changed files --------------------------------------------------------------------------

CHANGED = {
    "amount: 306000": "amount: 300000",
    "text: Chefsgruppen godkänner sammansättningen.": (
        "text: Chefsgruppen godkänner sammansättningen av styrgruppen."
    ),
    "{person: Lena Adolfsson, body: styrgrupp, end: 2020-03-01,": (
        "{person: Lena Adolfsson, body: styrgrupp, end: 2020-04-01,"
    ),
    "valid_from: 2019-01-01": "valid_from: 2019-02-01",
}


def changed_minutes(changes: dict[str, str] = CHANGED) -> str:
    text = MINUTES.read_text()
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    return text


def test_a_changed_file_is_refused_with_a_readable_difference(registry):
    import_file(registry, MINUTES)
    position = registry.max_position()
    with pytest.raises(ImportRefused) as refused:
        import_text(registry, changed_minutes(), "minutes.yaml")
    assert refused.value.problems[0].code == "CHANGED"
    assert "-    text: Chefsgruppen godkänner sammansättningen.\n" in refused.value.diff
    assert "+    text: Chefsgruppen godkänner sammansättningen av styrgruppen.\n" in (
        refused.value.diff
    )
    assert "+      amount: 300000\n" in refused.value.diff
    assert registry.max_position() == position


def test_a_changed_file_is_applied_as_corrections_when_asked(registry):
    import_file(registry, MINUTES)
    result = import_text(registry, changed_minutes(), "m.yaml", correct=True, reason="Justerat")
    assert result.status == "corrected"
    assert result.changes == [
        "background.agreements[0]: corrected",
        "items[1].decisions[0].allocations[1]: corrected",
        "items[4].decisions[0]: corrected",
        "items[5].decisions[0].endings[0]: corrected",
    ]
    decision = registry.get(decision_id_for(CHEFSGRUPP, DAY, "9"), Decision)
    assert decision.text == "Chefsgruppen godkänner sammansättningen av styrgruppen."
    (lena,) = memberships(registry, "Lena Adolfsson", "Region Örebro län")
    assert lena.end == date(2020, 4, 1)
    tandvard = registry.get(natural_id("agreement", "Avtal om uppsökande tandvård"), Agreement)
    assert tandvard.valid_from == date(2019, 2, 1)
    fund = registry.get(natural_id("fund", "Brukarmiljonen 2020"), Fund)
    assert fund.remaining == Decimal("6000.00")
    corrected = events_of(registry, decision.id)[-1]
    assert (type(corrected).__name__, corrected.reason) == ("Corrected", "Justerat")
    position = registry.max_position()
    assert import_text(registry, changed_minutes(), "m.yaml").status == "unchanged"
    assert registry.max_position() == position


def test_a_replacement_on_another_day_moves_both_memberships(registry):
    import_file(registry, MINUTES)
    text = changed_minutes(
        {
            "{incoming: annika, outgoing: patrik, body: styrgrupp}": (
                "{incoming: annika, outgoing: patrik, body: styrgrupp, date: 2020-02-10}"
            )
        }
    )
    import_text(registry, text, "m.yaml", correct=True, reason="Fel datum")
    (patrik,) = memberships(registry, "Patrik Jonsson", "Kumla kommun")
    (annika,) = memberships(registry, "Annika Roman", "Kumla kommun")
    assert patrik.end == annika.start == date(2020, 2, 10)


def test_an_added_allocation_and_a_removed_appointment_are_corrections(registry):
    small = (CASES / "valid-small.yaml").read_text()
    import_text(registry, small, "small.yaml")
    text = small.replace("          - {person: bo, start: 2021-04-01}\n", "")
    text = text.replace("purpose: c, amount: 20000}", "purpose: c, amount: 10000}")
    text += "          - {fund: medel, recipient: D, purpose: d, amount: 10000}\n"
    result = import_text(registry, text, "small.yaml", correct=True, reason="Fel i protokollet")
    assert result.changes == [
        "items[4].decisions[0].allocations[2]: corrected",
        "items[4].decisions[0].allocations[3]: added",
        "items[1].decisions[0].appointments[1]: removed",
    ]
    board = registry.get(body_id("Testnämnden"), Body)
    assert [m.person_name for m in board.memberships.values()] == ["Anna Andersson"]
    fund = registry.get(natural_id("fund", "Testmedel 2021"), Fund)
    assert sorted(a.recipient for a in fund.allocations.values()) == ["A", "B", "C", "D"]
    assert fund.remaining == Decimal("0.00")


def test_a_removed_fact_the_registry_cannot_retract_is_refused(registry):
    small = (CASES / "valid-small.yaml").read_text()
    import_text(registry, small, "small.yaml")
    text = small.replace(
        "        extensions:\n          - {agreement: avtal, until: 2022-12-31}\n", ""
    )
    with pytest.raises(ImportRefused) as refused:
        import_text(registry, text, "small.yaml", correct=True, reason="Fel i protokollet")
    (problem,) = refused.value.problems
    assert problem.path == "items[2].decisions[0].extensions[0]"
    assert "cannot be removed by a correction" in problem.message


def test_a_difference_the_registry_cannot_correct_is_refused_with_its_path(registry):
    import_file(registry, MINUTES)
    position = registry.max_position()
    text = changed_minutes({"title: Mötets öppnande": "title: Mötet öppnas", **CHANGED})
    with pytest.raises(ImportRefused) as refused:
        import_text(registry, text, "m.yaml", correct=True, reason="Justerat")
    assert [(p.path, p.code) for p in refused.value.problems] == [
        ("items[0].title", "NOT_CORRECTABLE")
    ]
    assert refused.value.diff
    assert registry.max_position() == position


def test_a_correction_needs_a_reason(registry):
    import_file(registry, MINUTES)
    with pytest.raises(ImportRefused) as refused:
        import_text(registry, changed_minutes(), "m.yaml", correct=True, reason=" ")
    assert refused.value.problems[0].code == "MISSING_REASON"


def test_a_refused_correction_writes_nothing(registry):
    import_file(registry, MINUTES)
    position = registry.max_position()
    text = changed_minutes({"amount: 306000": "amount: 306001", **CHANGED})
    text = text.replace("amount: 300000", "amount: 306001")
    with pytest.raises(ImportRefused) as refused:
        import_text(registry, text, "m.yaml", correct=True, reason="Justerat")
    assert [(p.path, p.code) for p in refused.value.problems] == [
        ("items[1].decisions[0].allocations[1].amount", "FUND_EXCEEDED")
    ]
    assert registry.max_position() == position


def test_a_changed_note_on_an_appointment_is_a_correction_of_the_membership(registry):
    import_file(registry, MINUTES)
    text = changed_minutes(
        {
            "      note: Start unknown; member before this meeting.": (
                "      note: Start unknown; a member since 2019 according to the chair."
            )
        }
    )
    result = import_text(registry, text, "m.yaml", correct=True, reason="Ordföranden")
    assert result.changes == ["background.appointments[0]: corrected"]
    (patrik,) = memberships(registry, "Patrik Jonsson", "Kumla kommun")
    assert patrik.note == "Start unknown; a member since 2019 according to the chair."
    assert patrik.end == DAY


def test_background_facts_another_file_recorded_are_not_recorded_twice(registry):
    import_file(registry, MINUTES)
    other = MINUTES.read_text().replace(
        "document: Exempelprotokoll", "document: Ett annat exempelprotokoll"
    )
    other = _only_items(other, "1").replace("date: 2020-02-07\n", "date: 2020-02-08\n", 1)
    result = import_text(registry, other, "other.yaml")
    assert result.status == "imported"
    assert len(memberships(registry, "Patrik Jonsson", "Kumla kommun")) == 1
