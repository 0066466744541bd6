"""Assignments (uppdrag) and their reports."""

from api.graphql.assignments.enums import AssignmentStatus
from api.graphql.assignments.loaders import load_assignment
from api.graphql.assignments.types import Assignment, AssignmentReport, assignment_status

__all__ = [
    "Assignment",
    "AssignmentReport",
    "AssignmentStatus",
    "assignment_status",
    "load_assignment",
]
