"""The enums of assignments."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="Where an assignment (uppdrag) stands on a date.")
class AssignmentStatus(enum.Enum):
    NOT_YET_GIVEN = "not_yet_given"
    OPEN = "open"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
