"""The Query fields of mandates and delegations."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import strawberry
from strawberry.types import Info

from api.graphql import decisions
from api.graphql.core.context import load_row, reader
from api.graphql.core.ids import parse_id
from api.graphql.core.refs import DecisionRef
from api.graphql.mandates.types import Delegation, delegations_of
from projections.mandates import DECISION_CLAIM, DELEGATION
from projections.sql import as_date


@strawberry.type
class MandatesQuery:
    @strawberry.field(
        description="Who may decide `matter` for the body on `asOf` (default today) by "
        "delegation (delegationsordning), as known at `knownAt`: the delegations of that "
        "matter that hold that day, with their holders and limits."
    )
    async def delegates(
        self,
        info: Info,
        body_id: strawberry.ID,
        matter: str,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Delegation]:
        day = reader(info).as_of(as_of)
        return await delegations_of(info, parse_id(body_id, "bodyId"), matter, day, known_at)

    @strawberry.field(
        description="Decisions taken under the body's delegations, earliest first, as known at "
        "`knownAt`; with `reported: false` only those not reported (anmälda) to the body by "
        "`asOf` (default today), with `true` only those reported."
    )
    async def delegated_decisions(
        self,
        info: Info,
        body_id: strawberry.ID,
        reported: bool | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> list[DecisionRef]:
        r = reader(info)
        day = r.as_of(as_of)
        wanted = parse_id(body_id, "bodyId")
        at = r.known_at(known_at)
        granted, claims = await asyncio.gather(
            r.all_of_type.load((DELEGATION, at)), r.all_of_type.load((DECISION_CLAIM, at))
        )
        ours = {str(g.entity_id) for g in granted if g["body_id"] == str(wanted)}
        ids = []
        for c in claims:
            if (c.get("delegated_by") or {}).get("delegation_id") not in ours:
                continue
            done = any(
                x["body_id"] == str(wanted) and as_date(x["reported_on"]) <= day  # type: ignore[operator]
                for x in c.get("reports", [])
            )
            if reported is None or reported == done:
                ids.append(c["decision_id"])
        found = await asyncio.gather(*(decisions.load_decision(info, i, known_at) for i in ids))
        return sorted(
            (d for d in found if d is not None),
            key=lambda d: (d.row["decided_on"], d.row["item"].zfill(8), d.row["ordinal"]),
        )

    @strawberry.field(description="One delegation by id.")
    async def delegation(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Delegation | None:
        row = await load_row(info, parse_id(id, "id"), DELEGATION, known_at)
        return Delegation(row=row, known_at=known_at) if row else None
