"""Meeting plans, projects and remisser in a minutes file: their facts and how they are
recorded. Mixed into the fact builder (facts.py) and the applier (applying.py), whose effect
lists they extend (`PLAN_EFFECTS`, applied after the others in this order)."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from registry.domain.consultation import Consultation
from registry.domain.project import Project
from registry.errors import InvalidInput, RegistryError
from registry.ids import natural_id, normalise
from registry.importing.problems import Problem, join_path

if TYPE_CHECKING:
    from registry.application import Registry
    from registry.importing.facts import Fact, Resolved, Resolver

#: The effect lists this module adds, in the order they are applied.
PLAN_EFFECTS = (
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
)

#: Kinds of reference this module adds (and the registry can find by name: projects).
PLAN_CLASSES: dict[str, type] = {"project": Project, "consultation": Consultation}

#: The registry's error fields, by kind of fact, as the keys of the file's entry.
PLAN_FIELDS: dict[str, dict[str, str]] = {
    "planned_meetings": {
        "date": "date",
        "end": "until",
        "kind": "kind",
        "joint_with": "joint_with",
        "sequence": "sequence",
        "meeting": "date",
    },
    "meeting_cancellations": {"meeting": "meeting", "reason": "reason"},
    "meeting_referrals": {"meeting": "meeting", "matter": "matter"},
    "projects": {
        "name": "name",
        "end": "until",
        "owner_kind": "owner_kind",
        "owner_name": "owner_name",
        "key": "name",
        "financing": "financing",
    },
    "consultations": {"subject": "subject", "end": "reply_by", "key": "subject", "asked": "asked"},
    "consultation_answers": {
        "body": "consultation",
        "stance": "stance",
        "summary": "summary",
        "answered_on": "consultation",
    },
    "consultation_conclusions": {"consultation": "consultation"},
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

_ITEM = re.compile(r"^items\[(\d+)\]")


def _text(value: Any) -> Any:
    if isinstance(value, UUID | date):
        return str(value)
    if isinstance(value, list | tuple):
        return [_text(v) for v in value]
    return value


class PlanFacts:
    """Fact builders for the effect lists of this module (see facts._Builder)."""

    data: dict[str, Any]
    held_on: date
    resolver: Resolver
    registry: Registry

    def declare_plans(self, path: str, entries: dict[str, Any], body: Resolved | None) -> None:
        """Projects and remisser are declared by the decisions that create them."""
        for i, entry in enumerate(entries.get("projects", [])):
            self.resolver.declare(
                "project",
                join_path(path, "projects", i),
                entry.get("ref"),
                [entry["name"]],
                natural_id("project", entry.get("key") or entry["name"]),
                entry["name"],
            )
        for i, entry in enumerate(entries.get("consultations", [])):
            epath = join_path(path, "consultations", i)
            asker = self.ref(entry, "asked_by", ["body"], epath) or body
            if asker is None:
                continue
            self.resolver.declare(
                "consultation",
                epath,
                entry.get("ref"),
                [],
                natural_id("consultation", self._consultation_key(entry, asker)),
                entry["subject"],
            )

    @staticmethod
    def _consultation_key(entry: dict[str, Any], asker: Resolved) -> str:
        return entry.get("key") or f"{asker.id}|{normalise(entry['subject'])}"

    def _body_or(self, entry: dict[str, Any], key: str, path: str, default: Resolved) -> Any:
        return self.ref(entry, key, ["body"], path) if key in entry else default

    def _planned_meetings(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        target = self._body_or(entry, "body", path, body)
        joint = [
            self.resolver.resolve(b, ["body"], join_path(path, "joint_with", k))
            for k, b in enumerate(entry.get("joint_with", []))
        ]
        if target is None or None in joint:
            return None
        identity = ("planned_meeting", str(target.id), entry["date"], entry.get("sequence", 1))
        attrs = {k: entry.get(k) for k in ("until", "kind", "time", "place", "agenda")} | {
            "joint_with": [str(j.id) for j in joint if j]
        }
        return identity, attrs, {"body": target, "joint_with": joint, "stated_on": self.held_on}

    def _meeting_cancellations(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        target = self._body_or(entry, "body", path, body)
        if target is None:
            return None
        identity = (
            "meeting_cancellation",
            str(target.id),
            entry["meeting"],
            entry.get("sequence", 1),
        )
        return identity, {"reason": entry["reason"]}, {"body": target}

    def _meeting_referrals(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        target = self._body_or(entry, "body", path, body)
        if target is None:
            return None
        matter = entry.get("matter")
        if matter is None:
            found = _ITEM.match(path)
            matter = self.data["items"][int(found[1])]["title"] if found else None
        identity = (
            "meeting_referral",
            owner,
            str(target.id),
            entry["meeting"],
            normalise(matter or ""),
        )
        return identity, {"matter": matter}, {"body": target, "matter": matter}

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
            "owner": _text(refs["owner"].id) if refs["owner"] else entry.get("owner_name"),
            "status": entry.get("status", "decided"),
            "financing": [
                [
                    f.get("source"),
                    _text(fund.id) if fund else None,
                    str(f.get("amount")),
                    f.get("from"),
                    f.get("until"),
                ]
                for f, fund in zip(entry.get("financing", []), refs["funds"], strict=True)
            ],
        }
        return ("project", pid), attrs, refs

    def _consultations(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        asker = self._body_or(entry, "asked_by", path, body)
        asked = [
            self.resolver.resolve(b, ["body"], join_path(path, "asked", k))
            for k, b in enumerate(entry["asked"])
        ]
        if asker is None or None in asked:
            return None
        cid = natural_id("consultation", self._consultation_key(entry, asker))
        if "sent_on" in entry and "sent_on_not_after" in entry:
            self.resolver.problems.append(
                Problem(
                    join_path(path, "sent_on_not_after"),
                    "give sent_on (the day sent) or sent_on_not_after (the latest it can have "
                    "been), not both",
                    "INVALID_INPUT",
                )
            )
            return None
        attrs = {
            "subject": entry["subject"],
            "asked": [str(a.id) for a in asked if a],
            "sent_on": entry.get("sent_on"),
            "sent_on_not_after": entry.get("sent_on_not_after"),
            "reply_by": entry.get("reply_by"),
        }
        return ("consultation", cid), attrs, {"id": cid, "asked_by": asker, "asked": asked}

    def _consultation_answers(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        consultation = self.ref(entry, "consultation", ["consultation"], path)
        if consultation is None:
            return None
        identity = ("consultation_answer", str(consultation.id), str(body.id))
        attrs = {"stance": entry["stance"], "summary": entry["summary"]}
        return identity, attrs, {"consultation": consultation, "body": body}

    def _consultation_conclusions(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        consultation = self.ref(entry, "consultation", ["consultation"], path)
        if consultation is None:
            return None
        return (
            ("consultation_conclusion", str(consultation.id), owner),
            {},
            {"consultation": consultation},
        )

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
        attrs = {k: _text(entry.get(k)) for k in ("source", "amount", "from", "until")}
        return identity, attrs, {"project": project, "fund": fund}

    def _project_endings(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        project = self.ref(entry, "project", ["project"], path)
        if project is None:
            return None
        attrs = {"outcome": entry["outcome"], "on": entry.get("on"), "reason": entry.get("reason")}
        return ("project_ending", str(project.id)), attrs, {"project": project}


class PlanApplier:
    """Records the facts of this module with the registry's commands (see applying.Applier)."""

    registry: Registry

    def _apply_planned_meetings(self, fact: Fact) -> None:
        e, r = fact.entry, fact.refs
        decided = fact.decision.decided_on if fact.decision else None
        unknown = fact.decision is not None and fact.decision.decided_on_unknown
        self.registry.plan_meeting(
            r["body"].id,
            date.fromisoformat(e["date"]),
            fact.context,
            sequence=e.get("sequence", 1),
            ends_on=date.fromisoformat(e["until"]) if e.get("until") else None,
            kind=e.get("kind", "meeting"),
            time=e.get("time"),
            place=e.get("place"),
            joint_with=[j.id for j in r["joint_with"]],
            matters=e.get("agenda", []),
            note=e.get("note"),
            # A plan stated in the minutes (background) is the plan as of the file's day.
            effective_date=None if unknown else (decided or r["stated_on"]),
        )

    def _apply_meeting_cancellations(self, fact: Fact) -> None:
        e = fact.entry
        self.registry.cancel_planned_meeting(
            fact.refs["body"].id,
            date.fromisoformat(e["meeting"]),
            e["reason"],
            fact.context,
            sequence=e.get("sequence", 1),
            cancelled_on=self._date(fact, "cancelled_on"),
        )

    def _apply_meeting_referrals(self, fact: Fact) -> None:
        e, d = fact.entry, fact.decision
        assert d is not None
        target = e["meeting"]
        if target == "next" and d.decided_on_unknown:
            raise InvalidInput(
                "the decision's date is unknown (date_not_after): give the meeting's date "
                "instead of next",
                field="meeting",
            )
        self.registry.refer_to_meeting(
            fact.refs["body"].id,
            fact.refs["matter"] or "",
            fact.context,
            planned_on=None if target == "next" else date.fromisoformat(target),
            next_after=d.decided_on if target == "next" else None,
            sequence=e.get("sequence", 1),
            decision_id=d.id,
            note=e.get("note"),
            effective_date=None if d.decided_on_unknown else d.decided_on,
        )

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
        decided = None
        if fact.decision is not None and not fact.decision.decided_on_unknown:
            decided = fact.decision.decided_on
        pid = self.registry.start_project(
            r["body"].id,
            e["name"],
            fact.context,
            start=_day(e.get("from")),
            end=_day(e.get("until")),
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
        from registry.importing.facts import amount_of

        for k, (f, fund) in enumerate(zip(e.get("financing", []), r["funds"], strict=True)):
            try:
                self.registry.finance_project(
                    pid,
                    f.get("source") or (fund.name if fund else ""),
                    fact.context,
                    fund_id=fund.id if fund else None,
                    amount=amount_of(f["amount"], "amount") if "amount" in f else None,
                    start=_day(f.get("from")),
                    end=_day(f.get("until")),
                    note=f.get("note"),
                    key=f.get("key") or str(k),
                    effective_date=decided,
                )
            except RegistryError as error:
                raise type(error)(error.message, field=f"financing[{k}]") from None

    def _apply_consultations(self, fact: Fact) -> None:
        e, r = fact.entry, fact.refs
        if fact.decision is None and self._exists(r["id"], Consultation):
            return
        unknown = "sent_on_not_after" in e
        sent = _day(e.get("sent_on_not_after")) if unknown else self._date(fact, "sent_on")
        self.registry.send_consultation(
            r["asked_by"].id,
            e["subject"],
            [a.id for a in r["asked"]],
            fact.context,
            sent_on=sent,
            sent_on_unknown=unknown,
            reply_by=_day(e.get("reply_by")),
            key=e.get("key") or f"{r['asked_by'].id}|{normalise(e['subject'])}",
        )

    def _apply_consultation_answers(self, fact: Fact) -> None:
        d = fact.decision
        assert d is not None
        if d.decided_on_unknown:
            raise InvalidInput(
                "a remiss answer is dated by its decision; this decision's date is unknown "
                "(date_not_after)",
                field="answered_on",
            )
        self.registry.answer_consultation(
            fact.refs["consultation"].id,
            fact.refs["body"].id,
            d.decided_on,
            fact.entry["stance"],
            fact.entry["summary"],
            fact.context,
            decision_id=d.id,
            note=fact.entry.get("note"),
        )

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
        from registry.importing.facts import amount_of

        e, fund = fact.entry, fact.refs["fund"]
        d = fact.decision
        self.registry.finance_project(
            fact.refs["project"].id,
            e.get("source") or (fund.name if fund else ""),
            fact.context,
            fund_id=fund.id if fund else None,
            amount=amount_of(e["amount"], "amount") if "amount" in e else None,
            start=_day(e.get("from")),
            end=_day(e.get("until")),
            note=e.get("note"),
            key=e.get("key"),
            effective_date=None if d is None or d.decided_on_unknown else d.decided_on,
        )

    def _apply_project_endings(self, fact: Fact) -> None:
        e = fact.entry
        on = self._date(fact, "on", required=True)  # type: ignore[attr-defined]
        if e["outcome"] == "stopped":
            reason = e.get("reason")
            if not reason:
                raise InvalidInput("a stopped project needs a reason", field="reason")
            self.registry.stop_project(fact.refs["project"].id, on, reason, fact.context)
        else:
            self.registry.complete_project(fact.refs["project"].id, on, fact.context)

    def _apply_consultation_conclusions(self, fact: Fact) -> None:
        d = fact.decision
        assert d is not None
        self.registry.conclude_consultation(
            fact.refs["consultation"].id, d.id, d.decided_on, fact.context
        )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


__all__ = ["PLAN_CLASSES", "PLAN_EFFECTS", "PLAN_FIELDS", "PlanApplier", "PlanFacts"]
