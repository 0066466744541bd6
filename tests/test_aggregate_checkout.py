"""Commands take aggregates out of the cache instead of deep-copying them
(registry/commands/checkouts.py): a refused command leaves nothing in the cache, another
writer's events are seen, and a body's membership indexes stay in step with its table."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from datetime import date

import pytest

from registry.application import Appointment, Registry
from registry.config import StoreSettings
from registry.domain.body import Body, Membership, membership_id_for
from registry.domain.membership_table import MembershipTable
from registry.errors import AlreadyExists, InvalidTransition, OverlappingMembership
from registry.values import Context, DecisionKind, Role


def test_a_refused_unit_leaves_nothing_in_the_cache(registry: Registry, ctx: Context) -> None:
    body = registry.register_body("Styrgrupp", "styrgrupp", ctx)
    anna = registry.register_person("Anna", ctx)
    bo = registry.register_person("Bo", ctx)
    registry.appoint(body, Appointment(bo, start=date(2020, 1, 1)), ctx)
    with pytest.raises(OverlappingMembership):
        registry.appoint_many(
            body,
            [Appointment(anna, start=date(2020, 1, 1)), Appointment(bo, start=date(2020, 6, 1))],
            ctx,
        )
    decided = registry.decide(body, date(2020, 2, 1), "1", DecisionKind.APPROVED, "t", ctx)
    with pytest.raises(InvalidTransition), decided as d:
        registry.appoint(body, Appointment(anna, start=date(2020, 2, 1)), d.context)
        with contextlib.suppress(OverlappingMembership):  # caught, but the unit is void
            registry.appoint(body, Appointment(bo, start=date(2020, 2, 1)), d.context)
    loaded = registry.get(body, Body)
    assert [m.person_name for m in loaded.memberships.values()] == ["Bo"]
    # Anna's refused appointments were never written: she can be appointed now.
    registry.appoint(body, Appointment(anna, start=date(2020, 1, 1)), ctx)
    assert {m.person_name for m in registry.get(body, Body).memberships.values()} == {"Anna", "Bo"}


def test_another_writers_events_are_seen(settings: StoreSettings, ctx: Context) -> None:
    first, second = Registry(settings), Registry(settings)
    try:
        body = first.register_body("Styrgrupp", "styrgrupp", ctx)
        anna = first.register_person("Anna", ctx)
        bo = first.register_person("Bo", ctx)
        first.appoint(body, Appointment(bo, start=date(2020, 1, 1)), ctx)  # body cached
        second.appoint(body, Appointment(anna, start=date(2020, 1, 1)), ctx)
        with pytest.raises(OverlappingMembership):
            first.appoint(body, Appointment(anna, start=date(2020, 3, 1)), ctx)
        with pytest.raises(AlreadyExists):
            first.register_person("Anna", ctx)
        carl = second.register_person("Carl", ctx)  # first has never seen Carl
        first.appoint(body, Appointment(carl, start=date(2020, 1, 1)), ctx)
        names = {m.person_name for m in second.get(body, Body).memberships.values()}
        assert names == {"Anna", "Bo", "Carl"}
    finally:
        first.close()
        second.close()


def _membership(person: str, start: date, seat: str | None = None) -> Membership:
    from uuid import NAMESPACE_URL, uuid5

    pid = uuid5(NAMESPACE_URL, person)
    return Membership(
        membership_id=membership_id_for(uuid5(NAMESPACE_URL, "body"), pid, Role.MEMBER, start),
        person_id=pid,
        person_name=person,
        role=Role.MEMBER,
        start=start,
        start_not_after=None,
        end=None,
        seat_id=uuid5(NAMESPACE_URL, seat) if seat else None,
        on_behalf_of=None,
        deputy_for=None,
        note=None,
    )


def test_the_membership_table_keeps_its_indexes_in_step() -> None:
    table = MembershipTable()
    a1, b1 = _membership("a", date(2020, 1, 1), "s"), _membership("b", date(2020, 1, 1))
    a2 = _membership("a", date(2021, 1, 1), "s")
    for m in (a1, b1, a2):
        table[m.membership_id] = m
    assert table.of_person(a1.person_id) == [a1, a2]
    assert table.of_seat(a1.seat_id) == [a1, a2]
    # A correction that gives a1 to b: b's memberships in the table's order.
    moved = dataclasses.replace(a1, person_id=b1.person_id, seat_id=None)
    table[a1.membership_id] = moved
    assert table.of_person(b1.person_id) == [moved, b1]
    assert table.of_person(a1.person_id) == [a2]
    assert table.of_seat(a1.seat_id) == [a2]
    del table[a2.membership_id]
    assert table.of_person(a1.person_id) == [] and table.of_seat(a1.seat_id) == []
    copied = copy.deepcopy(table)
    assert isinstance(copied, MembershipTable) and list(copied) == list(table)
    assert copied.of_person(b1.person_id) == [moved, b1]
    with pytest.raises(TypeError):
        table.update({})
