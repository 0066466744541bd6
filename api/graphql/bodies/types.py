"""The GraphQL type of a body: samrådsorgan, chefsgrupp, styrgrupp, utskott, nämnd."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from api.graphql import bodies, decisions, meetings
from api.graphql import mandates as mandate_types
from api.graphql import projects as project_types
from api.graphql.bodies.seats import Composition, composition_of, seats_on
from api.graphql.core import events as trail
from api.graphql.core.context import reader
from api.graphql.core.node import EntityNode, events_field, node_type, source_field
from api.graphql.core.precision import (
    BodyCessation,
    BodyRename,
    BodyStatus,
    cessation,
    name_on,
    renames,
    status_on,
)
from api.graphql.core.refs import (
    ConsultationRef,
    DelegationRef,
    EventRef,
    MandateVersionRef,
    MembershipRef,
    OrganisationRef,
    PendingEffectRef,
    PlannedMeetingRef,
    ProjectRef,
    SeatRef,
)
from registry.domain.seats import seat_holders

MEMBERSHIP_EVENTS = {
    "MemberAppointed",
    "MemberReplaced",
    "MembershipEnded",
    "MembershipCorrected",
    "MembershipRetracted",
    "SeatsDefined",
}


@node_type("A body: samrådsorgan, chefsgrupp, styrgrupp, utskott, nämnd.")
class Body(EntityNode):
    @strawberry.field(
        description="The name; with `asOf`, the name it had that day (before a rename). On a "
        "day inside a rename's month or year, the name before it (see `nameUncertain`)."
    )
    def name(self, as_of: date | None = None) -> str:
        if as_of is None:
            return self.row["name"]
        return name_on(self.row.view, as_of).value

    @strawberry.field(
        description="True when `asOf` lies inside the month or year of a rename, so the name "
        "that day is not known."
    )
    def name_uncertain(self, info: Info, as_of: date | None = None) -> bool:
        return name_on(self.row.view, reader(info).as_of(as_of)).uncertain

    @strawberry.field(description="Names before renames, oldest first, with their dates.")
    def renames(self) -> list[BodyRename]:
        return renames(self.row.view)

    @strawberry.field(
        description="ACTIVE or CEASED on `asOf` (default today). A body that ceased in a month "
        "or year is ACTIVE until its last day, with `statusUncertain` inside it."
    )
    def status(self, info: Info, as_of: date | None = None) -> BodyStatus:  # type: ignore[valid-type]
        return status_on(self.row.view, reader(info).as_of(as_of)).value

    @strawberry.field(
        description="True when `asOf` lies inside the month or year in which the body ceased: "
        "whether it had ceased that day is not known."
    )
    def status_uncertain(self, info: Info, as_of: date | None = None) -> bool:
        return status_on(self.row.view, reader(info).as_of(as_of)).uncertain

    @strawberry.field(description="How and when it ceased (upphörde); null while it exists.")
    def ceased(self) -> BodyCessation | None:
        return cessation(self.row.view)

    @strawberry.field(description="The body that took over its tasks or that it merged into.")
    async def successor(self, info: Info) -> Body | None:
        return await bodies.load_body(
            info, (self.row.get("ceased") or {}).get("successor_body_id"), self.known_at
        )

    @strawberry.field
    def kind(self) -> str:
        return self.row["kind"]

    @strawberry.field(description="What the body is for and may decide.")
    def mandate(self) -> str | None:
        return self.row.get("mandate")

    @strawberry.field
    def term_start(self) -> date | None:
        return self.row.date("term_start")

    @strawberry.field
    def term_end(self) -> date | None:
        return self.row.date("term_end")

    @strawberry.field(description="The body this one reports to.")
    async def parent(self, info: Info) -> Body | None:
        return await bodies.load_body(info, self.row.get("parent_body_id"), self.known_at)

    @strawberry.field(description="The organisations behind the body.")
    async def owners(self, info: Info) -> list[OrganisationRef]:
        return await bodies.load_organisations(
            info, self.row.get("owner_organisation_ids", []), self.known_at
        )

    @strawberry.field(description="Members on `asOf` (default today) as known at `knownAt`.")
    async def members(
        self, info: Info, as_of: date | None = None, known_at: datetime | None = None
    ) -> list[MembershipRef]:
        r = reader(info)
        known_at = known_at or self.known_at
        rows = await r.members.load((self.row.entity_id, r.as_of(as_of), r.known_at(known_at)))
        return [bodies.Membership(row=m, known_at=known_at) for m in rows]

    @strawberry.field(
        description="Membership changes that wait for a condition of the decision that made "
        "them (not in `members` until it is met), as known at `knownAt`; settled ones too."
    )
    async def pending_members(
        self, info: Info, known_at: datetime | None = None
    ) -> list[PendingEffectRef]:
        r = reader(info)
        known_at = known_at or self.known_at
        held = await r.pending_on.load((self.row.entity_id, r.known_at(known_at)))
        return [decisions.PendingEffect(held=h, known_at=known_at) for h in held]

    @strawberry.field(description="Its seats on `asOf`, each filled or vacant.")
    async def seats(
        self,
        info: Info,
        as_of: date | None = None,
        known_at: datetime | None = None,
        vacant_only: bool = False,
    ) -> list[SeatRef]:
        r = reader(info)
        known_at = known_at or self.known_at
        day, t = r.as_of(as_of), r.known_at(known_at)
        seats = seats_on(await r.seats.load(self.row.entity_id), day, t)
        members = await r.members.load((self.row.entity_id, day, t))
        holders = seat_holders(seats, members)
        found = [
            bodies.Seat(
                row=s,
                holders=holders[str(s["seat_id"])],
                known_at=known_at,
                linked=[
                    m
                    for m in members
                    if m.seat_id is not None and str(m.seat_id) == str(s["seat_id"])
                ],
            )
            for s in seats
        ]
        return [s for s in found if s.vacant()] if vacant_only else found

    @strawberry.field(
        description="Seats defined / filled / vacant on `asOf` (default today) as known at "
        "`knownAt`, by label; a seat is filled by a member linked to it on that day."
    )
    async def composition(
        self, info: Info, as_of: date | None = None, known_at: datetime | None = None
    ) -> Composition:
        r = reader(info)
        day, t = r.as_of(as_of), r.known_at(known_at or self.known_at)
        seats = seats_on(await r.seats.load(self.row.entity_id), day, t)
        members = await r.members.load((self.row.entity_id, day, t))
        return composition_of(seats, members, day)

    @strawberry.field(
        description="Every change of composition recorded (appointments, replacements, ends, "
        "corrections, retractions, seats), oldest first, each with the decision behind it."
    )
    async def composition_history(self, info: Info) -> list[EventRef]:
        events = await trail.events_of(info, self.row.entity_id)
        return [
            e
            for e in events
            if e.row.event_type in MEMBERSHIP_EVENTS and e.row.entity_id == self.row.entity_id
        ]

    @strawberry.field(
        description="Its meetings planned after `after` (default: `asOf`), own and joint, as "
        "the plan stood on `asOf` (default today)."
    )
    async def planned_meetings(
        self,
        info: Info,
        after: date | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
        include_cancelled: bool = False,
    ) -> list[PlannedMeetingRef]:

        known_at = known_at or self.known_at
        return await meetings.planned_meetings_of(
            info, self.row.entity_id, after, as_of, known_at, include_cancelled
        )

    @strawberry.field(
        description="Projects it decided on (or that were proposed to it), owns or steers."
    )
    async def projects(self, info: Info) -> list[ProjectRef]:

        return await project_types.projects_of(
            info, self.row.entity_id, None, None, None, self.known_at
        )

    @strawberry.field(description="Remisser it asked, or was asked to answer.")
    async def consultations(self, info: Info) -> list[ConsultationRef]:

        return await project_types.consultations_of(
            info, self.row.entity_id, None, None, None, self.known_at
        )

    @strawberry.field(
        description="Its structured mandate on `asOf` (default today): what it may decide, "
        "recommend or only discuss; null when the registry holds none (see `mandate` for the "
        "text)."
    )
    async def powers(
        self, info: Info, as_of: date | None = None, known_at: datetime | None = None
    ) -> MandateVersionRef | None:

        return await mandate_types.mandate_of(
            info, self.row.entity_id, as_of, known_at or self.known_at
        )

    @strawberry.field(description="Every version of its structured mandate, earliest first.")
    async def powers_history(
        self, info: Info, known_at: datetime | None = None
    ) -> list[MandateVersionRef]:

        return await mandate_types.mandate_history_of(
            info, self.row.entity_id, known_at or self.known_at
        )

    @strawberry.field(
        description="Its delegations (delegationsordning): all, or those of `matter` and "
        "holding on `asOf` when given."
    )
    async def delegations(
        self,
        info: Info,
        matter: str | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> list[DelegationRef]:

        return await mandate_types.delegations_of(
            info, self.row.entity_id, matter, as_of, known_at or self.known_at
        )

    events = events_field("The audit trail of the body.")
    source = source_field()
