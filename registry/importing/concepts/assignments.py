"""Assignments (uppdrag) in a minutes file: the decisions that give them, reports on them and
their completion; their facts and how they are recorded."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from registry.domain.assignment import Assignment
from registry.errors import InvalidInput
from registry.ids import natural_id, normalise
from registry.importing.concepts.common import FactApplier, FactBuilder
from registry.importing.facts import Fact, Resolved, as_text, day
from registry.importing.problems import join_path

#: The registry's error fields, by kind of fact, as the keys of the file's entry.
FIELDS: dict[str, dict[str, str]] = {
    "assignments": {
        "due_date": "due",
        "holder_id": "holder",
        "holder_kind": "holder_kind",
        "key": "task",
    },
    "reports": {"reported_on": "reported_on", "text": "text", "assignment_id": "assignment"},
    "completions": {"completed_on": "completed_on", "assignment_id": "assignment"},
}

#: What a kind of fact is called when a changed file leaves it out.
KIND_WORDS: dict[str, str] = {
    "assignments": "assignment",
    "reports": "report on an assignment",
    "completions": "completion",
}


class AssignmentFacts(FactBuilder):
    """Declares the assignments the file's decisions give and builds the facts of
    assignments, reports and completions."""

    def declare_assignments(
        self, path: str, entries: dict[str, Any], decision_body: Resolved | None
    ) -> None:
        """Assignments are declared by the decisions that give them."""
        for i, entry in enumerate(entries.get("assignments", [])):
            epath = join_path(path, "assignments", i)
            given_by = self.ref(entry, "given_by", ["body"], epath) or decision_body
            if given_by is None:
                continue
            key = entry.get("key") or f"{given_by.id}|{normalise(entry['task'])}"
            aid = natural_id("assignment", key)
            self.declare("assignment", epath, entry, aid, "task", named=False)

    def _assignments(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        given_by = self.ref(entry, "given_by", ["body"], path) or body
        holder = self.ref(entry, "holder", ["person", "body", "organisation"], path)
        if "holder" in entry and holder is None:
            return None
        key = entry.get("key") or f"{given_by.id}|{normalise(entry['task'])}"
        aid = natural_id("assignment", key)
        attrs = {
            "holder": as_text(holder.id) if holder else entry.get("holder_name"),
            "task": entry["task"],
            "due": entry.get("due"),
            "given_on": entry.get("given_on"),
            "given_by": str(given_by.id),
        }
        return (
            ("assignment", aid),
            attrs,
            {"id": aid, "holder": holder, "given_by": given_by, "key": key},
        )

    def _assignment_of(self, entry: dict[str, Any], path: str, body: Resolved) -> UUID | None:
        """The assignment an effect refers to: a reference, or its task (+ given_by)."""
        if "assignment" in entry:
            assignment = self.ref(entry, "assignment", ["assignment"], path)
            return assignment.id if assignment else None
        given_by = self.ref(entry, "given_by", ["body"], path) or body
        return natural_id("assignment", f"{given_by.id}|{normalise(entry['task'])}")

    def _reports(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        aid = self._assignment_of(entry, path, body)
        if aid is None:
            return None
        identity = ("report", owner, str(aid), normalise(entry["text"]))
        return identity, {"reported_on": entry.get("reported_on")}, {"id": aid}

    def _completions(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        aid = self._assignment_of(entry, path, body)
        if aid is None:
            return None
        return ("completion", str(aid)), {"completed_on": entry.get("completed_on")}, {"id": aid}


class AssignmentApplier(FactApplier):
    """Records assignments, reports on them and their completion."""

    def _apply_assignments(self, fact: Fact) -> None:
        if fact.decision is None and self._exists(fact.refs["id"], Assignment):
            return
        e, r = fact.entry, fact.refs
        holder = r["holder"]
        kind = e.get("holder_kind") or (holder.kind if holder else None)
        if holder is not None and kind != holder.kind:
            raise InvalidInput(
                f"holder_kind is {kind}, but {holder.name!r} is {'an' if holder.kind[0] == 'o' else 'a'} {holder.kind}",
                field="holder_kind",
            )
        self.registry.give_assignment(
            r["given_by"].id,
            kind,  # type: ignore[arg-type]
            holder.name if holder else e["holder_name"],
            e["task"],
            fact.context,
            holder_id=holder.id if holder else None,
            due_date=day(e.get("due")),
            given_on=self._date(fact, "given_on"),
            key=r["key"],
        )

    def _apply_reports(self, fact: Fact) -> None:
        on = self._date(fact, "reported_on", required=True)
        assert on is not None
        text = fact.entry["text"].strip()
        if fact.decision is None and self._exists(fact.refs["id"], Assignment):
            reports = self.registry.get(fact.refs["id"], Assignment).reports
            if (on, text) in [tuple(r) for r in reports]:
                return  # a background fact already recorded (by another file)
        self.registry.report_assignment(fact.refs["id"], on, text, fact.context)

    def _apply_completions(self, fact: Fact) -> None:
        on = self._date(fact, "completed_on", required=True)
        assert on is not None
        self.registry.complete_assignment(fact.refs["id"], on, fact.context)
