"""Where a decision stands on a date, and whether the changes it authorises apply.

One home for these rules: the read models (projections/pending.py) and GraphQL use them.

A decision "som kräver politisk förankring innan det gäller" is conditional: the memberships,
assignments, allocations and agreement changes it authorises are pending until every
condition is met, and apply from the day the last one is met. A decision whose condition is
withdrawn or refused (the political approval is not given) has lapsed: its effects never
apply. A deferred item (bordläggning, "skjuts upp") or one referred back (återremiss) is not a
decision in force at all, whatever remarks it carries.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from registry.dates import Position, position_on


class DecisionStatus(enum.StrEnum):
    """Where a decision stands on a date."""

    NOT_YET_DECIDED = "not_yet_decided"
    IN_FORCE = "in_force"
    CONDITIONAL = "conditional"
    LAPSED = "lapsed"
    DEFERRED = "deferred"
    REFERRED_BACK = "referred_back"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


#: Decision kinds that leave the question open: no decision is in force on the item.
NOT_DECIDED_KINDS = {
    "deferred": DecisionStatus.DEFERRED,
    "referred_back": DecisionStatus.REFERRED_BACK,
}


@dataclass(frozen=True)
class ConditionState:
    """A condition of a decision: the day it was met, or the day it was withdrawn or refused
    (None: not yet)."""

    met_on: date | None = None
    withdrawn_on: date | None = None


class GateState(enum.StrEnum):
    """Whether the effects of a decision apply, as the registry knows it now."""

    UNCONDITIONAL = "unconditional"  # no condition: they apply as recorded
    PENDING = "pending"  # a condition is not yet met: they wait
    MET = "met"  # every condition is met: they apply from `applies_from`
    LAPSED = "lapsed"  # a condition was withdrawn or refused: they never apply


@dataclass(frozen=True)
class Gate:
    """What the conditions of a decision say about its effects."""

    state: GateState
    applies_from: date | None = None  # for MET: the day the last condition was met

    @property
    def holds_back(self) -> bool:
        """True while the effects must not apply (pending, or never)."""
        return self.state in (GateState.PENDING, GateState.LAPSED)


def gate_of(decided_on: date, conditions: Iterable[ConditionState]) -> Gate:
    """The gate a decision's conditions make for its effects."""
    states = list(conditions)
    if not states:
        return Gate(GateState.UNCONDITIONAL)
    if any(c.withdrawn_on is not None for c in states):
        return Gate(GateState.LAPSED)
    met = [c.met_on for c in states]
    if any(m is None for m in met):
        return Gate(GateState.PENDING)
    return Gate(GateState.MET, max([decided_on, *met]))  # type: ignore[list-item]


def effect_from(day: date | None, gate: Gate) -> date | None:
    """The day an effect dated `day` applies once its decision's gate is open: not before
    the day the last condition was met. (None stays None: an unknown date is not made up.)"""
    if gate.state is not GateState.MET or gate.applies_from is None:
        return day
    if day is None or day < gate.applies_from:
        return gate.applies_from
    return day


def decision_status(
    *,
    kind: str,
    decided_on: date,
    conditions: Iterable[ConditionState],
    revoked_on: date | None,
    superseded: bool,
    superseded_on: date | None,
    day: date,
) -> DecisionStatus:
    """Where a decision stands on `day` (valid time)."""
    if day < decided_on:
        return DecisionStatus.NOT_YET_DECIDED
    if revoked_on is not None and revoked_on <= day:
        return DecisionStatus.REVOKED
    if superseded and (superseded_on is None or superseded_on <= day):
        return DecisionStatus.SUPERSEDED
    if kind in NOT_DECIDED_KINDS:
        return NOT_DECIDED_KINDS[kind]
    states = list(conditions)
    if any(c.withdrawn_on is not None and c.withdrawn_on <= day for c in states):
        return DecisionStatus.LAPSED
    if any(c.met_on is None or c.met_on > day for c in states):
        return DecisionStatus.CONDITIONAL
    return DecisionStatus.IN_FORCE


def decision_status_uncertain(
    *, decided_on: date, decided_on_unknown: bool, precision: str | None, day: date
) -> bool:
    """Whether a decision's status on `day` is uncertain because the day it was decided is not
    known to the day: `day` lies inside its month or year, or before the latest day of a
    decision whose date is unknown (`decided_on` is then that latest day)."""
    return position_on(day, decided_on, decided_on_unknown, precision) is Position.WITHIN


class EffectStatus(enum.StrEnum):
    """Where an effect of a conditional decision (a membership, an allocation ... held until
    the condition is met) stands as the registry knows it."""

    PENDING = "pending"  # a condition is still open
    APPLIED = "applied"  # every condition was met: it applies from the last one's day
    NEVER = "never"  # a condition was withdrawn or refused: it never applies


def effect_status(outcome: str | None) -> EffectStatus:
    """The status of a held effect from its recorded outcome (projections/pending.py records
    "applied" or "never" when the decision's gate opens or closes; nothing while it waits)."""
    return EffectStatus(outcome) if outcome is not None else EffectStatus.PENDING


__all__ = [
    "ConditionState",
    "DecisionStatus",
    "EffectStatus",
    "Gate",
    "GateState",
    "decision_status",
    "decision_status_uncertain",
    "effect_from",
    "effect_status",
    "gate_of",
]
