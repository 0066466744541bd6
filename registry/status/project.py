"""Where a project stands on a day: proposed, not yet decided or started, ongoing, ended after
its period, completed or stopped."""

from __future__ import annotations

from datetime import date

from registry.domain.project import ProjectStatus


def project_status(
    proposed: bool,
    decided_on: date | None,
    start: date | None,
    end: date | None,
    ended_on: date | None,
    outcome: str | None,
    day: date,
) -> ProjectStatus:
    """Where a project stands on `day`, from its record."""
    if proposed:
        return ProjectStatus.PROPOSED
    if decided_on is not None and day < decided_on:
        return ProjectStatus.NOT_YET_DECIDED
    if outcome is not None and ended_on is not None and ended_on <= day:
        return ProjectStatus(outcome)
    if start is not None and day < start:
        return ProjectStatus.NOT_STARTED
    if end is not None and end < day:
        return ProjectStatus.ENDED
    return ProjectStatus.ONGOING
