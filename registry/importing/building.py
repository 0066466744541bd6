"""Building a validated minutes file's facts, with every reference resolved, in the order
they are recorded: the declarations, the meeting, each decision with its effects, then the
meeting's serving deputies and its approval. Each concept builds its own facts
(registry/importing/concepts/); this module composes them and keeps the order.

Nothing here writes: references are resolved against the file's declarations and, read-only,
the registry's aggregates.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from registry.application import Registry
from registry.ids import natural_id
from registry.importing.concepts.agreements import AgreementFacts
from registry.importing.concepts.approvals import ApprovalFacts
from registry.importing.concepts.assignments import AssignmentFacts
from registry.importing.concepts.bodies import BodyFacts
from registry.importing.concepts.consultations import ConsultationFacts
from registry.importing.concepts.decisions import DecisionFacts
from registry.importing.concepts.funds import FundFacts
from registry.importing.concepts.mandates import MandateFacts
from registry.importing.concepts.meetings import MeetingFacts
from registry.importing.concepts.memberships import MembershipFacts
from registry.importing.concepts.parties import PartyFacts
from registry.importing.concepts.plans import PlanFacts
from registry.importing.concepts.projects import ProjectFacts
from registry.importing.facts import DecisionInfo, Document, Fact, Resolved, note_of
from registry.importing.identity import probing
from registry.importing.problems import join_path, path_order
from registry.values import Actor

#: The effect lists of a decision (or of the background), in the order they are applied.
EFFECTS = (
    "seats",
    "appointments",
    "replacements",
    "endings",
    "agreements",
    "extensions",
    "adoptions",
    "revisions",
    "terminations",
    "funds",
    "allocations",
    "assignments",
    "reports",
    "completions",
    "conditions_met",
    "conditions_withdrawn",
    "appeals",
    "planned_meetings",
    "meeting_cancellations",
    "projects",
    "consultations",
    "meeting_referrals",
    "consultation_answers",
    "consultation_conclusions",
    "project_approvals",
    "project_financing",
    "project_endings",
    "mandates",
    "delegations",
    "delegation_revocations",
    "delegation_reports",
    "recommendation_adoptions",
    "cessations",
    "renames",
)


class Builder(
    PartyFacts,
    BodyFacts,
    MembershipFacts,
    MeetingFacts,
    DecisionFacts,
    AgreementFacts,
    FundFacts,
    AssignmentFacts,
    PlanFacts,
    ProjectFacts,
    ConsultationFacts,
    MandateFacts,
    ApprovalFacts,
):
    """Builds one file's facts with every concept's builders; an effect list `name` is
    built by the method `_name` of its concept."""

    def declare_all(self) -> None:
        """Declares what the file names, so that references to it resolve: its
        organisations, bodies and persons, then what its decisions create."""
        self.declare_organisations()
        self.declare_bodies()
        self.declare_persons()
        if self.body is None:
            self.body = self.resolver.resolve(self.data["body"], ["body"], "body")
        for path, entries, decision_body in self._effect_lists():
            self.declare_agreements(path, entries)
            self.declare_funds(path, entries)
            self.declare_assignments(path, entries, decision_body)
            self.declare_projects(path, entries)
            self.declare_consultations(path, entries, decision_body)

    def _effect_lists(self) -> Iterator[tuple[str, dict[str, Any], Resolved | None]]:
        if "background" in self.data:
            yield "background", self.data["background"], self.body
        for i, item in enumerate(self.data["items"]):
            for j, decision in enumerate(item.get("decisions", [])):
                path = f"items[{i}].decisions[{j}]"
                body = self.body_of(decision, path, self.body)
                yield path, decision, body

    def declaration_facts(self) -> None:
        """The facts of the file's declarations: organisations, bodies (parents first), then
        persons; bodies whose parents form a cycle stop it there (a problem says so)."""
        self.organisation_facts()
        if self.body_facts():
            self.person_facts()

    def effect_facts(
        self, path: str, entries: dict[str, Any], decision: DecisionInfo | None, body: Resolved
    ) -> None:
        owner = decision.identity if decision else ("background",)
        item = decision.item if decision else None
        background_note = entries.get("note") if decision is None else None
        for name in EFFECTS:
            for i, entry in enumerate(entries.get(name, [])):
                epath = join_path(path, name, i)
                ctx = self.context(note_of(background_note, entry.get("note")), item, decision)
                build = getattr(self, f"_{name}")
                built = build(entry, epath, body, owner)
                if built is None:
                    continue
                identity, attrs, refs = built
                self.add(Fact(name, epath, identity, attrs, entry, ctx, refs, decision))


def _declared_ids(data: dict[str, Any]) -> list[UUID]:
    """The ids the file's declarations stand for under their own keys (as identify computes
    them), to learn in one query which the registry does not hold yet."""
    found: list[UUID] = []

    def declared(kind: str, entry: Any, name_field: str) -> None:
        if isinstance(entry, dict) and isinstance(entry.get(name_field), str):
            found.append(natural_id(kind, entry.get("key") or entry[name_field]))

    for org in data.get("organisations", []):
        declared("organisation", org, "name")
    for body in [data.get("body"), *data.get("bodies", [])]:
        declared("body", body, "name")
    effects = [data.get("background") or {}]
    for item in data.get("items", []):
        effects.extend(item.get("decisions", []))
    for entries in effects:
        for entry in entries.get("agreements", []):
            declared("agreement", entry, "title")
        for entry in entries.get("funds", []):
            declared("fund", entry, "name")
    return found


def build(registry: Registry, data: dict[str, Any], actor: Actor | None = None) -> Document:
    """The facts of a schema-valid file, in the order they are recorded, with `actor` (by
    default the file's recorded_by) as who writes them."""
    builder = Builder(registry, data, actor)
    with probing(registry, _declared_ids(data)):
        builder.declare_all()
        builder.declaration_facts()
        meeting_id = builder.meeting_fact()
        builder.decision_facts(meeting_id)
        builder.serving_fact(meeting_id)
        builder.approval_fact(meeting_id)
    problems = sorted(set(builder.resolver.problems), key=lambda p: path_order(p.path))
    return Document(
        data=data,
        facts=builder.facts,
        problems=problems,
        body_id=builder.body.id if builder.body else None,
        held_on=builder.held_on,
        document=data["source"]["document"],
        actor=actor,
    )
