"""Entity views of meeting plans, projects and consultations (remisser), kept by the
entities read model (entities.py) like every other aggregate: a JSON document per version,
versioned on recorded time, with the dates that valid-time questions need."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.plain import plain
from registry.domain.consultation import Consultation
from registry.domain.meeting_plan import MeetingPlan
from registry.domain.project import Project

MEETING_PLAN = "meeting_plan"
PROJECT = "project"
CONSULTATION = "consultation"


def _meeting_plan(plan: MeetingPlan, event: Any, previous: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "body_id": plain(plan.body_id),
        "meetings": sorted(
            (plain(m) for m in plan.meetings.values()),
            key=lambda m: (m["planned_on"], m["sequence"]),
        ),
    }


def _project(project: Project, event: Any, previous: dict[str, Any] | None) -> dict[str, Any]:
    decision = (previous or {}).get("decision_id")
    if previous is None or isinstance(event, Project.Approved):
        decision = plain(event.context.decision_id)
    return {
        "key": project.key,
        "name": project.name,
        "description": project.description,
        "body_id": plain(project.body_id),
        "start": plain(project.start),
        "end": plain(project.end),
        "owner": plain(project.owner),
        "steering_body_id": plain(project.steering_body_id),
        "part_of": plain(project.part_of),
        "proposed": project.proposed,
        "decided_on": plain(project.decided_on),
        "decision_id": decision,
        "financing": [plain(f) for f in project.financing.values()],
        "ended_on": plain(project.ended_on),
        "outcome": project.outcome,
        "stop_reason": project.stop_reason,
    }


def _consultation(c: Consultation, event: Any, previous: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "key": c.key,
        "name": c.subject,
        "subject": c.subject,
        "body_id": plain(c.body_id),
        "asked": plain(c.asked),
        "sent_on": plain(c.sent_on),
        "sent_on_unknown": c.sent_on_unknown,
        "reply_by": plain(c.reply_by),
        "answers": sorted(
            (plain(a) for a in c.answers.values()), key=lambda a: (a["answered_on"], a["body_name"])
        ),
        "conclusions": plain(c.conclusions),
    }


#: Aggregate class → (entity type, view function, the view key holding its key date).
PLAN_VIEWS: dict[type, tuple[str, Callable[..., dict[str, Any]], str | None]] = {
    MeetingPlan: (MEETING_PLAN, _meeting_plan, None),
    Project: (PROJECT, _project, "start"),
    Consultation: (CONSULTATION, _consultation, "sent_on"),
}
