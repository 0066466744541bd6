"""The command path's own look-ups: a new aggregate's ALREADY_EXISTS when this registry has
never seen the recorded one (found from the save's collision, not a look-up per command),
and the aggregate cache's one-query freshness check after another writer's events."""

from __future__ import annotations

import re
from datetime import date

import pytest

from registry.application import Appointment, Registry
from registry.config import StoreSettings
from registry.domain.body import Body
from registry.errors import AlreadyExists
from registry.values import Context, DecisionKind


def test_a_decision_recorded_by_another_writer_is_already_exists(
    settings: StoreSettings, ctx: Context
) -> None:
    first = Registry(settings)
    second: Registry | None = None
    try:
        body = first.register_body("Styrgrupp", "styrgrupp", ctx)
        anna = first.register_person("Anna", ctx)
        with first.decide(body, date(2020, 3, 6), "7", DecisionKind.DECIDED, "Utses.", ctx) as d:
            decision = d.id
        # Started after the decision was written: it has neither cached nor seen it.
        second = Registry(settings)
        assert not second.checkouts.known(decision)
        before = second.max_position()
        message = re.escape(
            f"decision 1 on item '7' of 2020-03-06 is already recorded (id {decision})"
        )
        with (
            pytest.raises(AlreadyExists, match=f"^{message}$") as refused,
            second.decide(body, date(2020, 3, 6), "7", DecisionKind.DECIDED, "Utses.", ctx) as d,
        ):
            second.appoint(body, Appointment(anna, start=date(2020, 4, 1)), d.context)
        assert refused.value.code == "ALREADY_EXISTS"
        assert second.max_position() == before  # nothing written, not even the appointment
        # The refused unit left nothing behind: the body is appointable as before.
        second.appoint(body, Appointment(anna, start=date(2020, 4, 1)), ctx)
        assert [m.person_name for m in first.get(body, Body).memberships.values()] == ["Anna"]
    finally:
        first.close()
        if second is not None:
            second.close()


def test_the_freshness_check_sees_many_foreign_events(
    settings: StoreSettings, ctx: Context
) -> None:
    first, second = Registry(settings), Registry(settings)
    try:
        body = first.register_body("Styrgrupp", "styrgrupp", ctx)
        people = [first.register_person(f"P{i}", ctx) for i in range(5)]
        first.appoint(body, Appointment(people[0], start=date(2020, 1, 1)), ctx)  # cached
        for i, p in enumerate(people[1:4], 1):
            second.appoint(body, Appointment(p, start=date(2020, 1, i + 1)), ctx)
        first.appoint(body, Appointment(people[4], start=date(2021, 1, 1)), ctx)
        names = {m.person_name for m in first.get(body, Body).memberships.values()}
        assert names == {"P0", "P1", "P2", "P3", "P4"}
    finally:
        first.close()
        second.close()
