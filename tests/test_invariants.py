"""Every invariant of the registry, as a specification: the command is refused with a typed
error whose message names the thing and the rule, and NOTHING is written — neither to the
event store (the max notification id stays the same) nor, after catching up, to the read
models."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from projections.runner import ProjectionRunner
from registry.application import Appointment, Registry
from registry.domain.agreement import Agreement
from registry.domain.body import Body
from registry.domain.decision import Decision, decision_id_for
from registry.domain.fund import Fund
from registry.errors import (
    AlreadyExists,
    EndBeforeStart,
    ExtensionNotLater,
    FundExceeded,
    InvalidInput,
    NotAMember,
    NotFound,
    OverlappingMembership,
)
from registry.values import Context, DecisionKind, Role

# -- helpers --------------------------------------------------------------------------------


def read_model(runner: ProjectionRunner) -> dict[str, list[dict]]:
    """Every row of every read-model table, for before/after comparisons."""
    tables = {
        "bodies": "body_id",
        "body_seats": "seat_id",
        "membership_versions": "version_id",
        "agreement_snapshots": "agreement_id",
        "agreement_versions": "version_id",
        "entity_snapshots": "entity_id",
        "entity_versions": "version_id",
        "event_log": "position",
        "event_refs": "ref_id, position",
    }
    with runner.views.reading() as db:
        return {
            table: db.rows(f"SELECT * FROM {{s}}{table} ORDER BY {key}")
            for table, key in tables.items()
        }


@contextmanager
def nothing_written(registry: Registry, runner: ProjectionRunner) -> Iterator[None]:
    """Asserts that the block writes no event and changes no read-model row."""
    runner.catch_up()
    position = registry.recorder.max_notification_id()
    rows = read_model(runner)
    yield
    assert registry.recorder.max_notification_id() == position
    assert runner.catch_up() == 0
    assert runner.position() == (position or 0)
    assert read_model(runner) == rows


@pytest.fixture
def org(registry: Registry, ctx: Context) -> UUID:
    return registry.register_organisation("Region Örebro län", "region", ctx)


@pytest.fixture
def body(registry: Registry, ctx: Context, org: UUID) -> UUID:
    return registry.register_body(
        "Styrgrupp god och nära vård", "styrgrupp", ctx, owner_organisation_ids=[org]
    )


@pytest.fixture
def patrik(registry: Registry, ctx: Context) -> UUID:
    return registry.register_person("Patrik Jonsson", ctx)


@pytest.fixture
def annika(registry: Registry, ctx: Context) -> UUID:
    return registry.register_person("Annika Roman", ctx)


def memberships(registry: Registry, body_id: UUID) -> dict:
    return dict(registry.get(body_id, Body).memberships)


# -- NotAMember -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "on",
    [date(2019, 12, 31), date(2020, 6, 1), date(2020, 9, 1)],
    ids=["before-the-start", "on-the-end-date", "after-the-end"],
)
def test_replacing_someone_who_is_not_a_member_on_that_date_is_refused(
    registry, runner, ctx, body, patrik, annika, on
):
    registry.appoint(body, Appointment(patrik, start=date(2020, 1, 1), end=date(2020, 6, 1)), ctx)
    before = memberships(registry, body)
    with (
        nothing_written(registry, runner),
        pytest.raises(
            NotAMember,
            match=f"Patrik Jonsson is not a member of Styrgrupp god och nära vård on {on}, "
            "so cannot be replaced",
        ) as refused,
    ):
        registry.replace_member(body, patrik, Appointment(annika, start=on), ctx)
    assert refused.value.code == "NOT_A_MEMBER"
    assert memberships(registry, body) == before


def test_replacing_someone_who_was_never_a_member_is_refused(
    registry, runner, ctx, body, patrik, annika
):
    with (
        nothing_written(registry, runner),
        pytest.raises(NotAMember, match="Patrik Jonsson is not a member of Styrgrupp") as refused,
    ):
        registry.replace_member(body, patrik, Appointment(annika, start=date(2020, 2, 7)), ctx)
    assert refused.value.code == "NOT_A_MEMBER"
    assert memberships(registry, body) == {}


def test_a_member_is_replaced_on_a_day_they_hold_the_place(registry, ctx, body, patrik, annika):
    registry.appoint(body, Appointment(patrik, start=date(2020, 1, 1)), ctx)
    incoming = registry.replace_member(
        body, patrik, Appointment(annika, start=date(2020, 2, 7)), ctx
    )
    held = memberships(registry, body)
    assert held[incoming].start == date(2020, 2, 7)
    assert [m.end for m in held.values() if m.person_id == patrik] == [date(2020, 2, 7)]


# -- ExtensionNotLater ----------------------------------------------------------------------------


@pytest.fixture
def agreement(registry: Registry, ctx: Context, org: UUID) -> UUID:
    kommun = registry.register_organisation("Örebro kommun", "kommun", ctx)
    return registry.register_agreement(
        "Överenskommelse om samverkan vid in- och utskrivning",
        [org, kommun],
        ctx,
        valid_from=date(2018, 9, 25),
        valid_until=date(2020, 11, 30),
    )


EXTENDERS = {
    "extend_agreement": lambda r, a, until, ctx: r.extend_agreement(a, until, ctx),
    "propose_extension": lambda r, a, until, ctx: r.propose_extension(a, until, ctx),
}


@pytest.mark.parametrize("command", list(EXTENDERS))
@pytest.mark.parametrize(
    "new_until", [date(2020, 11, 30), date(2020, 6, 30)], ids=["same-day", "earlier"]
)
def test_extending_an_agreement_to_a_date_not_after_its_end_is_refused(
    registry, runner, ctx, agreement, command, new_until
):
    with (
        nothing_written(registry, runner),
        pytest.raises(
            ExtensionNotLater,
            match=f"'Överenskommelse om samverkan vid in- och utskrivning' cannot be extended "
            f"to {new_until}: that is not after its current end 2020-11-30",
        ) as refused,
    ):
        EXTENDERS[command](registry, agreement, new_until, ctx)
    assert refused.value.code == "EXTENSION_NOT_LATER"
    assert refused.value.field == "new_until"
    assert registry.get(agreement, Agreement).extensions == {}


@pytest.mark.parametrize("command", list(EXTENDERS))
def test_the_current_end_includes_an_extension_already_made(
    registry, runner, ctx, agreement, command
):
    registry.extend_agreement(agreement, date(2021, 12, 31), ctx)
    with (
        nothing_written(registry, runner),
        pytest.raises(ExtensionNotLater, match="not after its current end 2021-12-31"),
    ):
        EXTENDERS[command](registry, agreement, date(2021, 6, 30), ctx)


@pytest.mark.parametrize("command", list(EXTENDERS))
def test_extending_an_agreement_by_one_day_is_accepted(registry, ctx, agreement, command):
    EXTENDERS[command](registry, agreement, date(2020, 12, 1), ctx)
    [extension] = registry.get(agreement, Agreement).extensions.values()
    assert extension["new_until"] == date(2020, 12, 1)


# -- FundExceeded, exact amounts ------------------------------------------------------------------


@pytest.fixture
def fund(registry: Registry, ctx: Context) -> UUID:
    return registry.establish_fund("Stimulansmedel psykisk hälsa 2020", "1000000.00", ctx)


def test_allocating_beyond_a_fund_is_refused(registry, runner, ctx, fund):
    registry.allocate(fund, "Brukarrevisioner", "Brukarstyrda brukarrevisioner", "600000", ctx)
    with (
        nothing_written(registry, runner),
        pytest.raises(
            FundExceeded,
            match=r"cannot allocate 400000\.01 SEK to Suicidprevention: Stimulansmedel psykisk "
            r"hälsa 2020 has 400000\.00 SEK of 1000000\.00 SEK left",
        ) as refused,
    ):
        registry.allocate(fund, "Suicidprevention", "Utbildning", "400000.01", ctx)
    assert refused.value.code == "FUND_EXCEEDED"
    assert refused.value.field == "amount"
    assert registry.get(fund, Fund).allocated == Decimal("600000.00")


def test_allocating_exactly_what_is_left_is_accepted(registry, settings, ctx, fund):
    registry.allocate(fund, "Brukarrevisioner", "Brukarstyrda brukarrevisioner", "600000", ctx)
    registry.allocate(fund, "Suicidprevention", "Utbildning", Decimal("400000.00"), ctx)
    reloaded = Registry(settings)
    try:
        stored = reloaded.get(fund, Fund)
    finally:
        reloaded.close()
    assert stored.remaining == Decimal("0.00")
    assert all(isinstance(a.amount, Decimal) for a in stored.allocations.values())


def test_amounts_add_up_exactly_to_the_ore(registry, runner, ctx):
    fund = registry.establish_fund("Småpengar", "0.30", ctx)
    registry.allocate(fund, "A", "a", "0.10", ctx)
    registry.allocate(fund, "B", "b", "0.20", ctx)  # 0.1 + 0.2 as floats would exceed 0.30
    assert registry.get(fund, Fund).remaining == Decimal("0.00")
    with nothing_written(registry, runner), pytest.raises(FundExceeded, match=r"has 0\.00 SEK"):
        registry.allocate(fund, "C", "c", "0.01", ctx)


def test_raising_an_allocation_beyond_the_fund_is_refused(registry, runner, ctx, fund):
    allocation = registry.allocate(fund, "Brukarrevisioner", "Brukarrevisioner", "600000", ctx)
    registry.allocate(fund, "Suicidprevention", "Utbildning", "300000", ctx)
    with (
        nothing_written(registry, runner),
        pytest.raises(
            FundExceeded,
            match=r"cannot raise Brukarrevisioner's allocation to 700000\.01 SEK: Stimulansmedel "
            r"psykisk hälsa 2020 has 100000\.00 SEK of 1000000\.00 SEK left",
        ) as refused,
    ):
        registry.change_allocation(fund, allocation, "700000.01", ctx)
    assert refused.value.code == "FUND_EXCEEDED"
    assert registry.get(fund, Fund).allocations[str(allocation)].amount == Decimal("600000.00")


def test_raising_an_allocation_to_exactly_what_is_left_is_accepted(registry, ctx, fund):
    allocation = registry.allocate(fund, "Brukarrevisioner", "Brukarrevisioner", "600000", ctx)
    registry.allocate(fund, "Suicidprevention", "Utbildning", "300000", ctx)
    registry.change_allocation(fund, allocation, "700000.00", ctx)
    assert registry.get(fund, Fund).remaining == Decimal("0.00")


FLOAT_COMMANDS = {
    "establish_fund": lambda r, fund, a, ctx: r.establish_fund("Flyttal", 0.1, ctx),
    "allocate": lambda r, fund, a, ctx: r.allocate(fund, "X", "x", 0.1, ctx),
    "change_allocation": lambda r, fund, a, ctx: r.change_allocation(fund, a, 0.1, ctx),
}


@pytest.mark.parametrize("command", list(FLOAT_COMMANDS))
def test_a_float_amount_is_refused(registry, runner, ctx, fund, command):
    allocation = registry.allocate(fund, "Brukarrevisioner", "Brukarrevisioner", "1000", ctx)
    with (
        nothing_written(registry, runner),
        pytest.raises(
            InvalidInput, match="must be an exact amount \\(a string or integer\\), not a float"
        ) as refused,
    ):
        FLOAT_COMMANDS[command](registry, fund, allocation, ctx)
    assert refused.value.code == "INVALID_INPUT"
    assert refused.value.field in ("total", "amount")


def test_an_amount_with_fractions_of_ore_is_refused(registry, runner, ctx, fund):
    with (
        nothing_written(registry, runner),
        pytest.raises(InvalidInput, match=r"amount 0\.001 has fractions of öre"),
    ):
        registry.allocate(fund, "X", "x", "0.001", ctx)


# -- OverlappingMembership ------------------------------------------------------------------------


def test_the_same_person_in_the_same_role_in_overlapping_periods_is_refused(
    registry, runner, ctx, body, patrik
):
    registry.appoint(body, Appointment(patrik, start=date(2020, 1, 1), end=date(2021, 1, 1)), ctx)
    before = memberships(registry, body)
    with (
        nothing_written(registry, runner),
        pytest.raises(
            OverlappingMembership,
            match="Patrik Jonsson is already member of Styrgrupp god och nära vård "
            "\\(2020-01-01 – 2021-01-01\\); the new period 2020-06-01 – open overlaps it",
        ) as refused,
    ):
        registry.appoint(body, Appointment(patrik, start=date(2020, 6, 1)), ctx)
    assert refused.value.code == "OVERLAPPING_MEMBERSHIP"
    assert memberships(registry, body) == before


def test_a_period_enclosing_an_existing_one_is_refused(registry, runner, ctx, body, patrik):
    registry.appoint(body, Appointment(patrik, start=date(2020, 3, 1), end=date(2020, 4, 1)), ctx)
    with (
        nothing_written(registry, runner),
        pytest.raises(OverlappingMembership, match="overlaps it"),
    ):
        registry.appoint(
            body, Appointment(patrik, start=date(2020, 1, 1), end=date(2020, 12, 31)), ctx
        )


def test_appointing_the_same_membership_twice_is_refused(registry, runner, ctx, body, patrik):
    registry.appoint(body, Appointment(patrik, start=date(2020, 1, 1)), ctx)
    with (
        nothing_written(registry, runner),
        pytest.raises(
            OverlappingMembership,
            match="Patrik Jonsson is already recorded as member of Styrgrupp god och nära vård "
            "from 2020-01-01",
        ),
    ):
        registry.appoint(body, Appointment(patrik, start=date(2020, 1, 1)), ctx)


def test_the_same_person_in_a_different_role_at_the_same_time_is_accepted(
    registry, ctx, body, patrik
):
    registry.appoint(body, Appointment(patrik, Role.MEMBER, start=date(2020, 1, 1)), ctx)
    registry.appoint(body, Appointment(patrik, Role.CHAIR, start=date(2020, 1, 1)), ctx)
    assert sorted(m.role for m in memberships(registry, body).values()) == [
        Role.CHAIR,
        Role.MEMBER,
    ]


def test_a_period_starting_the_day_the_previous_one_ended_is_accepted(registry, ctx, body, patrik):
    registry.appoint(body, Appointment(patrik, start=date(2020, 1, 1), end=date(2021, 1, 1)), ctx)
    registry.appoint(body, Appointment(patrik, start=date(2021, 1, 1)), ctx)
    periods = sorted((m.start, m.end) for m in memberships(registry, body).values())
    assert periods == [(date(2020, 1, 1), date(2021, 1, 1)), (date(2021, 1, 1), None)]


def test_replacing_a_member_by_someone_already_in_that_role_is_refused(
    registry, runner, ctx, body, patrik, annika
):
    registry.appoint(body, Appointment(patrik, start=date(2020, 1, 1)), ctx)
    registry.appoint(body, Appointment(annika, start=date(2020, 1, 1)), ctx)
    before = memberships(registry, body)
    with (
        nothing_written(registry, runner),
        pytest.raises(OverlappingMembership, match="Annika Roman is already member"),
    ):
        registry.replace_member(body, patrik, Appointment(annika, start=date(2020, 2, 7)), ctx)
    assert memberships(registry, body) == before  # Patrik's membership did not end either


# -- EndBeforeStart -------------------------------------------------------------------------------


def test_ending_a_membership_before_it_started_is_refused(registry, runner, ctx, body, patrik):
    membership = registry.appoint(body, Appointment(patrik, start=date(2020, 1, 1)), ctx)
    with (
        nothing_written(registry, runner),
        pytest.raises(
            EndBeforeStart,
            match="Patrik Jonsson's membership of Styrgrupp god och nära vård: the end "
            "2019-12-31 lies before the start 2020-01-01",
        ) as refused,
    ):
        registry.end_membership(body, membership, date(2019, 12, 31), ctx)
    assert refused.value.code == "END_BEFORE_START"
    assert refused.value.field == "end"
    assert memberships(registry, body)[membership].end is None


def test_an_appointment_ending_before_it_starts_is_refused(registry, runner, ctx, body, patrik):
    with (
        nothing_written(registry, runner),
        pytest.raises(
            EndBeforeStart,
            match="Patrik Jonsson's membership of Styrgrupp god och nära vård: the end "
            "2019-12-31 lies before the start 2020-01-01",
        ) as refused,
    ):
        registry.appoint(
            body, Appointment(patrik, start=date(2020, 1, 1), end=date(2019, 12, 31)), ctx
        )
    assert refused.value.code == "END_BEFORE_START"
    assert memberships(registry, body) == {}


def test_an_agreement_valid_until_before_it_is_valid_from_is_refused(registry, runner, ctx, org):
    with (
        nothing_written(registry, runner),
        pytest.raises(
            EndBeforeStart,
            match="the agreement 'Avtal om hjälpmedel': the end 2018-09-24 lies before the "
            "start 2018-09-25",
        ) as refused,
    ):
        registry.register_agreement(
            "Avtal om hjälpmedel",
            [org],
            ctx,
            valid_from=date(2018, 9, 25),
            valid_until=date(2018, 9, 24),
        )
    assert refused.value.code == "END_BEFORE_START"
    with pytest.raises(NotFound):
        registry.get(Agreement.create_id("Avtal om hjälpmedel"), Agreement)


# -- a decision and its effects are one unit of work ------------------------------------------


def test_a_decision_whose_second_effect_is_refused_writes_neither_decision_nor_first_effect(
    registry, runner, ctx, body, patrik, annika
):
    chefsgrupp = registry.register_body("Chefsgrupp", "chefsgrupp", ctx)
    lena = registry.register_person("Lena Adolfsson", ctx)
    text = "Chefsgruppen godkänner sammansättningen av styrgruppen."
    with (
        nothing_written(registry, runner),
        pytest.raises(NotAMember, match="Patrik Jonsson"),
        registry.decide(
            chefsgrupp, date(2020, 2, 7), "9", DecisionKind.APPROVED, text, ctx
        ) as decision,
    ):
        registry.appoint(body, Appointment(lena, start=date(2020, 2, 7)), decision.context)
        registry.replace_member(  # refused: Patrik is not a member
            body, patrik, Appointment(annika, start=date(2020, 2, 7)), decision.context
        )
    assert memberships(registry, body) == {}
    with pytest.raises(NotFound, match="no decision"):
        registry.get(decision.id, Decision, "decision_id")
    # Nothing of it was kept: the same decision can be recorded afresh.
    assert registry.record_decision(
        chefsgrupp, date(2020, 2, 7), "9", DecisionKind.APPROVED, text, ctx
    ) == decision_id_for(chefsgrupp, date(2020, 2, 7), "9")


def test_appointing_several_is_all_or_none(registry, runner, ctx, body, patrik, annika):
    registry.appoint(body, Appointment(annika, start=date(2020, 1, 1)), ctx)
    before = memberships(registry, body)
    with nothing_written(registry, runner), pytest.raises(OverlappingMembership):
        registry.appoint_many(
            body,
            [
                Appointment(patrik, start=date(2020, 2, 7)),
                Appointment(annika, start=date(2020, 2, 7)),  # refused: already a member
            ],
            ctx,
        )
    assert memberships(registry, body) == before


# -- AlreadyExists ----------------------------------------------------------------------------------


CREATIONS = {
    "organisation": (
        lambda r, ids, ctx, name: r.register_organisation(name, "kommun", ctx),
        "Kumla kommun",
        "  KUMLA   Kommun ",
        "the organisation {name!r} is already recorded",
    ),
    "person": (
        lambda r, ids, ctx, name: r.register_person(name, ctx),
        "Gabriella Mueller Prabin",
        "gabriella mueller prabin",
        "the person {name!r} is already recorded",
    ),
    "body": (
        lambda r, ids, ctx, name: r.register_body(name, "samrådsorgan", ctx),
        "Politiskt samrådsorgan",
        "POLITISKT SAMRÅDSORGAN",
        "the body {name!r} is already recorded",
    ),
    "agreement": (
        lambda r, ids, ctx, name: r.register_agreement(
            name, [ids["org"]], ctx, valid_from=date(2022, 7, 1)
        ),
        "Huvudöverenskommelse",
        "huvudöverenskommelse",
        "the agreement {name!r} is already recorded",
    ),
    "fund": (
        lambda r, ids, ctx, name: r.establish_fund(name, 100, ctx),
        "Stimulansmedel",
        "stimulansmedel ",
        "the fund {name!r} is already recorded",
    ),
    "decision": (
        lambda r, ids, ctx, name: r.record_decision(
            ids["body"], date(2020, 3, 6), name, DecisionKind.NOTED, "SRO noterar.", ctx
        ),
        "4",
        "4",
        "decision 1 on item {name!r} of 2020-03-06 is already recorded",
    ),
}


@pytest.mark.parametrize("kind", list(CREATIONS))
def test_a_repeated_creation_with_the_same_natural_key_is_refused(
    registry, runner, ctx, org, body, kind
):
    create, name, same_key, message = CREATIONS[kind]
    ids = {"org": org, "body": body}
    first = create(registry, ids, ctx, name)
    message = re.escape(f"{message.format(name=same_key.strip())} (id {first})")
    with (
        nothing_written(registry, runner),
        pytest.raises(AlreadyExists, match=f"^{message}$") as refused,
    ):
        create(registry, ids, ctx, same_key)
    assert refused.value.code == "ALREADY_EXISTS"


# -- NotFound -------------------------------------------------------------------------------------


UNKNOWN = uuid4()

REFERENCES = {
    "body_id": (
        lambda r, ids, ctx: r.appoint(
            UNKNOWN, Appointment(ids["patrik"], start=date(2020, 1, 1)), ctx
        ),
        f"body_id: no body with id {UNKNOWN}",
    ),
    "appointments[0].person_id": (
        lambda r, ids, ctx: r.appoint(
            ids["body"], Appointment(UNKNOWN, start=date(2020, 1, 1)), ctx
        ),
        f"appointments\\[0\\].person_id: no person with id {UNKNOWN}",
    ),
    "outgoing_person_id": (
        lambda r, ids, ctx: r.replace_member(
            ids["body"], UNKNOWN, Appointment(ids["patrik"], start=date(2020, 1, 1)), ctx
        ),
        f"outgoing_person_id: no person with id {UNKNOWN}",
    ),
    "membership_id": (
        lambda r, ids, ctx: r.end_membership(ids["body"], UNKNOWN, date(2020, 1, 1), ctx),
        f"Styrgrupp god och nära vård has no membership {UNKNOWN}",
    ),
    "party_ids[1]": (
        lambda r, ids, ctx: r.register_agreement(
            "Avtal", [ids["org"], UNKNOWN], ctx, valid_from=date(2022, 7, 1)
        ),
        f"party_ids\\[1\\]: no organisation with id {UNKNOWN}",
    ),
    "agreement_id": (
        lambda r, ids, ctx: r.extend_agreement(UNKNOWN, date(2030, 1, 1), ctx),
        f"agreement_id: no agreement with id {UNKNOWN}",
    ),
    "fund_id": (
        lambda r, ids, ctx: r.allocate(UNKNOWN, "X", "x", "1", ctx),
        f"fund_id: no fund with id {UNKNOWN}",
    ),
    "decision_id": (
        lambda r, ids, ctx: r.revoke_decision(UNKNOWN, date(2020, 1, 1), "fel", ctx),
        f"decision_id: no decision with id {UNKNOWN}",
    ),
}


@pytest.mark.parametrize("field", list(REFERENCES))
def test_an_unknown_id_is_refused_naming_the_field(registry, runner, ctx, org, body, patrik, field):
    command, message = REFERENCES[field]
    ids = {"org": org, "body": body, "patrik": patrik}
    with nothing_written(registry, runner), pytest.raises(NotFound, match=message) as refused:
        command(registry, ids, ctx)
    assert refused.value.code == "NOT_FOUND"
    assert refused.value.field == field


def test_an_id_of_the_wrong_kind_is_refused_naming_the_field(registry, runner, ctx, org, patrik):
    with (
        nothing_written(registry, runner),
        pytest.raises(
            NotFound, match=f"^body_id: {org} is an? organisation, not a body$"
        ) as refused,
    ):
        registry.appoint(org, Appointment(patrik, start=date(2020, 1, 1)), ctx)
    assert refused.value.field == "body_id"
