"""Where a planned meeting stands on a day (the domain's rule for `PlannedMeeting.status`)."""

from __future__ import annotations

from datetime import date

from registry.domain.meeting_plan import PlannedMeetingStatus


def planned_meeting_status(
    status: str, held_on: date | None, cancelled_on: date | None, day: date
) -> PlannedMeetingStatus:
    """Where a planned meeting stands on `day`: held from the day it was held, cancelled
    from the day the cancellation was decided (at once when that day is unknown)."""
    if status == PlannedMeetingStatus.HELD and held_on is not None and held_on <= day:
        return PlannedMeetingStatus.HELD
    if cancelled_on is not None and cancelled_on <= day:
        return PlannedMeetingStatus.CANCELLED
    if status == PlannedMeetingStatus.CANCELLED and cancelled_on is None:
        return PlannedMeetingStatus.CANCELLED
    return PlannedMeetingStatus.PLANNED
