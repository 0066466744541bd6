"""Mandates, delegations and what decisions claim, in a minutes file: their facts and how
they are recorded. A decision's `claim` is a fact of its own, recorded right after the
decision."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from registry.domain.delegation import Delegate, DelegateKind, delegation_id_for
from registry.domain.mandate import MatterPower, parse_power
from registry.ids import normalise
from registry.importing.concepts.common import FactApplier, FactBuilder
from registry.importing.facts import DecisionInfo, Fact, Resolved, amount_of
from registry.importing.problems import join_path

#: The registry's error fields, by kind of fact, as the keys of the file's entry.
FIELDS: dict[str, dict[str, str]] = {
    "mandates": {"powers": "powers", "from": "from", "body_id": "body"},
    "delegations": {
        "matter": "matter",
        "key": "key",
        "to_body": "to_body",
        "to_person": "to_person",
        "to_post": "to_post",
        "end": "until",
        "max_amount": "max_amount",
    },
    "delegation_revocations": {"last_day": "last_day", "reason": "reason"},
    "delegation_reports": {"decision": "decision"},
    "recommendation_adoptions": {
        "recommendation": "recommendation",
        "principal": "principal",
        "adopted_on": "adopted_on",
    },
    "claim": {
        "kind": "kind",
        "matter": "matter",
        "amount": "amount",
        "delegation": "delegation",
        "delegate": "delegate",
        "principals": "principals",
    },
}

#: What a changed file may correct.
CORRECTABLE: dict[str, set[str]] = {"claim": {"kind", "matter", "amount"}}


def _text(value: Any) -> Any:
    return None if value is None else str(value)


class MandateFacts(FactBuilder):
    """Builds the facts of a decision's claim and of the mandate and delegation effects."""

    def _delegation_of(self, target: dict[str, Any], where: str, body: Resolved) -> UUID | None:
        owner = self.body_of(target, where, body)
        return None if owner is None else delegation_id_for(owner.id, target["key"])

    def claim_fact(
        self, path: str, entry: dict[str, Any], info: DecisionInfo, body: Resolved, context: Any
    ) -> Fact | None:
        """The decision's `claim`: what it decides, recommends or proposes."""
        given = entry.get("claim")
        if given is None:
            return None
        where = join_path(path, "claim")
        delegation = (
            self._delegation_of(given["delegation"], join_path(where, "delegation"), body)
            if "delegation" in given
            else None
        )
        delegate = self.ref(given, "delegate", ["person"], where)
        principals = self.each_ref(given, "principals", ["organisation"], where)
        if ("delegation" in given and delegation is None) or ("delegate" in given and not delegate):
            return None
        if None in principals:
            return None
        attrs = {
            "kind": given["kind"],
            "matter": given.get("matter"),
            "amount": _text(given.get("amount")),
            "delegation": _text(delegation),
            "delegate": _text(delegate.id if delegate else None),
            "principals": [str(p.id) for p in principals if p],
        }
        refs = {"delegation": delegation, "delegate": delegate, "principals": principals}
        return Fact("claim", where, (*info.identity, "claim"), attrs, given, context, refs, info)

    def _mandates(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        target = self.body_of(entry, path, body)
        if target is None:
            return None
        identity = ("mandate", str(target.id), entry.get("from") or owner)
        attrs = {"from": entry.get("from"), "powers": entry["powers"]}
        return identity, attrs, {"body": target}

    def _delegations(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        giver = self.body_of(entry, path, body)
        to_body = self.ref(entry, "to_body", ["body"], path)
        to_person = self.ref(entry, "to_person", ["person"], path)
        if giver is None or ("to_body" in entry and to_body is None):
            return None
        if "to_person" in entry and to_person is None:
            return None
        key = entry.get("key") or entry["matter"]
        attrs = {
            k: _text(entry.get(k))
            for k in ("matter", "to_post", "limit", "max_amount", "from", "until")
        } | {
            "to_body": _text(to_body.id if to_body else None),
            "to_person": _text(to_person.id if to_person else None),
        }
        identity = ("delegation", str(giver.id), normalise(key))
        return identity, attrs, {"body": giver, "to_body": to_body, "to_person": to_person}

    def _delegation_revocations(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        did = self._delegation_of(entry["delegation"], join_path(path, "delegation"), body)
        if did is None:
            return None
        attrs = {"last_day": entry.get("last_day"), "reason": entry["reason"]}
        return ("delegation_revocation", str(did)), attrs, {"delegation": did}

    def _delegation_reports(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        did = self.decision_named(entry["decision"], join_path(path, "decision"), body)
        if did is None:
            return None
        return ("delegation_report", str(did), owner), {}, {"decision": did}

    def _recommendation_adoptions(
        self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple
    ) -> Any:
        did = self.decision_named(entry["recommendation"], join_path(path, "recommendation"), body)
        principal = self.ref(entry, "principal", ["organisation"], path)
        if did is None or principal is None:
            return None
        identity = ("recommendation_adoption", str(did), str(principal.id))
        return (
            identity,
            {"adopted_on": entry.get("adopted_on")},
            {
                "decision": did,
                "principal": principal,
            },
        )


class MandateApplier(FactApplier):
    """Records claims, mandates, delegations and what later decisions do to them."""

    def _apply_claim(self, fact: Fact) -> None:
        e, r = fact.entry, fact.refs
        assert fact.decision is not None
        self.registry.state_claim(
            fact.decision.id,
            e["kind"],
            fact.context,
            matter=e.get("matter"),
            amount=_text(e.get("amount")),
            delegation_id=r["delegation"],
            person_id=r["delegate"].id if r["delegate"] else None,
            principals=[p.id for p in r["principals"]] or None,
        )

    def _correct_claim(self, old: Fact, new: Fact) -> None:
        assert new.decision is not None
        e = new.entry
        self.registry.correct_claim(
            new.decision.id,
            e["kind"],
            self.reason,
            new.context,
            matter=e.get("matter"),
            amount=_text(e.get("amount")),
        )

    def _apply_mandates(self, fact: Fact) -> None:
        e = fact.entry
        powers = [
            MatterPower(
                p.get("matter"),
                parse_power(p["power"], "powers"),
                _amount(p.get("max_amount")),
                p.get("note"),
            )
            for p in e["powers"]
        ]
        self.registry.state_mandate(
            fact.refs["body"].id, powers, fact.context, valid_from=self._date(fact, "from")
        )

    def _apply_delegations(self, fact: Fact) -> None:
        e, r = fact.entry, fact.refs
        if r["to_body"] is not None:
            delegate = Delegate(DelegateKind.BODY, r["to_body"].name, body_id=r["to_body"].id)
        elif r["to_person"] is not None:
            delegate = Delegate(
                DelegateKind.PERSON, r["to_person"].name, person_id=r["to_person"].id
            )
        else:
            delegate = Delegate(DelegateKind.POST, e["to_post"])
        valid_from = self._date(fact, "from", required=True)
        assert valid_from is not None
        self.registry.delegate(
            r["body"].id,
            e.get("key") or e["matter"],
            e["matter"],
            delegate,
            valid_from,
            fact.context,
            valid_until=date.fromisoformat(e["until"]) if e.get("until") else None,
            limit=e.get("limit"),
            max_amount=_amount(e.get("max_amount")),
        )

    def _apply_delegation_revocations(self, fact: Fact) -> None:
        last_day = self._date(fact, "last_day", required=True)
        assert last_day is not None
        self.registry.revoke_delegation(
            fact.refs["delegation"], last_day, fact.entry["reason"], fact.context
        )

    def _apply_delegation_reports(self, fact: Fact) -> None:
        on = self._date(fact, "reported_on", required=True)
        assert on is not None
        self.registry.report_delegated_decision(fact.refs["decision"], on, fact.context)

    def _apply_recommendation_adoptions(self, fact: Fact) -> None:
        on = self._date(fact, "adopted_on", required=True)
        assert on is not None
        self.registry.adopt_recommendation(
            fact.refs["decision"], fact.refs["principal"].id, on, fact.context
        )


def _amount(value: Any) -> Any:
    return None if value is None else amount_of(value, "amount")
