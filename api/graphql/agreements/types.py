"""The GraphQL types of an agreement, its extensions, revisions and adoptions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from api.access import sees_personal_data
from api.graphql import bodies, decisions
from api.graphql.agreements.enums import AgreementStatus
from api.graphql.core import events as trail
from api.graphql.core.context import reader
from api.graphql.core.ids import gid, uuid_or_none
from api.graphql.core.node import Node, node_type
from api.graphql.core.refs import DecisionRef, EventRef, OrganisationRef
from api.graphql.core.source import Source
from projections.agreements import AgreementRow, agreement_status_of
from projections.ledger import EventRow
from projections.sql import as_date


@strawberry.type(description="An extension of an agreement's end date.")
class Extension:
    key: str
    new_until: date
    status: str = strawberry.field(description="pending until every party adopts it; adopted")
    adopted_by_ids: strawberry.Private[list[UUID]]
    decision_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def adopted_by(self, info: Info) -> list[OrganisationRef]:
        return await bodies.load_organisations(info, self.adopted_by_ids, None)

    @strawberry.field
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.decision_id, None)


@strawberry.type(description="A revision of an agreement's terms.")
class Revision:
    description: str
    applies_from: date | None
    decision_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.decision_id, None)


@strawberry.type(description="A party's adoption (antagande) of an agreement.")
class Adoption:
    party_id: strawberry.Private[UUID]
    adopted_on: date

    @strawberry.field
    async def party(self, info: Info) -> OrganisationRef | None:
        return await bodies.load_organisation(info, self.party_id, None)


@node_type("An agreement with its effective validity as known at `knownAt`.")
class Agreement(Node):
    row: strawberry.Private[AgreementRow]
    on: strawberry.Private[date | None] = None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return gid(self.row.agreement_id)

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field
    async def parties(self, info: Info) -> list[OrganisationRef]:
        return await bodies.load_organisations(info, self.row.party_ids, None)

    @strawberry.field(description="Start of the period as agreed; null when it is unknown.")
    def valid_from(self) -> date | None:
        return self.row.valid_from

    @strawberry.field(
        description="True when the start is unknown: the source only shows the agreement "
        "valid on `validFromNotAfter`."
    )
    def valid_from_unknown(self) -> bool:
        return self.row.valid_from is None and self.row.valid_from_not_after is not None

    @strawberry.field(
        description="When the start is unknown: the day the agreement is known to be valid "
        "from, the latest its start can have been (`validOn` treats it as the start)."
    )
    def valid_from_not_after(self) -> date | None:
        return self.row.valid_from_not_after

    @strawberry.field(description="End as agreed (last valid day).")
    def valid_until(self) -> date | None:
        return self.row.valid_until

    @strawberry.field
    def entry_into_force_not_before(self) -> date | None:
        return self.row.not_before

    @strawberry.field
    def entry_into_force_requires_all_adoptions(self) -> bool:
        return self.row.requires_all_adoptions

    @strawberry.field(
        description="Computed: when it applies (null while waiting for adoptions); when the "
        "start is unknown, the day it is known to apply from (`validFromNotAfter`)."
    )
    def in_force_from(self) -> date | None:
        return self.row.in_force_from

    @strawberry.field(
        description="Computed last valid day after adopted extensions and termination."
    )
    def effective_until(self) -> date | None:
        return self.row.effective_until

    @strawberry.field(description="Days from `onDate` (default today) to the last valid day.")
    def days_left(self, info: Info, on_date: date | None = None) -> int | None:
        if self.row.effective_until is None:
            return None
        return (self.row.effective_until - reader(info).as_of(on_date)).days

    @strawberry.field
    def terminated_on(self) -> date | None:
        return self.row.terminated_on

    @strawberry.field
    def adoptions(self) -> list[Adoption]:
        adoptions = sorted(self.row.adoptions.items(), key=lambda a: (a[1], str(a[0])))
        return [Adoption(party_id=p, adopted_on=d) for p, d in adoptions]

    @strawberry.field(
        description="Its status on `onDate` (default: the day the list was asked for, or today)."
    )
    def status(self, info: Info, on_date: date | None = None) -> AgreementStatus:
        return agreement_status_of(self.row, on_date or self.on or reader(info).as_of(None))

    @strawberry.field(
        description="Parties that had not adopted (by the day the list was asked for, else "
        "as recorded) an agreement whose entry into force needs every party's adoption; "
        "empty for one that applies without adoptions."
    )
    async def parties_not_adopted(self, info: Info) -> list[OrganisationRef]:
        return await bodies.load_organisations(info, self.row.parties_not_adopted_on(self.on), None)

    def _extension(self, e: Any) -> Extension:
        return Extension(
            key=e.key,
            new_until=e.new_until,
            status=e.status,
            adopted_by_ids=list(e.adopted_by),
            decision_id=e.decision_id,
        )

    @strawberry.field
    def extensions(self) -> list[Extension]:
        return [self._extension(e) for e in self.row.extensions]

    @strawberry.field
    def pending_extensions(self) -> list[Extension]:
        return [self._extension(e) for e in self.row.pending_extensions]

    @strawberry.field(description="Descriptions of the revisions, oldest first.")
    def revisions(self) -> list[str]:
        return [str(rev["description"]) for rev in self.row.revisions]

    @strawberry.field(
        description="The revisions, oldest first, each with the day it applies from and the "
        "decision behind it."
    )
    def revision_history(self) -> list[Revision]:
        return [
            Revision(
                description=str(rev["description"]),
                applies_from=as_date(rev.get("from")),
                decision_id=uuid_or_none(rev.get("decision_id")),
            )
            for rev in self.row.revisions
        ]

    async def _registration(self, info: Info) -> EventRow | None:
        events = await reader(info).events_about.load(self.row.agreement_id)
        return next((e for e in events if e.entity_id == self.row.agreement_id), None)

    @strawberry.field(
        description="Where the agreement comes from: the source it was registered from."
    )
    async def source(self, info: Info) -> Source:
        first = await self._registration(info)
        if first is None:
            return Source(document=self.row.source_document, item=self.row.source_item, url=None)
        return Source(
            document=first.source_document,
            item=first.source_item,
            url=first.source_url,
            note=first.note,
        )

    @strawberry.field(
        description="When this version (the latest change as of `knownAt`) was recorded."
    )
    def recorded_at(self) -> datetime:
        return self.row.recorded_from

    @strawberry.field(
        description="Who registered the agreement (the actor). Auditors and administrators only."
    )
    async def recorded_by(self, info: Info) -> str | None:
        if not sees_personal_data(info):
            return None
        first = await self._registration(info)
        return first.actor if first else self.row.actor

    @strawberry.field(
        description="Every event of the agreement: registration, adoptions, extensions, revisions, termination."
    )
    async def events(self, info: Info) -> list[EventRef]:
        return await trail.events_of(info, self.row.agreement_id)


def expiring(row: AgreementRow, day: date, days: int) -> bool:
    return row.effective_until is not None and row.effective_until <= day + timedelta(days=days)
