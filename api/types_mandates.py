"""GraphQL types and queries for bodies' mandates, delegations (delegationsordning) and what
decisions claim: who may decide a matter for a body on a day, whether a decision lay within
its body's mandate (with the chain of decisions that justifies it), delegated decisions and
their reports (anmälan) to the nämnd, and recommendations to principals with each principal's
own decision to adopt. The rule is registry/mandates.py; the views projections/mandates.py.
Every answer is on both time axes: `asOf` (valid time), `knownAt` (recorded time)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from api.types import (
    Body,
    Decision,
    Organisation,
    Person,
    _gid,
    load_body,
    load_decision,
    load_organisation,
    load_person,
    load_row,
    parse_id,
    reader,
)
from projections.entities import BODY, EntityRow
from projections.mandates import (
    BODY_MANDATE,
    DECISION_CLAIM,
    DELEGATION,
    claim_of,
    grant_of,
    versions_of,
)
from projections.sql import as_date
from registry.domain import delegation as delegations
from registry.domain import mandate as mandates
from registry.domain.claim import claim_id_for
from registry.domain.mandate import body_mandate_id
from registry.mandates import LinkKind, MandateRule, Verdict, mandate_on

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


def _day(value: Any) -> date | None:
    return as_date(value)


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
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(info, self.decision_id, self.known_at)


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
    async def body(self, info: Info) -> Body | None:
        return await load_body(info, self.body_id, self.known_at)

    @strawberry.field
    async def person(self, info: Info) -> Person | None:
        return await load_person(info, self.person_id, self.known_at)


@strawberry.type(
    description="A line of a body's delegationsordning: it lets a body, a person or a post "
    "decide a class of matters on the body's behalf, within limits, for a period."
)
class Delegation:
    row: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row.entity_id)

    @strawberry.field(description="The delegating body (the nämnd).")
    async def body(self, info: Info) -> Body | None:
        return await load_body(info, self.row["body_id"], self.known_at)

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
        return _day(self.row["valid_from"])  # type: ignore[return-value]

    @strawberry.field(description="The last day it holds (after a revocation, its last day).")
    def valid_until(self) -> date | None:
        return _day(self.row.get("valid_until"))

    @strawberry.field(description="Whether it holds on `asOf` (default today).")
    def holds(self, info: Info, as_of: date | None = None) -> bool:
        return grant_of(self.row.entity_id, self.row.view).holds_on(reader(info).as_of(as_of))

    @strawberry.field(description="The decision that granted it.")
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(info, self.row.get("decision_id"), self.known_at)

    @strawberry.field(description="The decision that revoked it, if any.")
    async def revoked_by(self, info: Info) -> Decision | None:
        return await load_decision(info, self.row.get("revoked_by"), self.known_at)

    @strawberry.field(description="Decisions recorded as taken under it, earliest first.")
    async def decisions(self, info: Info) -> list[Decision]:
        r = reader(info)
        claims = await r.all_of_type.load((DECISION_CLAIM, r.known_at(self.known_at)))
        wanted = str(self.row.entity_id)
        ids = [
            c["decision_id"]
            for c in claims
            if (c.get("delegated_by") or {}).get("delegation_id") == wanted
        ]
        found = await asyncio.gather(*(load_decision(info, i, self.known_at) for i in ids))
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
    async def body(self, info: Info) -> Body | None:
        return await load_body(info, self.body_id, self.known_at)

    @strawberry.field(description="The body's decision at which it was reported.")
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(info, self.decision_id, self.known_at)


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
    async def delegate(self, info: Info) -> Person | None:
        by = self.row.get("delegated_by") or {}
        return await load_person(info, by.get("person_id"), self.known_at)

    @strawberry.field(
        description="Its reports (anmälan) to the delegating body; empty while not reported."
    )
    def reports(self) -> list[DelegationReport]:
        return [
            DelegationReport(
                reported_on=_day(r["reported_on"]),  # type: ignore[arg-type]
                body_id=r["body_id"],
                decision_id=r.get("decision_id"),
                known_at=self.known_at,
            )
            for r in self.row.get("reports", [])
        ]

    @strawberry.field(description="Whether it was reported to the delegating body by `asOf`.")
    def reported(self, info: Info, as_of: date | None = None) -> bool:
        day = reader(info).as_of(as_of)
        return any(_day(r["reported_on"]) <= day for r in self.row.get("reports", []))  # type: ignore[operator]


async def claim_row(info: Info, decision_id: UUID, known_at: datetime | None) -> EntityRow | None:
    return await load_row(info, claim_id_for(decision_id), DECISION_CLAIM, known_at)


@strawberry.type(description="One decision of a mandate chain and the power it gave.")
class ChainLink:
    kind: ChainLinkKind  # type: ignore[valid-type]
    power: Power  # type: ignore[valid-type]
    holder: str | None = strawberry.field(
        description="The person or post a delegation went to (null for a body)."
    )
    decision_id: strawberry.Private[UUID | None]
    body_id: strawberry.Private[UUID]
    delegation_id: strawberry.Private[UUID | None]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field(description="The decision: a mandate's, a delegation's, or the one checked.")
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(info, self.decision_id, self.known_at)

    @strawberry.field(description="The body that holds the power by this link.")
    async def body(self, info: Info) -> Body | None:
        return await load_body(info, self.body_id, self.known_at)

    @strawberry.field
    async def delegation(self, info: Info) -> Delegation | None:
        row = await load_row(info, self.delegation_id, DELEGATION, self.known_at)
        return Delegation(row=row, known_at=self.known_at) if row else None


@strawberry.type(
    description="Whether a decision lay within its body's mandate or a delegation on the day "
    "it was taken: `within` (null when UNKNOWN), the reason, and the chain of decisions that "
    "justifies it (the body's mandate, each delegation, the decision)."
)
class MandateCheck:
    verdict: MandateVerdict  # type: ignore[valid-type]
    reason: str
    chain: list[ChainLink]

    @strawberry.field(description="True within, false outside, null when unknown.")
    def within(self) -> bool | None:
        return None if self.verdict is Verdict.UNKNOWN else self.verdict is Verdict.WITHIN


async def rule_for(info: Info, known_at: datetime | None) -> MandateRule:
    """The rule over the record as known at `known_at`, built once per request and time."""
    r = reader(info)
    at = r.known_at(known_at)
    rules = info.context.setdefault("mandate_rules", {})
    if at not in rules:
        rules[at] = asyncio.ensure_future(_build_rule(info, at))
    return await rules[at]


async def _build_rule(info: Info, at: datetime) -> MandateRule:
    r = reader(info)
    bodies, stated, granted = await asyncio.gather(
        r.all_of_type.load((BODY, at)),
        r.all_of_type.load((BODY_MANDATE, at)),
        r.all_of_type.load((DELEGATION, at)),
    )
    names = {b.entity_id: b["name"] for b in bodies}
    return MandateRule(
        {UUID(m["body_id"]): versions_of(m.view) for m in stated},
        [grant_of(g.entity_id, g.view) for g in granted],
        lambda body_id: names.get(body_id, str(body_id)),
    )


async def within_mandate(
    info: Info, decision: EntityRow, known_at: datetime | None
) -> MandateCheck:
    row = await claim_row(info, decision.entity_id, known_at)
    if row is None:
        return MandateCheck(
            verdict=Verdict.UNKNOWN,
            reason="the decision does not record what it claims (decides, recommends, proposes)",
            chain=[],
        )
    claim = dataclasses.replace(
        claim_of(row.view),
        date_uncertain=bool(
            decision.get("decided_on_unknown") or decision.get("decided_precision")
        ),
    )
    answer = (await rule_for(info, known_at)).check(claim)
    return MandateCheck(
        verdict=answer.verdict,
        reason=answer.reason,
        chain=[
            ChainLink(
                kind=link.kind,
                power=link.power,
                holder=link.holder,
                decision_id=link.decision_id,
                body_id=link.body_id,
                delegation_id=link.delegation_id,
                known_at=known_at,
            )
            for link in answer.chain
        ],
    )


# -- recommendations to principals -----------------------------------------------------------


@strawberry.type(description="A principal's own decision adopting a recommendation.")
class RecommendationAdoption:
    adopted_on: date
    via_agreement: bool = strawberry.field(
        description="True when recorded as the principal's adoption of an agreement extension "
        "the recommendation proposed (linked, not recorded twice)."
    )
    decision_id: strawberry.Private[str | None]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(info, self.decision_id, self.known_at)


@strawberry.type(
    description="A principal (huvudman) of a recommendation: bound by it only from the day it "
    "adopts it by its own decision."
)
class Principal:
    organisation_id: strawberry.Private[str]
    adoption: strawberry.Private[RecommendationAdoption | None]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation | None:
        return await load_organisation(info, self.organisation_id, self.known_at)

    @strawberry.field(description="Its adoption; null while it has not adopted it.")
    def adopted_by(self) -> RecommendationAdoption | None:
        return self.adoption

    @strawberry.field(
        description="Whether the recommendation binds this principal on `asOf` (default "
        "today): only once it has adopted it."
    )
    def obligation(self, info: Info, as_of: date | None = None) -> bool:
        day = reader(info).as_of(as_of)
        return self.adoption is not None and self.adoption.adopted_on <= day


@strawberry.type(
    description="A recommendation to principals (of a samverkansorgan, chefsgrupp...): it "
    "binds no principal until that principal adopts it."
)
class Recommendation:
    principals: list[Principal]

    @strawberry.field(description="Whether every principal has adopted it by `asOf`.")
    def adopted_by_all(self, info: Info, as_of: date | None = None) -> bool:
        day = reader(info).as_of(as_of)
        return all(p.adoption is not None and p.adoption.adopted_on <= day for p in self.principals)


async def _extension_adoptions(
    info: Info, decision_id: UUID, known_at: datetime | None
) -> tuple[list[str], dict[str, RecommendationAdoption]]:
    """Parties of the agreements whose extension the decision proposed, and their adoptions
    of it, from the agreements' own events (an extension adopted is not recorded twice)."""
    r = reader(info)
    at = r.known_at(known_at)
    proposed = [
        e
        for e in await r.effects.load(decision_id)
        if e.event_type == "ExtensionProposed" and e.recorded_at <= at
    ]
    parties: list[str] = []
    adoptions: dict[str, RecommendationAdoption] = {}
    for e in proposed:
        key = e.data.get("extension_key")
        agreement = await r.agreement.load((e.entity_id, at))
        for party in getattr(agreement, "party_ids", []) or []:
            if str(party) not in parties:
                parties.append(str(party))
        for a in await r.events_about.load(e.entity_id):
            if (
                a.event_type == "ExtensionAdopted"
                and a.entity_id == e.entity_id
                and a.data.get("extension_key") == key
                and a.recorded_at <= at
            ):
                adoptions.setdefault(
                    str(a.data.get("party_id")),
                    RecommendationAdoption(
                        adopted_on=a.effective_date,  # type: ignore[arg-type]
                        via_agreement=True,
                        decision_id=str(a.decision_id) if a.decision_id else None,
                        known_at=known_at,
                    ),
                )
    return parties, adoptions


async def recommendation_of(
    info: Info, decision: EntityRow, known_at: datetime | None
) -> Recommendation | None:
    """The recommendation a decision makes: its claim says it recommends, or it proposed an
    agreement extension to the agreement's parties."""
    row = await claim_row(info, decision.entity_id, known_at)
    parties, via_agreement = await _extension_adoptions(info, decision.entity_id, known_at)
    recommends = row is not None and row["kind"] == mandates.ClaimKind.RECOMMENDS
    if not recommends and not parties:
        return None
    principals = list(row.get("principals", [])) if recommends else []  # type: ignore[union-attr]
    principals += [p for p in parties if p not in principals]
    own = {
        a["principal_id"]: RecommendationAdoption(
            adopted_on=_day(a["adopted_on"]),  # type: ignore[arg-type]
            via_agreement=False,
            decision_id=a.get("decision_id"),
            known_at=known_at,
        )
        for a in (row.get("adoptions", []) if row else [])
    }
    return Recommendation(
        principals=[
            Principal(
                organisation_id=p,
                adoption=own.get(p) or via_agreement.get(p),
                known_at=known_at,
            )
            for p in principals
        ]
    )


# -- queries ---------------------------------------------------------------------------------


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
    ) -> list[Decision]:
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
                x["body_id"] == str(wanted) and _day(x["reported_on"]) <= day  # type: ignore[operator]
                for x in c.get("reports", [])
            )
            if reported is None or reported == done:
                ids.append(c["decision_id"])
        found = await asyncio.gather(*(load_decision(info, i, known_at) for i in ids))
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
