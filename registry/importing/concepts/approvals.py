"""`meeting.approval` (justering and anslag) and the `appeals` effect list: building their
facts and recording them (registry/domain/approval.py, registry/lifecycle.py).

The approval is recorded after the file's decisions, so that its event names them and is on
each one's audit trail. An appeal names an earlier decision by body, date, item and ordinal;
giving the same appeal again (same decision, appellant and filed_on) with an `outcome` records
the court's ruling, from later minutes or a background fact.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from registry.domain.approval import appeal_id_for
from registry.domain.decision import Decision
from registry.errors import InvalidInput, InvalidTransition, NotFound
from registry.importing.concepts.common import FactApplier, FactBuilder
from registry.importing.facts import Fact, Resolved, as_text, day
from registry.importing.problems import join_path

#: The registry's error fields of these facts, as the keys of the file's entry.
FIELDS: dict[str, dict[str, str]] = {
    "approval": {
        "approved_on": "approved_on",
        "posted_on": "posted_on",
        "taken_down_on": "taken_down_on",
        "appeal_deadline": "appeal_deadline",
        "justerare": "justerare",
        "kept_at": "kept_at",
        "immediate": "immediate",
    },
    "appeals": {
        "appellant": "appellant",
        "filed_on": "filed_on",
        "outcome": "outcome",
        "outcome_on": "outcome_on",
        "decision": "decision",
        "court": "court",
        "case_number": "case_number",
    },
}

#: What a changed file may correct: the approval is recorded anew.
CORRECTABLE: dict[str, set[str]] = {
    "approval": {
        "approved_on",
        "justerare",
        "posted_on",
        "taken_down_on",
        "kept_at",
        "immediate",
        "appeal_deadline",
    },
}


class ApprovalFacts(FactBuilder):
    """Builds the facts of the meeting's approval and of `appeals`."""

    def approval_fact(self, meeting_id: UUID | None) -> None:
        """One fact for the meeting's justering and anslag, if the file gives them."""
        meeting = self.data.get("meeting") or {}
        given = meeting.get("approval")
        if meeting_id is None or not given:
            return
        path = join_path("meeting", "approval")
        justerare = []
        for i, ref in enumerate(given.get("justerare", [])):
            found = self.resolver.resolve(ref, ["person"], join_path(path, "justerare", i))
            if found is not None:
                justerare.append(found.id)
        immediate = [
            {
                "item": str(i["item"]),
                "approved_on": i.get("approved_on"),
                "posted_on": i.get("posted_on"),
                "appeal_deadline": i.get("appeal_deadline"),
            }
            for i in given.get("immediate", [])
        ]
        decisions = [
            f.decision.id
            for f in self.facts
            if f.kind == "decision"
            and f.decision is not None
            and f.refs["meeting_id"] == meeting_id
        ]
        attrs = {
            "approved_on": given["approved_on"],
            "justerare": [as_text(j) for j in justerare],
            "posted_on": given.get("posted_on"),
            "taken_down_on": given.get("taken_down_on"),
            "kept_at": given.get("kept_at"),
            "appeal_deadline": given.get("appeal_deadline"),
            "immediate": immediate,
        }
        self.add(
            Fact(
                "approval",
                path,
                ("approval", meeting_id),
                attrs,
                given,
                self.context(given.get("note")),
                {"meeting_id": meeting_id, "justerare": justerare, "decision_ids": decisions},
            )
        )

    def _appeals(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        """The identity, attributes and references of an `appeals` entry."""
        did = self.decision_named(entry["decision"], join_path(path, "decision"), body)
        if did is None:
            return None
        identity = ("appeal", str(did), entry["appellant"].strip(), entry["filed_on"])
        attrs = {k: entry.get(k) for k in ("court", "case_number", "outcome", "outcome_on")}
        return identity, attrs, {"decision_id": did}


class ApprovalApplier(FactApplier):
    """Records the approval of the minutes, appeals and the court's rulings."""

    def _apply_approval(self, fact: Fact) -> None:
        a = fact.attrs
        self.registry.record_minutes_approval(
            fact.refs["meeting_id"],
            date.fromisoformat(a["approved_on"]),
            fact.refs["justerare"],
            fact.context,
            posted_on=day(a["posted_on"]),
            taken_down_on=day(a["taken_down_on"]),
            kept_at=a["kept_at"],
            immediate=[
                (i["item"], day(i["approved_on"]), day(i["posted_on"])) for i in a["immediate"]
            ],
            decision_ids=fact.refs["decision_ids"],
            printed_deadline=day(a["appeal_deadline"]),
            printed_immediate_deadlines=[day(i["appeal_deadline"]) for i in a["immediate"]],
        )

    def _correct_approval(self, old: Fact, new: Fact) -> None:
        self._apply_approval(new)

    def _apply_appeals(self, fact: Fact) -> None:
        e = fact.entry
        did = fact.refs["decision_id"]
        filed_on = date.fromisoformat(e["filed_on"])
        appellant = e["appellant"].strip()
        try:
            decision = self.registry.get(did, Decision)
        except NotFound:
            d = e["decision"]
            raise NotFound(
                f"no decision of {d['date']}, item {d['item']} (decision "
                f"{d.get('ordinal', 1)}) is recorded to appeal; import its minutes first",
                field="decision",
            ) from None
        appeal_id = appeal_id_for(did, appellant, filed_on)
        known = [a for a in decision.appeals if a.appeal_id == appeal_id]
        if known:
            for key in ("court", "case_number"):
                if e.get(key) is not None and getattr(known[0], key) != e[key]:
                    raise InvalidInput(
                        f"the appeal is recorded with {key} {getattr(known[0], key)!r}, "
                        f"not {e[key]!r}",
                        field=key,
                    )
        else:
            self.registry.file_appeal(
                did,
                appellant,
                filed_on,
                fact.context,
                court=e.get("court"),
                case_number=e.get("case_number"),
            )
        if e.get("outcome") is None:
            return
        ruled_on = date.fromisoformat(e["outcome_on"])
        ruled = [r for r in decision.appeal_rulings if r.appeal_id == appeal_id]
        if ruled:
            if (ruled[0].outcome, ruled[0].ruled_on) != (e["outcome"], ruled_on):
                raise InvalidTransition(
                    f"the court's ruling on this appeal is recorded as {ruled[0].outcome} on "
                    f"{ruled[0].ruled_on}, not {e['outcome']} on {ruled_on}"
                )
            return
        self.registry.rule_on_appeal(did, appeal_id, e["outcome"], ruled_on, fact.context)
