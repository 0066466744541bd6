"""Behaviours of the aggregates beyond memberships and agreements, on both stores: persons'
name variants and merging, decisions with conditions, statements, revocation and
supersession, funds with exact amounts, assignments, seats and deputies."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest

from registry.application import Appointment, SeatSpec
from registry.domain.assignment import Assignment
from registry.domain.body import Body
from registry.domain.decision import Decision, Statement
from registry.domain.fund import Fund
from registry.domain.person import Person
from registry.errors import InvalidInput, InvalidTransition, RegistryError
from registry.values import DecisionKind, HolderKind, Role, StatementKind


def test_a_name_variant_is_recorded_once(registry, ctx):
    haaf = registry.register_person("Annett Haaf", ctx)
    registry.add_name_variant(haaf, "Anette Haaf", ctx, note="Presentationsrunda, punkt 2")
    registry.add_name_variant(haaf, "anette  haaf", ctx)
    person = registry.get(haaf, Person)
    assert person.name_variants == ["Anette Haaf"]
    assert person.knows_name("ANETTE HAAF")


def test_merged_records_resolve_to_one_person(registry, ctx, runner):
    nassen = registry.register_person("Tobias Nässen", ctx)
    nassen_accent = registry.register_person("Tobias Nässén", ctx)
    body = registry.register_body("Avtalsutskottet", "utskott", ctx)
    registry.merge_persons(nassen, nassen_accent, "Same person: chair of avtalsutskottet", ctx)
    survivor = registry.get(nassen_accent, Person)
    assert "Tobias Nässen" in survivor.name_variants
    assert registry.get(nassen, Person).merged_into == nassen_accent
    # A command naming the merged record acts on the surviving one.
    membership = registry.appoint(
        body, Appointment(nassen, Role.CHAIR, start_not_after=date(2020, 3, 6)), ctx
    )
    assert registry.get(body, Body).memberships[membership].person_id == nassen_accent
    with pytest.raises(InvalidTransition, match="already been merged"):
        registry.merge_persons(nassen, nassen_accent, "again", ctx)


def test_a_conditional_decision_applies_when_its_condition_is_met(registry, ctx):
    chefsgrupp = registry.register_body("Chefsgrupp", "chefsgrupp", ctx)
    decision_id = registry.record_decision(
        chefsgrupp,
        date(2020, 2, 7),
        "5",
        DecisionKind.APPROVED,
        "Chefsgruppen beslutar att godkänna förslaget",
        ctx,
        conditions=["kräver politisk förankring innan det gäller"],
    )
    decision = registry.get(decision_id, Decision)
    assert decision.status == "conditional" and decision.applies_from() is None
    (condition_id,) = decision.conditions
    registry.meet_condition(
        decision_id, condition_id, date(2020, 3, 20), ctx, note="Regiondirektören"
    )
    decision = registry.get(decision_id, Decision)
    assert decision.status == "in_force" and decision.applies_from() == date(2020, 3, 20)


def test_statements_revocation_and_supersession(registry, ctx):
    ks = registry.register_body("Kommunstyrelsen", "nämnd", ctx)
    first = registry.record_decision(
        ks,
        date(2022, 5, 1),
        "1",
        DecisionKind.DECIDED,
        "Godkänns",
        ctx,
        statements=[
            Statement(None, "Clara Lindblom (V)", StatementKind.STATEMENT, "Behov av handlingsplan")
        ],
    )
    second = registry.record_decision(
        ks, date(2022, 6, 1), "1", DecisionKind.DECIDED, "Ny lydelse", ctx
    )
    registry.supersede_decision(first, second, date(2022, 6, 1), ctx)
    assert registry.get(first, Decision).status == "superseded"
    assert registry.get(first, Decision).statements[0].kind == StatementKind.STATEMENT
    registry.revoke_decision(second, date(2022, 7, 1), "Upphävt", ctx)
    assert registry.get(second, Decision).status == "revoked"
    with pytest.raises(InvalidTransition, match="already revoked"):
        registry.revoke_decision(second, date(2022, 7, 2), "again", ctx)


def test_fund_allocations_are_exact_and_can_change_and_be_withdrawn(registry, ctx):
    fund = registry.establish_fund("Brukarmiljonen", "1000000", ctx)
    revisions = registry.allocate(fund, "Brukarstyrda brukarrevisioner", "revision", "600000", ctx)
    registry.allocate(fund, "Arvode för brukare/patienter", "arvode", 306000, ctx)
    registry.allocate(fund, "PEER-support", "utökning 50 till 75 %", Decimal("94000.00"), ctx)
    assert registry.get(fund, Fund).remaining == Decimal("0.00")
    registry.change_allocation(fund, revisions, "599999.99", ctx)
    assert registry.get(fund, Fund).remaining == Decimal("0.01")
    registry.withdraw_allocation(fund, revisions, "Återkallad", ctx)
    assert registry.get(fund, Fund).allocated == Decimal("400000.00")
    with pytest.raises(InvalidInput, match="fractions of öre"):
        registry.allocate(fund, "X", "y", "0.001", ctx)
    with pytest.raises(InvalidInput, match="must not be negative"):
        registry.allocate(fund, "X", "y", "-5", ctx)


def test_an_assignment_is_given_reported_and_completed(registry, ctx):
    chefsgrupp = registry.register_body("Chefsgrupp", "chefsgrupp", ctx)
    styrgrupp = registry.register_body("Styrgrupp god och nära vård", "styrgrupp", ctx)
    task = registry.give_assignment(
        chefsgrupp,
        HolderKind.BODY,
        "Styrgrupp god och nära vård",
        "Återkomma med förslag om fortsatt arbete (nutrition)",
        ctx,
        holder_id=styrgrupp,
        given_on=date(2020, 2, 7),
        due_date=date(2020, 4, 17),
    )
    registry.report_assignment(task, date(2020, 4, 17), "Delrapport", ctx)
    registry.complete_assignment(task, date(2020, 5, 29), ctx)
    assert registry.get(task, Assignment).status == "completed"
    with pytest.raises(InvalidTransition, match="is completed"):
        registry.withdraw_assignment(task, date(2020, 6, 1), "late", ctx)


def test_vacant_seats_and_a_personal_deputy(registry, ctx):
    body = registry.register_body("Styrgrupp för samverkan barn och unga", "styrgrupp", ctx)
    seat_ids = registry.define_seats(
        body,
        [
            SeatSpec("från hälso- och sjukvården", 3, note="återkommer med besked"),
            SeatSpec("socialchef"),
            SeatSpec("skolchef", note="utses idag"),
        ],
        ctx,
    )
    assert len(seat_ids) == len(set(seat_ids)) == 5
    seats = registry.get(body, Body).seats
    assert len(seats) == 5
    labels = sorted(s.label for s in seats.values())
    assert labels.count("från hälso- och sjukvården") == 3
    viberg = registry.register_person("Johanna Viberg", ctx)
    willyams = registry.register_person("Helen Willyams", ctx)
    social_seat = next(s.seat_id for s in seats.values() if s.label == "socialchef")
    registry.appoint(body, Appointment(viberg, start=date(2020, 2, 7), seat_id=social_seat), ctx)
    deputy = registry.appoint(
        body,
        Appointment(
            willyams, Role.DEPUTY, start=date(2020, 2, 7), seat_id=social_seat, deputy_for=viberg
        ),
        ctx,
    )
    assert registry.get(body, Body).memberships[deputy].deputy_for == viberg


def test_a_decision_with_a_refused_effect_writes_nothing_even_if_the_error_is_caught(registry, ctx):
    body = registry.register_body("Styrgrupp", "styrgrupp", ctx)
    chefsgrupp = registry.register_body("Chefsgrupp", "chefsgrupp", ctx)
    anna = registry.register_person("Anna", ctx)
    before = registry.max_position()
    with pytest.raises(InvalidTransition, match="nothing was written"):  # noqa: SIM117
        with registry.decide(chefsgrupp, date(2020, 2, 7), "9", "approved", "x", ctx) as d:
            with contextlib.suppress(RegistryError):
                registry.appoint_many(
                    body,
                    [
                        Appointment(anna, start=date(2020, 2, 7)),
                        Appointment(anna, start=date(2020, 2, 8)),  # overlaps the first
                    ],
                    d.context,
                )
    assert registry.max_position() == before


def test_an_agreement_needs_a_start_or_an_entry_into_force_rule(registry, ctx):
    vgr = registry.register_organisation("VGR", "region", ctx)
    with pytest.raises(InvalidInput, match="needs valid_from or an entry-into-force rule"):
        registry.register_agreement("Utan start", [vgr], ctx, valid_until=date(2021, 1, 1))


def test_a_successor_takes_the_outgoing_role_unless_another_is_given(registry, ctx):
    body = registry.register_body("Samrådsorgan", "samrådsorgan", ctx)
    kent, axel, lena = (registry.register_person(n, ctx) for n in ("Kent", "Axel", "Lena"))
    registry.appoint(body, Appointment(kent, Role.CHAIR, start=date(2020, 1, 1)), ctx)
    registry.appoint(
        body, Appointment(lena, Role.CHAIR, start=date(2019, 1, 1), end=date(2019, 6, 1)), ctx
    )
    successor = registry.replace_member(body, kent, Appointment(axel, start=date(2020, 3, 6)), ctx)
    assert registry.get(body, Body).memberships[successor].role == Role.CHAIR
    plain = registry.replace_member(
        body, axel, Appointment(lena, Role.MEMBER, start=date(2020, 4, 1)), ctx
    )
    assert registry.get(body, Body).memberships[plain].role == Role.MEMBER
