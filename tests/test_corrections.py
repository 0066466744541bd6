"""Corrections and retractions of memberships are new facts, never rewrites: what the registry
says now (`asOf` with the current recorded time) follows the correction, while `knownAt` a time
before it still gives the answer the registry gave then."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from projections.runner import ProjectionRunner
from registry.application import Appointment, Registry
from registry.domain.body import Body
from registry.values import Context, Role, Source

MINUTES = Source("Protokoll Chefsgrupp för social välfärd samt vård och omsorg 2020-02-07", "9")
REASON = "Startdatum felregistrerat: protokollet 2020-02-07 § 9 anger 2020-02-07, inte 2020-01-07"


@pytest.fixture
def recorded(registry: Registry) -> dict:
    ctx = Context("secretary Ann-Louise Gustafsson", MINUTES)
    body = registry.register_body(
        "Styrgrupp – samverkan för en god och nära vård", "styrgrupp", ctx
    )
    annika = registry.register_person("Annika Roman", ctx)
    lena = registry.register_person("Lena Adolfsson", ctx)
    # Recorded with the start misread as 2020-01-07.
    membership = registry.appoint(body, Appointment(annika, start=date(2020, 1, 7)), ctx)
    registry.appoint(body, Appointment(lena, start=date(2020, 2, 7)), ctx)
    return {"ctx": ctx, "body": body, "annika": annika, "lena": lena, "membership": membership}


def members(
    runner: ProjectionRunner, body: UUID, as_of: date, known_at: datetime | None = None
) -> list:
    runner.catch_up()
    with runner.views.reading() as db:
        return runner.memberships.members(db, body, as_of, known_at or datetime.now(UTC))


def names(rows: list) -> list[str]:
    return sorted(r.person_name for r in rows)


def correct_start(registry: Registry, recorded: dict) -> datetime:
    """Records the correction; returns a recorded time just before it."""
    before = datetime.now(UTC)
    registry.correct_membership(
        recorded["body"],
        recorded["membership"],
        Appointment(recorded["annika"], start=date(2020, 2, 7)),
        REASON,
        recorded["ctx"],
    )
    return before


def test_a_correction_recorded_later_changes_the_as_of_answer(registry, runner, recorded):
    body = recorded["body"]
    assert names(members(runner, body, date(2020, 1, 15))) == ["Annika Roman"]
    correct_start(registry, recorded)
    assert names(members(runner, body, date(2020, 1, 15))) == []
    assert names(members(runner, body, date(2020, 2, 7))) == ["Annika Roman", "Lena Adolfsson"]


def test_known_at_before_the_correction_still_gives_the_old_answer(registry, runner, recorded):
    body = recorded["body"]
    before = correct_start(registry, recorded)
    [then] = members(runner, body, date(2020, 1, 15), known_at=before)
    assert then.person_name == "Annika Roman"
    assert then.start_date == date(2020, 1, 7)
    assert then.correction_reason is None
    assert then.recorded_to is not None and then.recorded_to > before


def test_the_correction_row_carries_its_reason(registry, runner, recorded):
    correct_start(registry, recorded)
    [corrected] = [
        r
        for r in members(runner, recorded["body"], date(2020, 3, 1))
        if r.person_name == "Annika Roman"
    ]
    assert corrected.membership_id == recorded["membership"]
    assert corrected.event_type == "MembershipCorrected"
    assert corrected.correction_reason == REASON
    assert corrected.start_date == date(2020, 2, 7)
    assert corrected.source_item == "9"
    assert corrected.recorded_to is None


def test_the_history_of_a_corrected_membership_keeps_both_versions(registry, runner, recorded):
    correct_start(registry, recorded)
    runner.catch_up()
    with runner.views.reading() as db:
        history = runner.memberships.history(db, recorded["membership"])
    assert [(v.event_type, v.start_date, v.correction_reason) for v in history] == [
        ("MemberAppointed", date(2020, 1, 7), None),
        ("MembershipCorrected", date(2020, 2, 7), REASON),
    ]
    assert history[0].recorded_to == history[1].recorded_from


def test_a_correction_of_the_role_answers_with_the_new_role(registry, runner, recorded):
    registry.correct_membership(
        recorded["body"],
        recorded["membership"],
        Appointment(recorded["annika"], Role.DEPUTY, start=date(2020, 1, 7)),
        "Ersättare enligt protokollet, inte ledamot",
        recorded["ctx"],
    )
    [row] = [
        r
        for r in members(runner, recorded["body"], date(2020, 3, 1))
        if r.person_name == "Annika Roman"
    ]
    assert row.role == "deputy"
    assert registry.get(recorded["body"], Body).memberships[recorded["membership"]].role == (
        Role.DEPUTY
    )


def test_a_retraction_removes_the_membership_from_current_answers(registry, runner, recorded):
    registry.retract_membership(
        recorded["body"], recorded["membership"], "Registrerad på fel organ", recorded["ctx"]
    )
    assert names(members(runner, recorded["body"], date(2020, 3, 1))) == ["Lena Adolfsson"]
    assert names(members(runner, recorded["body"], date(2020, 1, 15))) == []
    assert recorded["membership"] not in registry.get(recorded["body"], Body).memberships


def test_a_retraction_does_not_change_known_at_before_answers(registry, runner, recorded):
    before = datetime.now(UTC)
    registry.retract_membership(
        recorded["body"], recorded["membership"], "Registrerad på fel organ", recorded["ctx"]
    )
    body = recorded["body"]
    assert names(members(runner, body, date(2020, 1, 15), known_at=before)) == ["Annika Roman"]
    assert names(members(runner, body, date(2020, 3, 1), known_at=before)) == [
        "Annika Roman",
        "Lena Adolfsson",
    ]


def test_a_retracted_correction_leaves_every_earlier_answer_intact(registry, runner, recorded):
    body = recorded["body"]
    before_correction = correct_start(registry, recorded)
    before_retraction = datetime.now(UTC)
    registry.retract_membership(
        body, recorded["membership"], "Registrerad på fel organ", recorded["ctx"]
    )
    assert names(members(runner, body, date(2020, 1, 15), before_correction)) == ["Annika Roman"]
    assert names(members(runner, body, date(2020, 1, 15), before_retraction)) == []
    assert "Annika Roman" in names(members(runner, body, date(2020, 3, 1), before_retraction))
    assert names(members(runner, body, date(2020, 3, 1))) == ["Lena Adolfsson"]
