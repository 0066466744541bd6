"""The domain's rules for where a decision stands and when its effects apply
(registry/status/decision.py), and the Decision aggregate's withdrawal of a condition."""

from __future__ import annotations

from datetime import date

import pytest

from registry.domain.decision import Condition, Decision
from registry.errors import InvalidInput, InvalidTransition
from registry.ids import natural_id
from registry.status.decision import (
    ConditionState,
    DecisionStatus,
    GateState,
    decision_status,
    effect_from,
    gate_of,
)
from registry.values import Context, DecisionKind, Source

DECIDED = date(2020, 2, 7)
MET = date(2020, 3, 10)


def status(kind: str = "approved", conditions=(), day: date = date(2020, 4, 1)) -> DecisionStatus:
    return decision_status(
        kind=kind,
        decided_on=DECIDED,
        conditions=conditions,
        revoked_on=None,
        superseded=False,
        superseded_on=None,
        day=day,
    )


def test_a_conditional_decision_is_in_force_from_the_day_its_last_condition_is_met():
    conditions = [ConditionState(met_on=MET), ConditionState(met_on=date(2020, 3, 1))]
    assert status(conditions=conditions, day=date(2020, 3, 9)) is DecisionStatus.CONDITIONAL
    assert status(conditions=conditions, day=MET) is DecisionStatus.IN_FORCE
    gate = gate_of(DECIDED, conditions)
    assert (gate.state, gate.applies_from) == (GateState.MET, MET)


def test_a_withdrawn_condition_makes_the_decision_lapse_from_that_day():
    conditions = [ConditionState(withdrawn_on=MET)]
    assert status(conditions=conditions, day=date(2020, 3, 9)) is DecisionStatus.CONDITIONAL
    assert status(conditions=conditions, day=MET) is DecisionStatus.LAPSED
    assert gate_of(DECIDED, conditions).holds_back


def test_deferred_and_referred_back_items_are_not_in_force_whatever_their_remarks():
    remarks = [ConditionState()]
    assert status("deferred", remarks) is DecisionStatus.DEFERRED
    assert status("deferred") is DecisionStatus.DEFERRED
    assert status("referred_back") is DecisionStatus.REFERRED_BACK
    assert status("deferred", day=date(2020, 2, 6)) is DecisionStatus.NOT_YET_DECIDED


def test_an_effect_applies_from_its_own_date_but_not_before_the_condition_is_met():
    gate = gate_of(DECIDED, [ConditionState(met_on=MET)])
    assert effect_from(DECIDED, gate) == MET
    assert effect_from(date(2020, 9, 1), gate) == date(2020, 9, 1)
    unconditional = gate_of(DECIDED, [])
    assert unconditional.state is GateState.UNCONDITIONAL and not unconditional.holds_back
    assert effect_from(DECIDED, unconditional) == DECIDED


def decision() -> Decision:
    ctx = Context("test", Source("Protokoll"))
    return Decision(
        body_id=natural_id("body", "b"),
        decided_on=DECIDED,
        item="5",
        ordinal=1,
        meeting_id=None,
        kind=DecisionKind.APPROVED,
        text="Godkänns, vilket kräver politisk förankring.",
        conditions=(Condition(natural_id("condition", "c"), "politisk förankring"),),
        effective_date=DECIDED,
        context=ctx,
    )


def test_a_condition_withdrawn_is_recorded_and_cannot_be_met_afterwards():
    d = decision()
    cid = natural_id("condition", "c")
    ctx = Context("test", Source("Protokoll Regionstyrelsen"))
    d.withdraw_condition(cid, MET, "Regionstyrelsen avslog.", ctx)
    assert d.status == "lapsed" and d.withdrawn_conditions == {str(cid): MET}
    with pytest.raises(InvalidTransition):
        d.meet_condition(cid, MET, None, ctx)
    with pytest.raises(InvalidTransition):
        d.withdraw_condition(cid, MET, "igen", ctx)


def test_a_condition_cannot_be_withdrawn_before_the_decision_or_after_it_was_met():
    d = decision()
    cid = natural_id("condition", "c")
    ctx = Context("test", Source("Protokoll"))
    with pytest.raises(InvalidInput):
        d.withdraw_condition(cid, date(2020, 2, 6), "för tidigt", ctx)
    d.meet_condition(cid, MET, None, ctx)
    with pytest.raises(InvalidTransition):
        d.withdraw_condition(cid, date(2020, 4, 1), "för sent", ctx)
