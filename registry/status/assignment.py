"""Where an assignment (uppdrag) stands on a day: one rule for GraphQL's `status` and the
list read model that stores its validity ranges (projections/status_ranges.py)."""

from __future__ import annotations

from datetime import date

NOT_YET_GIVEN = "not_yet_given"
OPEN = "open"


def assignment_status(
    *, given_on: date | None, status: str, ended_on: date | None, day: date
) -> str:
    """The assignment's status on `day`: not yet given, open, or (from the day it ended)
    completed or withdrawn. `status` is its recorded state (open, completed, withdrawn)."""
    if given_on is not None and day < given_on:
        return NOT_YET_GIVEN
    if status != OPEN and ended_on is not None and ended_on <= day:
        return status
    return OPEN


def overdue(*, due_date: date | None, status_on_day: str, day: date) -> bool:
    """Open past its due date on `day`."""
    return due_date is not None and due_date < day and status_on_day == OPEN


__all__ = ["NOT_YET_GIVEN", "OPEN", "assignment_status", "overdue"]
