"""GraphQL types for bodies' mandates, delegations (delegationsordning) and what
decisions claim: who may decide a matter for a body on a day, whether a decision lay within
its body's mandate (with the chain of decisions that justifies it), delegated decisions and
their reports (anmälan) to the nämnd, and recommendations to principals with each principal's
own decision to adopt. The rule is registry/mandates.py; the views projections/mandates.py.
Every answer is on both time axes: `asOf` (valid time), `knownAt` (recorded time)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from api.graphql import bodies, decisions, persons
from api.graphql.core.context import load_row, reader
from api.graphql.core.ids import gid
from api.graphql.core.refs import BodyRef, DecisionRef, PersonRef
from projections.entities import EntityRow
from projections.mandates import BODY_MANDATE, DECISION_CLAIM, DELEGATION, grant_of, versions_of
from projections.sql import as_date
from registry.domain import delegation as delegations
from registry.domain import mandate as mandates
from registry.domain.claim import claim_id_for
from registry.domain.mandate import body_mandate_id
from registry.mandates import LinkKind, Verdict, mandate_on

Power = strawberry.enum(
    mandates.Power,
    description="What a body may do on a class of matters: DECIDE, RECOMMEND (to its "
    "principals), or only DISCUSS. Each includes the weaker ones.",
)
ClaimKind = strawberry.enum(
    mandates.ClaimKind,
    description="What a decision claims: it DECIDES, RECOMMENDS to its principals, or "
    "PROPOSES to the body that decides.",
)
DelegateKind = strawberry.enum(
    delegations.DelegateKind, description="A delegation's holder: a BODY, a PERSON or a POST."
)
MandateVerdict = strawberry.enum(
    Verdict,
    description="WITHIN the mandate (or a delegation), OUTSIDE it, or UNKNOWN: the registry "
    "holds no structured mandate of the body, or the decision does not say what it claims.",
)
ChainLinkKind = strawberry.enum(
    LinkKind,
    description="How a link of a chain gives its power: a body's own MANDATE, a DELEGATION, "
    "or the DECISION checked.",
)


def _money(value: Any) -> Decimal | None:
    return Decimal(value) if value is not None else None


# -- mandates --------------------------------------------------------------------------------


@strawberry.type(description="One line of a body's mandate.")
class MatterPower:
    matter: str | None = strawberry.field(description="The class of matters; null: every matter.")
    power: Power  # type: ignore[valid-type]
    max_amount: Decimal | None = strawberry.field(description="A ceiling on the amount, in SEK.")
    note: str | None


@strawberry.type(
    description="A body's structured mandate as stated from `validFrom` by a decision (its "
    "founding decision or reglemente), until the next version."
)
class MandateVersion:
    valid_from: date | None = strawberry.field(description="Null: the start is not known.")
    powers: list[MatterPower]
    decision_id: strawberry.Private[UUID | None]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field(description="The decision that stated it.")
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.decision_id, self.known_at)


def _version(v: mandates.MandateVersion, known_at: datetime | None) -> MandateVersion:
    return MandateVersion(
        valid_from=v.valid_from,
        powers=[
            MatterPower(matter=p.matter, power=p.power, max_amount=p.max_amount, note=p.note)
            for p in v.powers
        ],
        decision_id=v.decision_id,
        known_at=known_at,
    )


async def mandate_of(
    info: Info, body_id: UUID, as_of: date | None, known_at: datetime | None
) -> MandateVersion | None:
    """The body's structured mandate on `asOf`, as known at `knownAt`."""
    row = await load_row(info, body_mandate_id(body_id), BODY_MANDATE, known_at)
    if row is None:
        return None
    found = mandate_on(versions_of(row.view), reader(info).as_of(as_of))
    return _version(found, known_at) if found else None


async def mandate_history_of(
    info: Info, body_id: UUID, known_at: datetime | None
) -> list[MandateVersion]:
    row = await load_row(info, body_mandate_id(body_id), BODY_MANDATE, known_at)
    return [_version(v, known_at) for v in versions_of(row.view)] if row else []


# -- delegations -----------------------------------------------------------------------------


@strawberry.type(description="Who holds a delegation: a body, a person, or a post (a title).")
class Delegate:
    kind: DelegateKind  # type: ignore[valid-type]
    name: str = strawberry.field(description="As the delegationsordning writes it.")
    body_id: strawberry.Private[str | None]
    person_id: strawberry.Private[str | None]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    async def body(self, info: Info) -> BodyRef | None:
        return await bodies.load_body(info, self.body_id, self.known_at)

    @strawberry.field
    async def person(self, info: Info) -> PersonRef | None:
        return await persons.load_person(info, self.person_id, self.known_at)


@strawberry.type(
    description="A line of a body's delegationsordning: it lets a body, a person or a post "
    "decide a class of matters on the body's behalf, within limits, for a period."
)
class Delegation:
    row: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return gid(self.row.entity_id)

    @strawberry.field(description="The delegating body (the nämnd).")
    async def body(self, info: Info) -> BodyRef | None:
        return await bodies.load_body(info, self.row["body_id"], self.known_at)

    @strawberry.field
    def key(self) -> str:
        return self.row["key"]

    @strawberry.field(description="The class of matters delegated.")
    def matter(self) -> str:
        return self.row["matter"]

    @strawberry.field
    def delegate(self) -> Delegate:
        d = self.row["delegate"]
        return Delegate(
            kind=d["kind"],
            name=d["name"],
            body_id=d.get("body_id"),
            person_id=d.get("person_id"),
            known_at=self.known_at,
        )

    @strawberry.field(description='Limits as written ("upp till 500 000 kr").')
    def limit(self) -> str | None:
        return self.row.get("limit")

    @strawberry.field(description="The highest amount the delegate may decide, in SEK.")
    def max_amount(self) -> Decimal | None:
        return _money(self.row.get("max_amount"))

    @strawberry.field
    def valid_from(self) -> date:
        return as_date(self.row["valid_from"])  # type: ignore[return-value]

    @strawberry.field(description="The last day it holds (after a revocation, its last day).")
    def valid_until(self) -> date | None:
        return as_date(self.row.get("valid_until"))

    @strawberry.field(description="Whether it holds on `asOf` (default today).")
    def holds(self, info: Info, as_of: date | None = None) -> bool:
        return grant_of(self.row.entity_id, self.row.view).holds_on(reader(info).as_of(as_of))

    @strawberry.field(description="The decision that granted it.")
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.row.get("decision_id"), self.known_at)

    @strawberry.field(description="The decision that revoked it, if any.")
    async def revoked_by(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.row.get("revoked_by"), self.known_at)

    @strawberry.field(description="Decisions recorded as taken under it, earliest first.")
    async def decisions(self, info: Info) -> list[DecisionRef]:
        r = reader(info)
        claims = await r.all_of_type.load((DECISION_CLAIM, r.known_at(self.known_at)))
        wanted = str(self.row.entity_id)
        ids = [
            c["decision_id"]
            for c in claims
            if (c.get("delegated_by") or {}).get("delegation_id") == wanted
        ]
        found = await asyncio.gather(
            *(decisions.load_decision(info, i, self.known_at) for i in ids)
        )
        return sorted(
            (d for d in found if d is not None),
            key=lambda d: (d.row["decided_on"], d.row["item"].zfill(8), d.row["ordinal"]),
        )


async def delegations_of(
    info: Info,
    body_id: UUID,
    matter: str | None,
    as_of: date | None,
    known_at: datetime | None,
) -> list[Delegation]:
    """The body's delegations, for `matter` and holding on `asOf` where given."""
    r = reader(info)
    rows = await r.all_of_type.load((DELEGATION, r.known_at(known_at)))
    found = []
    for row in rows:
        grant = grant_of(row.entity_id, row.view)
        if grant.body_id != body_id:
            continue
        if as_of is not None and not grant.holds_on(as_of):
            continue
        if matter is not None and not grant.covers(matter, None):
            continue
        found.append(Delegation(row=row, known_at=known_at))
    return found


# -- what a decision claims ------------------------------------------------------------------


@strawberry.type(description="A delegated decision reported (anmäld) to the delegating body.")
class DelegationReport:
    reported_on: date
    body_id: strawberry.Private[str]
    decision_id: strawberry.Private[str | None]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field(description="The body it was reported to.")
    async def body(self, info: Info) -> BodyRef | None:
        return await bodies.load_body(info, self.body_id, self.known_at)

    @strawberry.field(description="The body's decision at which it was reported.")
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.decision_id, self.known_at)


@strawberry.type(description="What a decision claims, and under which delegation.")
class DecisionClaim:
    row: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def kind(self) -> ClaimKind:  # type: ignore[valid-type]
        return mandates.ClaimKind(self.row["kind"])

    @strawberry.field(description="The class of matters it concerns.")
    def matter(self) -> str | None:
        return self.row.get("matter")

    @strawberry.field(description="The amount it decides, in SEK.")
    def amount(self) -> Decimal | None:
        return _money(self.row.get("amount"))

    @strawberry.field(description="The delegation it was taken under.")
    async def delegation(self, info: Info) -> Delegation | None:
        by = self.row.get("delegated_by") or {}
        row = await load_row(info, by.get("delegation_id"), DELEGATION, self.known_at)
        return Delegation(row=row, known_at=self.known_at) if row else None

    @strawberry.field(description="The person who took it under delegation, as recorded.")
    def delegate_name(self) -> str | None:
        return (self.row.get("delegated_by") or {}).get("person_name")

    @strawberry.field(description="The person who took it under delegation.")
    async def delegate(self, info: Info) -> PersonRef | None:
        by = self.row.get("delegated_by") or {}
        return await persons.load_person(info, by.get("person_id"), self.known_at)

    @strawberry.field(
        description="Its reports (anmälan) to the delegating body; empty while not reported."
    )
    def reports(self) -> list[DelegationReport]:
        return [
            DelegationReport(
                reported_on=as_date(r["reported_on"]),  # type: ignore[arg-type]
                body_id=r["body_id"],
                decision_id=r.get("decision_id"),
                known_at=self.known_at,
            )
            for r in self.row.get("reports", [])
        ]

    @strawberry.field(description="Whether it was reported to the delegating body by `asOf`.")
    def reported(self, info: Info, as_of: date | None = None) -> bool:
        day = reader(info).as_of(as_of)
        return any(as_date(r["reported_on"]) <= day for r in self.row.get("reports", []))  # type: ignore[operator]


async def claim_row(info: Info, decision_id: UUID, known_at: datetime | None) -> EntityRow | None:
    return await load_row(info, claim_id_for(decision_id), DECISION_CLAIM, known_at)
