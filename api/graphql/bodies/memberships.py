"""A person's place in a body (Membership) and a body's seats, filled or vacant."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from api.access import sees_personal_data
from api.graphql import bodies, decisions, persons
from api.graphql.bodies.enums import Role
from api.graphql.core import events as trail
from api.graphql.core.ids import gid
from api.graphql.core.refs import BodyRef, DecisionRef, EventRef, OrganisationRef, PersonRef
from api.graphql.core.source import Source
from projections.memberships import MembershipRow
from registry.domain.seats import seat_role


@strawberry.type(description="One person's place in a body, as known at `knownAt`.")
class Membership:
    row: strawberry.Private[MembershipRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return gid(self.row.membership_id)

    @strawberry.field
    def person_id(self) -> strawberry.ID:
        return gid(self.row.person_id)

    @strawberry.field
    def person_name(self) -> str:
        return self.row.person_name

    @strawberry.field
    async def person(self, info: Info) -> PersonRef | None:
        return await persons.load_person(info, self.row.person_id, self.known_at)

    @strawberry.field
    async def body(self, info: Info) -> BodyRef | None:
        return await bodies.load_body(info, self.row.body_id, self.known_at)

    @strawberry.field
    def role(self) -> Role:
        return Role(self.row.role)

    @strawberry.field(description="Label of the seat held, if any.")
    def seat(self) -> str | None:
        return self.row.seat_label

    @strawberry.field
    async def on_behalf_of(self, info: Info) -> OrganisationRef | None:
        return await bodies.load_organisation(info, self.row.on_behalf_of, self.known_at)

    @strawberry.field(description="The member this person is personal deputy (ersättare) for.")
    def personal_deputy_for_id(self) -> strawberry.ID | None:
        return gid(self.row.deputy_for) if self.row.deputy_for else None

    @strawberry.field(description="The member this person is personal deputy (ersättare) for.")
    async def personal_deputy_for(self, info: Info) -> PersonRef | None:
        return await persons.load_person(info, self.row.deputy_for, self.known_at)

    @strawberry.field(name="from", description="First day held; null when the start is unknown.")
    def from_(self) -> date | None:
        return self.row.start_date

    @strawberry.field
    def from_unknown(self) -> bool:
        return self.row.start_date is None

    @strawberry.field(
        description="When the start is unknown: the earliest date it is known to hold."
    )
    def from_not_after(self) -> date | None:
        return self.row.start_not_after

    @strawberry.field(
        description="The day it ended (not held on that day); null while it continues."
    )
    def until(self) -> date | None:
        return self.row.end_date

    @strawberry.field
    def note(self) -> str | None:
        return self.row.note

    @strawberry.field(description="The decision behind this version of the membership.")
    async def decision(self, info: Info) -> DecisionRef | None:
        return await decisions.load_decision(info, self.row.decision_id, self.known_at)

    @strawberry.field
    def source(self) -> Source:
        r = self.row
        return Source(document=r.source_document, item=r.source_item, url=r.source_url)

    @strawberry.field
    def recorded_at(self) -> datetime:
        return self.row.recorded_from

    @strawberry.field(
        description="Who wrote this version (the actor). Auditors and administrators only."
    )
    def recorded_by(self, info: Info) -> str | None:
        return self.row.actor if sees_personal_data(info) else None

    @strawberry.field
    def correction_reason(self) -> str | None:
        return self.row.correction_reason

    @strawberry.field(description="The events behind this answer row, oldest first.")
    async def events(self, info: Info) -> list[EventRef]:
        return await trail.events_of(info, self.row.membership_id)


@strawberry.type(description="A seat in a body, filled or vacant on a date.")
class Seat:
    row: strawberry.Private[dict]
    holders: strawberry.Private[list[MembershipRow]]
    known_at: strawberry.Private[datetime | None]
    linked: strawberry.Private[list[MembershipRow]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return gid(self.row["seat_id"])

    @strawberry.field
    def label(self) -> str:
        return self.row["label"]

    @strawberry.field
    def note(self) -> str | None:
        return self.row["note"]

    @strawberry.field
    async def on_behalf_of(self, info: Info) -> OrganisationRef | None:
        return await bodies.load_organisation(info, self.row["on_behalf_of"], self.known_at)

    @strawberry.field(description="MEMBER (ordinarie ledamot) or DEPUTY (ersättare).")
    def role(self) -> Role:
        return seat_role(self.row.get("role"))

    @strawberry.field(description="Its number among the seats of its label.")
    def number(self) -> int:
        return int(self.row.get("ordinal") or 1)

    @strawberry.field(description="True when nobody fills the seat on the date asked.")
    def vacant(self) -> bool:
        return not self.holders

    @strawberry.field
    def held_by(self) -> list[Membership]:
        return [Membership(row=m, known_at=self.known_at) for m in self.holders]

    @strawberry.field(
        description="Personal deputies (ersättare) linked to the seat on the date asked: they "
        "stand in for its holder and do not fill it."
    )
    def personal_deputies(self) -> list[Membership]:
        held = {m.membership_id for m in self.holders}
        return [
            Membership(row=m, known_at=self.known_at)
            for m in self.linked
            if m.membership_id not in held
        ]
