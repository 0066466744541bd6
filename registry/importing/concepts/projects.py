"""Projects in a minutes file: the decisions that start, approve, finance and end them;
their facts and how they are recorded."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from registry.domain.project import Project
from registry.errors import InvalidInput, RegistryError
from registry.ids import natural_id
from registry.importing.concepts.common import FactApplier, FactBuilder, decided_on
from registry.importing.facts import Fact, Resolved, amount_of, as_text, day
from registry.importing.problems import join_path

#: The registry's error fields, by kind of fact, as the keys of the file's entry.
FIELDS: dict[str, dict[str, str]] = {
    "projects": {
        "name": "name",
        "end": "until",
        "owner_kind": "owner_kind",
        "owner_name": "owner_name",
        "key": "name",
        "financing": "financing",
    },
    "project_approvals": {"project": "project"},
    "project_financing": {
        "project": "project",
        "source": "source",
        "from": "from",
        "until": "until",
        "end": "until",
        "amount": "amount",
    },
    "project_endings": {"project": "project", "reason": "reason"},
}


class ProjectFacts(FactBuilder):
    """Declares the projects the file's decisions start and builds the facts of projects
    and what later decisions do to them."""

    def declare_projects(self, path: str, entries: dict[str, Any]) -> None:
        """Projects are declared by the decisions that start them."""
        for i, entry in enumerate(entries.get("projects", [])):
            pid = natural_id("project", entry.get("key") or entry["name"])
            self.declare("project", join_path(path, "projects", i), entry, pid)

    def _projects(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        pid = natural_id("project", entry.get("key") or entry["name"])
        refs: dict[str, Any] = {
            "id": pid,
            "owner": self.ref(entry, "owner", ["person", "body", "organisation"], path),
            "steering_body": self.ref(entry, "steering_body", ["body"], path),
            "part_of": self.ref(entry, "part_of", ["project"], path),
            "body": body,
            "funds": [
                self.ref(f, "fund", ["fund"], join_path(path, "financing", k))
                for k, f in enumerate(entry.get("financing", []))
            ],
        }
        for key in ("owner", "steering_body", "part_of"):
            if key in entry and refs[key] is None:
                return None
        attrs = {
            "name": entry["name"],
            "description": entry.get("description"),
            "from": entry.get("from"),
            "until": entry.get("until"),
            "owner": as_text(refs["owner"].id) if refs["owner"] else entry.get("owner_name"),
            "status": entry.get("status", "decided"),
            "financing": [
                [
                    f.get("source"),
                    as_text(fund.id) if fund else None,
                    str(f.get("amount")),
                    f.get("from"),
                    f.get("until"),
                ]
                for f, fund in zip(entry.get("financing", []), refs["funds"], strict=True)
            ],
        }
        return ("project", pid), attrs, refs

    def _project_approvals(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        project = self.ref(entry, "project", ["project"], path)
        if project is None:
            return None
        return ("project_approval", str(project.id)), {}, {"project": project}

    def _project_financing(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        project = self.ref(entry, "project", ["project"], path)
        fund = self.ref(entry, "fund", ["fund"], path)
        if project is None or ("fund" in entry and fund is None):
            return None
        identity = (
            "project_financing",
            owner,
            str(project.id),
            entry.get("key") or entry.get("source") or str(fund.id),
        )
        attrs = {k: as_text(entry.get(k)) for k in ("source", "amount", "from", "until")}
        return identity, attrs, {"project": project, "fund": fund}

    def _project_endings(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        project = self.ref(entry, "project", ["project"], path)
        if project is None:
            return None
        attrs = {"outcome": entry["outcome"], "on": entry.get("on"), "reason": entry.get("reason")}
        return ("project_ending", str(project.id)), attrs, {"project": project}


class ProjectApplier(FactApplier):
    """Records projects, their approval, financing and end."""

    def _apply_projects(self, fact: Fact) -> None:
        e, r = fact.entry, fact.refs
        if fact.decision is None and self._exists(r["id"], Project):
            return  # a background fact already recorded (by another file)
        owner = r["owner"]
        kind = e.get("owner_kind") or (owner.kind if owner else None)
        if owner is not None and kind != owner.kind:
            raise InvalidInput(
                f"owner_kind is {kind}, but {owner.name!r} is a(n) {owner.kind}", field="owner_kind"
            )
        decided = decided_on(fact)
        pid = self.registry.start_project(
            r["body"].id,
            e["name"],
            fact.context,
            start=day(e.get("from")),
            end=day(e.get("until")),
            description=e.get("description"),
            owner_kind=kind,
            owner_name=owner.name if owner else e.get("owner_name"),
            owner_id=owner.id if owner else None,
            steering_body_id=r["steering_body"].id if r["steering_body"] else None,
            part_of=r["part_of"].id if r["part_of"] else None,
            proposed=e.get("status") == "proposed",
            key=e.get("key"),
            effective_date=decided,
        )
        for k, (f, fund) in enumerate(zip(e.get("financing", []), r["funds"], strict=True)):
            try:
                self._finance(pid, f, fund, fact, f.get("key") or str(k))
            except RegistryError as error:
                raise type(error)(error.message, field=f"financing[{k}]") from None

    def _apply_project_approvals(self, fact: Fact) -> None:
        d = fact.decision
        assert d is not None
        if d.decided_on_unknown:
            raise InvalidInput(
                "a project is decided on the decision's day; this decision's date is unknown "
                "(date_not_after)",
                field="project",
            )
        self.registry.approve_project(fact.refs["project"].id, d.decided_on, fact.context)

    def _apply_project_financing(self, fact: Fact) -> None:
        e = fact.entry
        self._finance(fact.refs["project"].id, e, fact.refs["fund"], fact, e.get("key"))

    def _finance(
        self, project_id: UUID, given: dict[str, Any], fund: Resolved | None, fact: Fact, key: Any
    ) -> None:
        """Records one financing of a project (`given`: a `financing` entry of the project,
        or a `project_financing` effect), from the day of the fact's decision."""
        self.registry.finance_project(
            project_id,
            given.get("source") or (fund.name if fund else ""),
            fact.context,
            fund_id=fund.id if fund else None,
            amount=amount_of(given["amount"], "amount") if "amount" in given else None,
            start=day(given.get("from")),
            end=day(given.get("until")),
            note=given.get("note"),
            key=key,
            effective_date=decided_on(fact),
        )

    def _apply_project_endings(self, fact: Fact) -> None:
        e = fact.entry
        on = self._date(fact, "on", required=True)
        if e["outcome"] == "stopped":
            reason = e.get("reason")
            if not reason:
                raise InvalidInput("a stopped project needs a reason", field="reason")
            self.registry.stop_project(fact.refs["project"].id, on, reason, fact.context)
        else:
            self.registry.complete_project(fact.refs["project"].id, on, fact.context)
