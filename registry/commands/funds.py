"""Commands for funds and the money allocated from them (see registry/domain/fund.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from registry.commands.unit_of_work import UnitOfWorkApplication
from registry.domain.fund import Allocation, Fund, allocation_id_for
from registry.errors import InvalidInput
from registry.values import Context, check_period, require_text, sek

#: Value types stored in these aggregates' events (registered with the transcoder).
FUND_VALUE_TYPES: list[type] = [Allocation]


class FundCommands(UnitOfWorkApplication):
    """Funds and their allocations."""

    def establish_fund(
        self,
        name: str,
        total: str | int | Decimal,
        context: Context,
        currency: str = "SEK",
        period_start: date | None = None,
        period_end: date | None = None,
        source_of_funds: str | None = None,
        key: str | None = None,
    ) -> UUID:
        """Establish a fund of `total` SEK for a period, from `source_of_funds`."""
        name = require_text(name, "name")
        amount = sek(total, "total")
        if currency != "SEK":
            raise InvalidInput("currency: only SEK is supported", field="currency")
        check_period(period_start, period_end, f"the fund {name!r}")
        with self._changes() as unit:
            fund = Fund(
                key=key or name,
                name=name,
                total=amount,
                currency=currency,
                period_start=period_start,
                period_end=period_end,
                source_of_funds=source_of_funds,
                effective_date=period_start,
                context=context,
            )
            unit.add(fund, f"the fund {name!r}")
        return fund.id

    def allocate(
        self,
        fund_id: UUID,
        recipient: str,
        purpose: str,
        amount: str | int | Decimal,
        context: Context,
        key: str | None = None,
        recipient_id: UUID | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """Allocate money from a fund; the allocations never exceed the fund's total."""
        with self._changes() as unit:
            fund = unit.get(fund_id, Fund, "fund_id")
            allocation_id = allocation_id_for(fund.id, key or f"{recipient}|{purpose}")
            fund.allocate(
                Allocation(allocation_id, recipient, purpose, sek(amount), recipient_id),
                effective_date,
                context,
            )
        return allocation_id

    def change_allocation(
        self,
        fund_id: UUID,
        allocation_id: UUID,
        amount: str | int | Decimal,
        context: Context,
        effective_date: date | None = None,
    ) -> None:
        """A new amount for an allocation, from `effective_date`."""
        with self._changes() as unit:
            unit.get(fund_id, Fund, "fund_id").change_allocation(
                allocation_id, sek(amount), effective_date, context
            )

    def withdraw_allocation(
        self,
        fund_id: UUID,
        allocation_id: UUID,
        reason: str,
        context: Context,
        effective_date: date | None = None,
    ) -> None:
        """Withdraw an allocation, with a reason."""
        with self._changes() as unit:
            unit.get(fund_id, Fund, "fund_id").withdraw_allocation(
                allocation_id, reason, effective_date, context
            )
