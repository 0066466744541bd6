"""Consultations (remisser) in a minutes file: the decisions that send them, answer them
and conclude them; their facts and how they are recorded."""

from __future__ import annotations

from typing import Any

from registry.domain.consultation import Consultation
from registry.errors import InvalidInput
from registry.ids import natural_id, normalise
from registry.importing.concepts.common import FactApplier, FactBuilder
from registry.importing.facts import Fact, Resolved, day
from registry.importing.problems import Problem, join_path

#: The registry's error fields, by kind of fact, as the keys of the file's entry.
FIELDS: dict[str, dict[str, str]] = {
    "consultations": {"subject": "subject", "end": "reply_by", "key": "subject", "asked": "asked"},
    "consultation_answers": {
        "body": "consultation",
        "stance": "stance",
        "summary": "summary",
        "answered_on": "consultation",
    },
    "consultation_conclusions": {"consultation": "consultation"},
}


class ConsultationFacts(FactBuilder):
    """Declares the remisser the file's decisions send and builds the facts of remisser,
    answers and conclusions."""

    def declare_consultations(
        self, path: str, entries: dict[str, Any], body: Resolved | None
    ) -> None:
        """Remisser are declared by the decisions that send them."""
        for i, entry in enumerate(entries.get("consultations", [])):
            epath = join_path(path, "consultations", i)
            asker = self.ref(entry, "asked_by", ["body"], epath) or body
            if asker is None:
                continue
            cid = natural_id("consultation", _key(entry, asker))
            self.declare("consultation", epath, entry, cid, "subject", named=False)

    def _consultations(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        asker = self.body_of(entry, path, body, "asked_by")
        asked = self.each_ref(entry, "asked", ["body"], path)
        if asker is None or None in asked:
            return None
        cid = natural_id("consultation", _key(entry, asker))
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


class ConsultationApplier(FactApplier):
    """Records remisser sent, answered and concluded."""

    def _apply_consultations(self, fact: Fact) -> None:
        e, r = fact.entry, fact.refs
        if fact.decision is None and self._exists(r["id"], Consultation):
            return
        unknown = "sent_on_not_after" in e
        sent = day(e.get("sent_on_not_after")) if unknown else self._date(fact, "sent_on")
        self.registry.send_consultation(
            r["asked_by"].id,
            e["subject"],
            [a.id for a in r["asked"]],
            fact.context,
            sent_on=sent,
            sent_on_unknown=unknown,
            reply_by=day(e.get("reply_by")),
            key=_key(e, r["asked_by"]),
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

    def _apply_consultation_conclusions(self, fact: Fact) -> None:
        d = fact.decision
        assert d is not None
        self.registry.conclude_consultation(
            fact.refs["consultation"].id, d.id, d.decided_on, fact.context
        )


def _key(entry: dict[str, Any], asker: Resolved) -> str:
    """A remiss's key: its own, else the asking body's id with the subject."""
    return entry.get("key") or f"{asker.id}|{normalise(entry['subject'])}"
