"""Where a municipal decision stands in law on a day (laga kraft): not yet approved,
appealable while the appeal window is open, appealed, annulled by the court, or final. The
calendar rules (the appeal period, days off) are registry/lifecycle.py's."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from registry.lifecycle import AppealOutcome, appeal_deadline


class LegalStatus(enum.StrEnum):
    """Where a municipal decision stands in law on a day."""

    NOT_APPROVED = "not_approved"  # the minutes are not yet justerade
    APPEALABLE = "appealable"  # justerade; the appeal window is open (or not yet posted)
    FINAL = "final"  # laga kraft
    APPEALED = "appealed"  # appealed in time; the court has not ruled
    ANNULLED = "annulled"  # upphävt by the court


@dataclass(frozen=True)
class AppealState:
    """An appeal as the status rule needs it: filed on, and the court's outcome (if any)."""

    filed_on: date
    outcome: AppealOutcome | None = None
    outcome_on: date | None = None


@dataclass(frozen=True)
class Window:
    """The dates that start a decision's appeal window: justering and anslag (None: not yet
    recorded)."""

    approved_on: date | None
    posted_on: date | None

    @property
    def deadline(self) -> date | None:
        return appeal_deadline(self.posted_on) if self.posted_on is not None else None


@dataclass(frozen=True)
class Standing:
    """A decision's legal status on a day, with the day it became final where it did."""

    status: LegalStatus
    final_on: date | None = None
    appeal_deadline: date | None = None


def legal_standing(window: Window, appeals: Iterable[AppealState], day: date) -> Standing:
    """Where a decision stands in law on `day` (valid time), from the dates of its minutes'
    justering and anslag and the appeals recorded (as the registry knows them)."""
    deadline = window.deadline
    if window.approved_on is None or day < window.approved_on:
        return Standing(LegalStatus.NOT_APPROVED, appeal_deadline=deadline)
    filed = [a for a in appeals if a.filed_on <= day]
    ruled = [a for a in filed if a.outcome is not None and a.outcome_on and a.outcome_on <= day]
    if any(a.outcome is AppealOutcome.ANNULLED for a in ruled):
        return Standing(LegalStatus.ANNULLED, appeal_deadline=deadline)
    in_time = [a for a in filed if deadline is None or a.filed_on <= deadline]
    if any(a not in ruled for a in in_time):
        return Standing(LegalStatus.APPEALED, appeal_deadline=deadline)
    if deadline is None or day <= deadline:
        return Standing(LegalStatus.APPEALABLE, appeal_deadline=deadline)
    final_on = max([deadline + timedelta(days=1), *(a.outcome_on for a in in_time if a.outcome_on)])
    return Standing(LegalStatus.FINAL, final_on=final_on, appeal_deadline=deadline)
