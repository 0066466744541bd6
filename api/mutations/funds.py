"""Mutations on a fund: an allocation by a decision."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry

from api.graphql.core.ids import parse_id
from api.mutations.core import Change, entity, of_decision, optional_id
from api.mutations.fields import write
from api.mutations.types import FundWrite
from registry.application import Registry
from registry.domain.fund import Fund
from registry.values import Context


@write(
    FundWrite,
    "Allocate money from a fund by a decision (`authorisedBy`, required); the allocations "
    "never exceed the fund's total (FUND_EXCEEDED).",
)
def allocate(
    fund_id: strawberry.ID,
    recipient: str,
    purpose: str,
    amount: Decimal,
    authorised_by: strawberry.ID,
    key: str | None = None,
    recipient_id: strawberry.ID | None = None,
    effective_date: date | None = None,
) -> Change:
    fund = parse_id(fund_id, "fundId")
    decision = parse_id(authorised_by, "authorisedBy")
    holder = optional_id(recipient_id, "recipientId")

    def run(registry: Registry, context: Context) -> dict[str, Any]:
        registry.get(fund, Fund, "fundId")
        allocation = registry.allocate(
            fund, recipient, purpose, amount, context, key, holder, effective_date
        )
        return entity(fund, allocation_id=allocation)

    return Change(run, of_decision(decision, "authorisedBy"), (fund, Fund, "fundId"))
