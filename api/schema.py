"""The GraphQL schema: members of a body as of a date and as known at a time, and agreements
valid on a date, each with its provenance."""

from __future__ import annotations

import asyncio
import enum
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.types import Info

from projections.agreements import AgreementRow
from projections.memberships import MembershipRow
from projections.runner import ProjectionRunner
from projections.sql import as_date


@strawberry.enum(description="A role in a body (ordförande, vice ordförande, ledamot, ...).")
class Role(enum.Enum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    MEMBER = "member"
    DEPUTY = "deputy"
    SECRETARY = "secretary"
    CO_OPTED = "co_opted"


@strawberry.type(description="Where a fact comes from.")
class Source:
    document: str | None
    item: str | None = strawberry.field(description='Item in the document, such as "§ 9".')
    url: str | None


@strawberry.type(description="A region, municipality, kommunalförbund or SKR.")
class Organisation:
    id: strawberry.ID
    name: str
    kind: str


@strawberry.type(description="The decision behind a fact.")
class DecisionRef:
    id: strawberry.ID
    decided_on: date
    item: str
    kind: str
    text: str


@strawberry.type(description="One person's place in a body, as known at `knownAt`.")
class Membership:
    id: strawberry.ID
    person_id: strawberry.ID
    person_name: str
    role: Role
    seat: str | None = strawberry.field(description="Label of the seat held, if any.")
    on_behalf_of: Organisation | None
    personal_deputy_for_id: strawberry.ID | None = strawberry.field(
        description="The member this person is personal deputy (ersättare) for."
    )
    from_: date | None = strawberry.field(
        name="from", description="First day held; null when the start is unknown."
    )
    from_unknown: bool
    from_not_after: date | None = strawberry.field(
        description="When the start is unknown: the earliest date it is known to hold."
    )
    until: date | None = strawberry.field(
        description="The day it ended (not held on that day); null while it continues."
    )
    decision: DecisionRef | None
    source: Source
    recorded_at: datetime
    recorded_by: str | None
    correction_reason: str | None


@strawberry.type(description="A body: samrådsorgan, chefsgrupp, styrgrupp, utskott, nämnd.")
class Body:
    id: strawberry.ID
    name: str
    kind: str

    @strawberry.field(description="Members on `asOf` (default today) as known at `knownAt`.")
    async def members(
        self, info: Info, as_of: date | None = None, known_at: datetime | None = None
    ) -> list[Membership]:
        return await _members(info, UUID(str(self.id)), as_of, known_at)


@strawberry.type(description="An extension of an agreement's end date.")
class Extension:
    key: str
    new_until: date
    status: str = strawberry.field(description="pending until every party adopts it; adopted")
    adopted_by: list[Organisation]
    decision: DecisionRef | None


@strawberry.type(description="A party's adoption (antagande) of an agreement.")
class Adoption:
    party: Organisation
    adopted_on: date


@strawberry.type(description="An agreement with its effective validity as known at `knownAt`.")
class Agreement:
    id: strawberry.ID
    title: str
    parties: list[Organisation]
    valid_from: date | None = strawberry.field(description="Start of the period as agreed.")
    valid_until: date | None = strawberry.field(description="End as agreed (last valid day).")
    entry_into_force_not_before: date | None
    entry_into_force_requires_all_adoptions: bool
    in_force_from: date | None = strawberry.field(
        description="Computed: when it applies (null while waiting for adoptions)."
    )
    effective_until: date | None = strawberry.field(
        description="Computed last valid day after adopted extensions and termination."
    )
    terminated_on: date | None
    adoptions: list[Adoption]
    parties_not_adopted: list[Organisation]
    extensions: list[Extension]
    pending_extensions: list[Extension]
    revisions: list[str]
    source: Source
    recorded_at: datetime
    recorded_by: str | None


def _runner(info: Info) -> ProjectionRunner:
    return info.context["runner"]


def _id(value: Any, field: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise GraphQLError(
            f"{field}: {value!r} is not a valid id", extensions={"code": "BAD_USER_INPUT"}
        ) from None


def _known_at(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _org(orgs: dict[UUID, dict], org_id: UUID) -> Organisation:
    row = orgs.get(org_id)
    return Organisation(
        id=strawberry.ID(str(org_id)),
        name=row["name"] if row else str(org_id),
        kind=row["kind"] if row else "unknown",
    )


def _decision(decisions: dict[UUID, dict], decision_id: UUID | None) -> DecisionRef | None:
    row = decisions.get(decision_id) if decision_id else None
    if row is None:
        return None
    return DecisionRef(
        id=strawberry.ID(str(decision_id)),
        decided_on=as_date(row["decided_on"]),  # type: ignore[arg-type]
        item=row["item"],
        kind=row["kind"],
        text=row["text"],
    )


def _membership(r: MembershipRow, orgs: dict, decisions: dict) -> Membership:
    return Membership(
        id=strawberry.ID(str(r.membership_id)),
        person_id=strawberry.ID(str(r.person_id)),
        person_name=r.person_name,
        role=Role(r.role),
        seat=r.seat_label,
        on_behalf_of=_org(orgs, r.on_behalf_of) if r.on_behalf_of else None,
        personal_deputy_for_id=strawberry.ID(str(r.deputy_for)) if r.deputy_for else None,
        from_=r.start_date,
        from_unknown=r.start_date is None,
        from_not_after=r.start_not_after,
        until=r.end_date,
        decision=_decision(decisions, r.decision_id),
        source=Source(document=r.source_document, item=r.source_item, url=r.source_url),
        recorded_at=r.recorded_from,
        recorded_by=r.actor,
        correction_reason=r.correction_reason,
    )


async def _members(
    info: Info, body_id: UUID, as_of: date | None, known_at: datetime | None
) -> list[Membership]:
    runner = _runner(info)

    def read() -> list[Membership]:
        with runner.views.reading() as db:
            rows = runner.memberships.members(
                db, body_id, as_of or date.today(), _known_at(known_at)
            )
            orgs = runner.catalogue.organisations(db, (r.on_behalf_of for r in rows))
            decisions = runner.catalogue.decisions(db, (r.decision_id for r in rows))
        return [_membership(r, orgs, decisions) for r in rows]

    return await asyncio.to_thread(read)


def _agreement(r: AgreementRow, orgs: dict, decisions: dict) -> Agreement:
    def extension(e: Any) -> Extension:
        return Extension(
            key=e.key,
            new_until=e.new_until,
            status=e.status,
            adopted_by=[_org(orgs, p) for p in e.adopted_by],
            decision=_decision(decisions, e.decision_id),
        )

    return Agreement(
        id=strawberry.ID(str(r.agreement_id)),
        title=r.title,
        parties=[_org(orgs, p) for p in r.party_ids],
        valid_from=r.valid_from,
        valid_until=r.valid_until,
        entry_into_force_not_before=r.not_before,
        entry_into_force_requires_all_adoptions=r.requires_all_adoptions,
        in_force_from=r.in_force_from,
        effective_until=r.effective_until,
        terminated_on=r.terminated_on,
        adoptions=[Adoption(party=_org(orgs, p), adopted_on=d) for p, d in r.adoptions.items()],
        parties_not_adopted=[_org(orgs, p) for p in r.parties_not_adopted],
        extensions=[extension(e) for e in r.extensions],
        pending_extensions=[extension(e) for e in r.pending_extensions],
        revisions=[str(rev["description"]) for rev in r.revisions],
        source=Source(document=r.source_document, item=r.source_item, url=None),
        recorded_at=r.recorded_from,
        recorded_by=r.actor,
    )


def _agreements(runner: ProjectionRunner, rows: list[AgreementRow], db: Any) -> list[Agreement]:
    orgs = runner.catalogue.organisations(db, (p for r in rows for p in r.party_ids))
    decisions = runner.catalogue.decisions(db, (e.decision_id for r in rows for e in r.extensions))
    return [_agreement(r, orgs, decisions) for r in rows]


@strawberry.type
class Query:
    @strawberry.field(description="Every body the registry holds, by name.")
    async def bodies(self, info: Info) -> list[Body]:
        runner = _runner(info)

        def read() -> list[Body]:
            with runner.views.reading() as db:
                rows = runner.memberships.bodies(db)
            return [
                Body(id=strawberry.ID(r["body_id"]), name=r["name"], kind=r["kind"]) for r in rows
            ]

        return await asyncio.to_thread(read)

    @strawberry.field(description="One body by id.")
    async def body(self, info: Info, id: strawberry.ID) -> Body | None:
        runner = _runner(info)
        body_id = _id(id, "id")

        def read() -> Body | None:
            with runner.views.reading() as db:
                row = runner.memberships.body(db, body_id)
            if row is None:
                return None
            return Body(id=strawberry.ID(row["body_id"]), name=row["name"], kind=row["kind"])

        return await asyncio.to_thread(read)

    @strawberry.field(
        description="Members of a body on `asOf` (default today) as the registry knew them at "
        "`knownAt` (default now), each with role, from, until and the decision behind it."
    )
    async def members(
        self,
        info: Info,
        body_id: strawberry.ID,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Membership]:
        return await _members(info, _id(body_id, "bodyId"), as_of, known_at)

    @strawberry.field(
        description="Agreements in force on `validOn` (default today) as known at `knownAt`: "
        "after adopted extensions, termination and the entry-into-force rule."
    )
    async def agreements(
        self, info: Info, valid_on: date | None = None, known_at: datetime | None = None
    ) -> list[Agreement]:
        runner = _runner(info)

        def read() -> list[Agreement]:
            with runner.views.reading() as db:
                rows = runner.agreements.valid_on(db, valid_on or date.today(), _known_at(known_at))
                return _agreements(runner, rows, db)

        return await asyncio.to_thread(read)

    @strawberry.field(description="One agreement as known at `knownAt` (default now).")
    async def agreement(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Agreement | None:
        runner = _runner(info)
        agreement_id = _id(id, "id")

        def read() -> Agreement | None:
            with runner.views.reading() as db:
                row = runner.agreements.as_known_at(db, agreement_id, _known_at(known_at))
                return _agreements(runner, [row], db)[0] if row else None

        return await asyncio.to_thread(read)

    @strawberry.field(description="Position of the last event the read models include.")
    async def projection_position(self, info: Info) -> int:
        return await asyncio.to_thread(_runner(info).position)


schema = strawberry.Schema(
    query=Query,
    extensions=[
        lambda: QueryDepthLimiter(max_depth=12),
        lambda: MaxAliasesLimiter(max_alias_count=30),
        lambda: MaxTokensLimiter(max_token_count=8000),
    ],
)
