"""Recording facts with the registry's commands, and correcting them when a file changes.

Each concept records and corrects its own facts (registry/importing/concepts/); the Applier
composes them. Every method runs inside the importer's one unit of work, so a command
refused anywhere voids the whole file. A refusal is the domain's own error; `problem_for`
says where in the file it points.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from registry.errors import RegistryError
from registry.importing.concepts import (
    agreements,
    approvals,
    assignments,
    bodies,
    consultations,
    decisions,
    funds,
    mandates,
    meetings,
    memberships,
    parties,
    plans,
    projects,
)
from registry.importing.concepts.common import shown
from registry.importing.concepts.meetings import agenda_problem
from registry.importing.facts import Fact
from registry.importing.problems import Problem, join_path

# The registry's error fields, by kind of fact, as the keys of the file's entry.
_FIELDS: dict[str, dict[str, str]] = {
    **parties.FIELDS,
    **bodies.FIELDS,
    **memberships.FIELDS,
    **meetings.FIELDS,
    **decisions.FIELDS,
    **agreements.FIELDS,
    **funds.FIELDS,
    **assignments.FIELDS,
    **plans.FIELDS,
    **projects.FIELDS,
    **consultations.FIELDS,
    **mandates.FIELDS,
    **approvals.FIELDS,
}

# What a changed file may correct, by kind of fact.
_CORRECTABLE: dict[str, set[str]] = {
    **parties.CORRECTABLE,
    **bodies.CORRECTABLE,
    **memberships.CORRECTABLE,
    **decisions.CORRECTABLE,
    **agreements.CORRECTABLE,
    **funds.CORRECTABLE,
    **mandates.CORRECTABLE,
    **approvals.CORRECTABLE,
}

# What a kind of fact is called when a changed file leaves it out.
_KIND_WORDS: dict[str, str] = {
    **parties.KIND_WORDS,
    **bodies.KIND_WORDS,
    **memberships.KIND_WORDS,
    **agreements.KIND_WORDS,
    **funds.KIND_WORDS,
    **assignments.KIND_WORDS,
}

_FIELD = re.compile(r"^(?P<name>\w+)(?P<index>\[\d+\])?$")


def problem_for(fact: Fact, error: RegistryError) -> Problem:
    """The domain's refusal, at the path in the file it points to."""
    path = fact.path
    if error.field:
        match = _FIELD.match(error.field.rsplit(".", 1)[-1])
        if match:
            key = _FIELDS.get(fact.kind, {}).get(match["name"])
            if key and key in fact.entry:
                path = join_path(path, key) + (match["index"] or "")
    return Problem(path, error.message, error.code)


class Applier(
    parties.PartyApplier,
    bodies.BodyApplier,
    memberships.MembershipApplier,
    meetings.MeetingApplier,
    decisions.DecisionApplier,
    agreements.AgreementApplier,
    funds.FundApplier,
    assignments.AssignmentApplier,
    plans.PlanApplier,
    projects.ProjectApplier,
    consultations.ConsultationApplier,
    mandates.MandateApplier,
    approvals.ApprovalApplier,
):
    """Applies facts with the registry's commands: a fact of kind `k` with `_apply_k`, a
    correction with `_correct_k`, a removal with `_remove_k` of its concept."""

    def correction(self, old: Fact, new: Fact) -> Callable[[], None] | Problem:
        """How to turn `old` into `new` with correction commands, or why it cannot be done."""
        changed = sorted(
            k for k in set(old.attrs) | set(new.attrs) if old.attrs.get(k) != new.attrs.get(k)
        )
        supported = _CORRECTABLE.get(new.kind, set())
        if new.kind == "seats" and changed == ["count"] and new.attrs["count"] < old.attrs["count"]:
            supported = set()
        refused = [k for k in changed if k not in supported]
        if new.kind == "meeting" and refused == ["items"]:
            return agenda_problem(old.attrs["items"], new.attrs["items"])
        if refused:
            key = refused[0]
            return Problem(
                join_path(new.path, key) if key in new.entry or key in old.entry else new.path,
                f"cannot be corrected by an import: {key} was {shown(old.attrs.get(key))} and is "
                f"now {shown(new.attrs.get(key))}; the registry has no correction for that",
                "NOT_CORRECTABLE",
            )
        return lambda: getattr(self, f"_correct_{new.kind}")(old, new)

    def removal(self, old: Fact) -> Callable[[], None] | Problem:
        if old.kind in ("appointments", "allocations"):
            return lambda: getattr(self, f"_remove_{old.kind}")(old)
        return Problem(
            old.path,
            f"is in the version imported before but not in this one; a recorded "
            f"{_KIND_WORDS.get(old.kind, old.kind)} cannot be removed by a correction",
            "NOT_CORRECTABLE",
        )
