"""Meetings, their attendees and agenda items, serving deputies and meeting plans."""

from api.graphql.meetings.loaders import load_meeting
from api.graphql.meetings.plans import (
    Matter,
    PlannedMeeting,
    PlannedMeetingKind,
    PlannedMeetingStatus,
    load_planned_meeting,
    meeting_a_decision_goes_to,
    planned_meetings_of,
    planned_status,
)
from api.graphql.meetings.serving import ServingDeputy
from api.graphql.meetings.types import AgendaItem, Attendee, Meeting

__all__ = [
    "AgendaItem",
    "Attendee",
    "Matter",
    "Meeting",
    "PlannedMeeting",
    "PlannedMeetingKind",
    "PlannedMeetingStatus",
    "ServingDeputy",
    "load_meeting",
    "load_planned_meeting",
    "meeting_a_decision_goes_to",
    "planned_meetings_of",
    "planned_status",
]
