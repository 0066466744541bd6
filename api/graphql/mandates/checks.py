"""Whether a decision lay within its body's mandate, and recommendations to principals."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date, datetime
from uuid import UUID

import strawberry
from strawberry.types import Info

from api.graphql import bodies, decisions
from api.graphql import mandates as mandate_types
from api.graphql.core.context import load_row, reader
from api.graphql.core.refs import BodyRef, DecisionRef, DelegationRef, OrganisationRef
from api.graphql.mandates.types import ChainLinkKind, Delegation, MandateVerdict, Power
from projections.entities import BODY, EntityRow
from projections.mandates import BODY_MANDATE, DELEGATION, claim_of, grant_of, versions_of
from projections.sql import as_date
from registry.domain import mandate as mandates
from registry.mandates import MandateRule, Verdict


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
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.decision_id, self.known_at)

    @strawberry.field(description="The body that holds the power by this link.")
    async def body(self, info: Info) -> BodyRef | None:
        return await bodies.load_body(info, self.body_id, self.known_at)

    @strawberry.field
    async def delegation(self, info: Info) -> DelegationRef | None:
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
    row = await mandate_types.claim_row(info, decision.entity_id, known_at)
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
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.decision_id, self.known_at)


@strawberry.type(
    description="A principal (huvudman) of a recommendation: bound by it only from the day it "
    "adopts it by its own decision."
)
class Principal:
    organisation_id: strawberry.Private[str]
    adoption: strawberry.Private[RecommendationAdoption | None]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    async def organisation(self, info: Info) -> OrganisationRef | None:
        return await bodies.load_organisation(info, self.organisation_id, self.known_at)

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
    row = await mandate_types.claim_row(info, decision.entity_id, known_at)
    parties, via_agreement = await _extension_adoptions(info, decision.entity_id, known_at)
    recommends = row is not None and row["kind"] == mandates.ClaimKind.RECOMMENDS
    if not recommends and not parties:
        return None
    principals = list(row.get("principals", [])) if recommends else []  # type: ignore[union-attr]
    principals += [p for p in parties if p not in principals]
    own = {
        a["principal_id"]: RecommendationAdoption(
            adopted_on=as_date(a["adopted_on"]),  # type: ignore[arg-type]
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
