"""Fund (medel, stimulansmedel): a total in SEK and its allocations, which never exceed it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.errors import FundExceeded, InvalidTransition, NotFound
from registry.ids import natural_id
from registry.values import Context, require_text, sek


@dataclass(frozen=True)
class Allocation:
    """Money allocated to a recipient for a purpose ("Brukarstyrda brukarrevisioner – 600 000 kr")."""

    allocation_id: UUID
    recipient: str
    purpose: str
    amount: Decimal
    recipient_id: UUID | None = None


class Fund(RegistryAggregate):
    """Money a body disposes of; amounts are exact Decimals in SEK, never floats."""

    @staticmethod
    def create_id(key: str, **_: object):  # type: ignore[override]
        return natural_id("fund", key)

    @event("Established")
    def __init__(
        self,
        key: str,
        name: str,
        total: Decimal,
        currency: str,
        period_start: date | None,
        period_end: date | None,
        source_of_funds: str | None,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.key = key
        self.name = name
        self.total = Decimal(total)
        self.currency = currency
        self.period_start = period_start
        self.period_end = period_end
        self.source_of_funds = source_of_funds
        self.allocations: dict[str, Allocation] = {}  # str keys: snapshots are JSON

    @property
    def allocated(self) -> Decimal:
        return sum((a.amount for a in self.allocations.values()), Decimal("0.00"))

    @property
    def remaining(self) -> Decimal:
        return self.total - self.allocated

    def allocate(
        self, allocation: Allocation, effective_date: date | None, context: Context
    ) -> None:
        require_text(allocation.recipient, "recipient")
        require_text(allocation.purpose, "purpose")
        amount = sek(allocation.amount)
        if str(allocation.allocation_id) in self.allocations:
            raise InvalidTransition(f"{self.name} already has this allocation", field="allocation")
        self._check_room(amount, f"allocate {amount} SEK to {allocation.recipient}")
        self._allocated(dataclasses.replace(allocation, amount=amount), effective_date, context)

    @event("Allocated")
    def _allocated(
        self, allocation: Allocation, effective_date: date | None, context: Context
    ) -> None:
        self.allocations[str(allocation.allocation_id)] = dataclasses.replace(
            allocation, amount=Decimal(allocation.amount)
        )

    def change_allocation(
        self, allocation_id: UUID, amount: Decimal, effective_date: date | None, context: Context
    ) -> None:
        current = self._allocation(allocation_id)
        amount = sek(amount)
        self._check_room(
            amount - current.amount, f"raise {current.recipient}'s allocation to {amount} SEK"
        )
        self._allocation_changed(allocation_id, amount, effective_date, context)

    @event("AllocationChanged")
    def _allocation_changed(
        self, allocation_id: UUID, amount: Decimal, effective_date: date | None, context: Context
    ) -> None:
        self.allocations[str(allocation_id)] = dataclasses.replace(
            self.allocations[str(allocation_id)], amount=Decimal(amount)
        )

    def withdraw_allocation(
        self, allocation_id: UUID, reason: str, effective_date: date | None, context: Context
    ) -> None:
        self._allocation(allocation_id)
        self._allocation_withdrawn(
            allocation_id, require_text(reason, "reason"), effective_date, context
        )

    @event("AllocationWithdrawn")
    def _allocation_withdrawn(
        self, allocation_id: UUID, reason: str, effective_date: date | None, context: Context
    ) -> None:
        del self.allocations[str(allocation_id)]

    def _allocation(self, allocation_id: UUID) -> Allocation:
        try:
            return self.allocations[str(allocation_id)]
        except KeyError:
            raise NotFound(
                f"{self.name} has no allocation {allocation_id}", field="allocation"
            ) from None

    def _check_room(self, extra: Decimal, what: str) -> None:
        if self.allocated + extra > self.total:
            raise FundExceeded(
                f"cannot {what}: {self.name} has {self.remaining} SEK of {self.total} SEK left",
                field="amount",
            )


def allocation_id_for(fund_id: UUID, key: str) -> UUID:
    return natural_id("allocation", str(fund_id), key)
