"""Projects and remisser (consultations)."""

from api.graphql.projects.types import (
    Consultation,
    ConsultationAnswer,
    ConsultationStatus,
    Financing,
    Project,
    ProjectOwner,
    ProjectStatus,
    Stance,
    consultation_status,
    consultations_of,
    load_consultation,
    load_project,
    project_status,
    projects_of,
)

__all__ = [
    "Consultation",
    "ConsultationAnswer",
    "ConsultationStatus",
    "Financing",
    "Project",
    "ProjectOwner",
    "ProjectStatus",
    "Stance",
    "consultation_status",
    "consultations_of",
    "load_consultation",
    "load_project",
    "project_status",
    "projects_of",
]
