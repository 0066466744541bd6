"""Funds (fonder, anslag) in a minutes file: the decisions that establish them and allocate
from them; their facts and how they are recorded and corrected."""

from __future__ import annotations

from typing import Any

from registry.domain.fund import Fund, allocation_id_for
from registry.errors import RegistryError
from registry.ids import natural_id
from registry.importing.concepts.common import FactApplier, FactBuilder
from registry.importing.facts import Fact, Resolved, amount_of, as_text, day, id_of
from registry.importing.problems import join_path

#: The registry's error fields, by kind of fact, as the keys of the file's entry.
FIELDS: dict[str, dict[str, str]] = {
    "funds": {"total": "total", "end": "period_end", "currency": "currency", "key": "name"},
    "allocations": {
        "amount": "amount",
        "recipient": "recipient",
        "purpose": "purpose",
        "allocation": "key",
    },
}

#: What a changed file may correct.
CORRECTABLE: dict[str, set[str]] = {"allocations": {"amount"}}

#: What a kind of fact is called when a changed file leaves it out.
KIND_WORDS: dict[str, str] = {"funds": "fund"}


class FundFacts(FactBuilder):
    """Declares the funds the file's decisions establish and builds the facts of funds and
    allocations."""

    def declare_funds(self, path: str, entries: dict[str, Any]) -> None:
        """Funds are declared by the decisions that establish them."""
        for i, entry in enumerate(entries.get("funds", [])):
            self.declare_identified("fund", join_path(path, "funds", i), entry, effects_path=path)

    def _funds(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        fid = self._ids.get(("fund", path)) or natural_id("fund", entry.get("key") or entry["name"])
        try:
            total = as_text(amount_of(entry["total"], "total"))
        except RegistryError as error:  # the domain refuses it again when it is applied
            total = str(error)
        attrs = {
            "name": entry["name"],
            "total": total,
            "period_start": entry.get("period_start"),
            "period_end": entry.get("period_end"),
            "source_of_funds": entry.get("source_of_funds"),
        }
        return ("fund", fid), attrs, {"id": fid}

    def _allocations(self, entry: dict[str, Any], path: str, body: Resolved, owner: tuple) -> Any:
        fund = self.ref(entry, "fund", ["fund"], path)
        recipient = self.ref(entry, "recipient_ref", ["organisation", "body", "person"], path)
        if fund is None:
            return None
        key = entry.get("key") or f"{entry['recipient']}|{entry['purpose']}"
        allocation_id = allocation_id_for(fund.id, key)
        try:
            amount = as_text(amount_of(entry["amount"], "amount"))
        except RegistryError as error:
            amount = str(error)
        attrs = {
            "amount": amount,
            "recipient": entry["recipient"],
            "purpose": entry["purpose"],
            "recipient_ref": id_of(recipient),
        }
        refs = {
            "fund": fund,
            "recipient_ref": recipient,
            "allocation_id": allocation_id,
            "key": key,
        }
        return ("allocation", str(fund.id), str(allocation_id)), attrs, refs


class FundApplier(FactApplier):
    """Records funds and allocations, and corrects or withdraws an allocation."""

    def _apply_funds(self, fact: Fact) -> None:
        if fact.decision is None and self._exists(fact.refs["id"], Fund):
            return
        e = fact.entry
        self.registry.establish_fund(
            e["name"],
            amount_of(e["total"], "total"),
            fact.context,
            currency=e.get("currency", "SEK"),
            period_start=day(e.get("period_start")),
            period_end=day(e.get("period_end")),
            source_of_funds=e.get("source_of_funds"),
            key=e.get("key"),
        )

    def _apply_allocations(self, fact: Fact) -> None:
        e, r = fact.entry, fact.refs
        self.registry.allocate(
            r["fund"].id,
            e["recipient"],
            e["purpose"],
            amount_of(e["amount"], "amount"),
            fact.context,
            key=r["key"],
            recipient_id=r["recipient_ref"].id if r["recipient_ref"] else None,
            effective_date=self._date(fact, "date"),
        )

    def _correct_allocations(self, old: Fact, new: Fact) -> None:
        self.registry.change_allocation(
            new.refs["fund"].id,
            new.refs["allocation_id"],
            amount_of(new.entry["amount"], "amount"),
            new.context,
            effective_date=self._date(new, "date"),
        )

    def _remove_allocations(self, old: Fact) -> None:
        assert self.reason is not None
        self.registry.withdraw_allocation(
            old.refs["fund"].id, old.refs["allocation_id"], self.reason, old.context
        )
