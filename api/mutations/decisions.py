"""Mutations on a decision: correct its kind and text, and a condition of it met or withdrawn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import strawberry

from api.graphql.core.ids import parse_id
from api.graphql.decisions.enums import DecisionKind
from api.mutations.core import Change, entity, of_decision, reason_given
from api.mutations.fields import write
from api.mutations.types import DecisionWrite
from registry.application import Registry
from registry.domain.decision import Decision
from registry.values import Context


def _on_decision(decision: UUID, command: Callable[[Registry, Context], object]) -> Change:
    """The change that runs `command(registry, context)` on the decision and answers it."""

    def run(registry: Registry, context: Context) -> dict[str, Any]:
        command(registry, context)
        return entity(decision)

    return Change(run, of_decision(decision), (decision, Decision, "decisionId"))


@write(DecisionWrite, "Correct a decision's kind and text; the reason is required.")
def correct_decision(
    decision_id: strawberry.ID, kind: DecisionKind, text: str, reason: str
) -> Change:
    decision = parse_id(decision_id, "decisionId")
    return _on_decision(
        decision,
        lambda registry, context: registry.correct_decision(
            decision, kind.value, text, reason_given(reason), context
        ),
    )


@write(DecisionWrite, "A condition of a decision is met (the decision may then be in force).")
def meet_condition(
    decision_id: strawberry.ID, condition_id: strawberry.ID, met_on: date, note: str | None = None
) -> Change:
    decision = parse_id(decision_id, "decisionId")
    condition = parse_id(condition_id, "conditionId")
    return _on_decision(
        decision,
        lambda registry, context: registry.meet_condition(
            decision, condition, met_on, context, note
        ),
    )


@write(
    DecisionWrite,
    "A condition of a decision will not be met (withdrawn, or the approval refused): the "
    "decision lapses and what it authorised never applies. The reason is required.",
)
def withdraw_condition(
    decision_id: strawberry.ID, condition_id: strawberry.ID, withdrawn_on: date, reason: str
) -> Change:
    decision = parse_id(decision_id, "decisionId")
    condition = parse_id(condition_id, "conditionId")
    return _on_decision(
        decision,
        lambda registry, context: registry.withdraw_condition(
            decision, condition, withdrawn_on, reason_given(reason), context
        ),
    )
