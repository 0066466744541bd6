"""Meeting plans in a minutes file: meetings planned (sammanträdesplan), cancelled, and
matters referred to a later meeting; their facts and how they are recorded."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from registry.errors import InvalidInput
from registry.ids import normalise
from registry.importing.concepts.common import FactApplier, FactBuilder, decided_on
from registry.importing.facts import Fact, Resolved

#: The registry's error fields, by kind of fact, as the keys of the file's entry.
FIELDS: dict[str, dict[str, str]] = {
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
}

_ITEM = re.compile(r"^items\[(\d+)\]")


class PlanFacts(FactBuilder):
    """Builds the facts of `planned_meetings`, `meeting_cancellations` and
    `meeting_referrals`."""

    def _planned_meetings(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        target = self.body_of(entry, path, body)
        joint = self.each_ref(entry, "joint_with", ["body"], path)
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
        target = self.body_of(entry, path, body)
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
        target = self.body_of(entry, path, body)
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


class PlanApplier(FactApplier):
    """Records meetings planned, cancelled and matters referred to a later meeting."""

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
            effective_date=decided_on(fact),
        )
