"""Agreements (avtal) in a minutes file: the decisions that register them, extend them, adopt
them, revise and terminate them; their facts and how they are recorded."""

from __future__ import annotations

from typing import Any

from registry.domain.agreement import Agreement, EntryIntoForce
from registry.ids import natural_id, normalise
from registry.importing.concepts.common import FactApplier, FactBuilder
from registry.importing.facts import Fact, Resolved, day
from registry.importing.problems import join_path

#: The registry's error fields, by kind of fact, as the keys of the file's entry.
FIELDS: dict[str, dict[str, str]] = {
    "agreements": {
        "end": "valid_until",
        "valid_from": "valid_from",
        "valid_from_not_after": "valid_from_not_after",
        "party_ids": "parties",
        "key": "title",
    },
    "extensions": {"new_until": "until", "extension": "key"},
    "adoptions": {"party": "party", "extension": "extension", "adopted_on": "adopted_on"},
    "revisions": {"description": "description"},
    "terminations": {"last_day": "last_day", "reason": "reason"},
}

#: What a changed file may correct.
CORRECTABLE: dict[str, set[str]] = {
    "agreements": {"valid_from", "valid_from_not_after", "valid_until"}
}

#: What a kind of fact is called when a changed file leaves it out.
KIND_WORDS: dict[str, str] = {
    "agreements": "agreement",
    "extensions": "extension",
    "adoptions": "adoption",
    "revisions": "revision",
    "terminations": "termination",
}


class AgreementFacts(FactBuilder):
    """Declares the agreements the file's decisions register and builds the facts of the
    agreement effects."""

    def declare_agreements(self, path: str, entries: dict[str, Any]) -> None:
        """Agreements are declared by the decisions that register them."""
        for i, entry in enumerate(entries.get("agreements", [])):
            epath = join_path(path, "agreements", i)
            parties = self.each_ref(entry, "parties", ["organisation"], epath)
            owners = [p.id for p in parties if p]
            self.declare_identified("agreement", epath, entry, "title", owners, path)

    def _agreements(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        aid = self._ids.get(("agreement", path)) or natural_id(
            "agreement", entry.get("key") or entry["title"]
        )
        parties = self.each_ref(entry, "parties", ["organisation"], path)
        if None in parties:
            return None
        rule = entry.get("entry_into_force")
        attrs = {
            "title": entry["title"],
            "parties": [str(p.id) for p in parties if p],
            "valid_from": entry.get("valid_from"),
            "valid_from_not_after": entry.get("valid_from_not_after"),
            "valid_until": entry.get("valid_until"),
            "entry_into_force": [rule.get("not_before"), rule["requires_all_adoptions"]]
            if rule
            else None,
        }
        return ("agreement", aid), attrs, {"id": aid, "parties": parties}

    def _extensions(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        agreement = self.ref(entry, "agreement", ["agreement"], path)
        if agreement is None:
            return None
        identity = ("extension", owner, str(agreement.id), entry.get("key") or entry["until"])
        attrs = {
            "until": entry["until"],
            "proposed": entry.get("proposed", False),
            "key": entry.get("key"),
        }
        return identity, attrs, {"agreement": agreement}

    def _adoptions(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        refs = {
            "agreement": self.ref(entry, "agreement", ["agreement"], path),
            "party": self.ref(entry, "party", ["organisation"], path),
        }
        if None in refs.values():
            return None
        identity = (
            "adoption",
            str(refs["agreement"].id),
            str(refs["party"].id),
            entry.get("extension"),
        )
        return identity, {"adopted_on": entry.get("adopted_on")}, refs

    def _revisions(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        agreement = self.ref(entry, "agreement", ["agreement"], path)
        if agreement is None:
            return None
        identity = ("revision", owner, str(agreement.id), normalise(entry["description"]))
        return identity, {"from": entry.get("from")}, {"agreement": agreement}

    def _terminations(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        agreement = self.ref(entry, "agreement", ["agreement"], path)
        if agreement is None:
            return None
        attrs = {"last_day": entry["last_day"], "reason": entry["reason"]}
        return ("termination", owner, str(agreement.id)), attrs, {"agreement": agreement}


class AgreementApplier(FactApplier):
    """Records agreements and what later decisions do to them."""

    def _apply_agreements(self, fact: Fact) -> None:
        if fact.decision is None and self._exists(fact.refs["id"], Agreement):
            return
        e = fact.entry
        rule = e.get("entry_into_force")
        self.registry.register_agreement(
            e["title"],
            [p.id for p in fact.refs["parties"]],
            fact.context,
            valid_from=day(e.get("valid_from")),
            valid_from_not_after=day(e.get("valid_from_not_after")),
            valid_until=day(e.get("valid_until")),
            entry_into_force=EntryIntoForce(
                day(rule.get("not_before")), rule["requires_all_adoptions"]
            )
            if rule
            else None,
            key=e.get("key"),
        )

    def _apply_extensions(self, fact: Fact) -> None:
        e = fact.entry
        agreement = fact.refs["agreement"].id
        if e.get("proposed"):
            self.registry.propose_extension(agreement, day(e["until"]), fact.context, e.get("key"))  # type: ignore[arg-type]
        else:
            self.registry.extend_agreement(agreement, day(e["until"]), fact.context)  # type: ignore[arg-type]

    def _apply_adoptions(self, fact: Fact) -> None:
        on = self._date(fact, "adopted_on", required=True)
        assert on is not None
        agreement, party = fact.refs["agreement"].id, fact.refs["party"].id
        if fact.entry.get("extension"):
            self.registry.adopt_extension(
                agreement, fact.entry["extension"], party, on, fact.context
            )
        else:
            self.registry.adopt_agreement(agreement, party, on, fact.context)

    def _apply_revisions(self, fact: Fact) -> None:
        self.registry.revise_agreement(
            fact.refs["agreement"].id,
            fact.entry["description"],
            self._date(fact, "from"),
            fact.context,
        )

    def _apply_terminations(self, fact: Fact) -> None:
        self.registry.terminate_agreement(
            fact.refs["agreement"].id,
            day(fact.entry["last_day"]),  # type: ignore[arg-type]
            fact.entry["reason"],
            fact.context,
        )

    def _correct_agreements(self, old: Fact, new: Fact) -> None:
        assert self.reason is not None
        self.registry.correct_agreement_period(
            new.refs["id"],
            day(new.entry.get("valid_from")),
            day(new.entry.get("valid_until")),
            self.reason,
            new.context,
            valid_from_not_after=day(new.entry.get("valid_from_not_after")),
        )
