"""The GraphQL object types. Each wraps a read-model row (kept private) and resolves related
things through the request's batched loaders (api/reader.py)."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from graphql import GraphQLError
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from api import types_lifecycle, types_precision, types_votes
from api.access import sees_personal_data, stored_context
from api.reader import Reader
from api.types_pending import DeferredTo, PendingEffect, deferred_to
from api.types_precision import BodyCessation, BodyRename, BodyStatus, DatePrecision, PartialDate
from api.types_seats import Composition, composition_of, seats_on
from api.types_serving import ServingDeputy
from api.types_votes import StatementAuthor, Vote
from projections import status_ranges
from projections.agreements import AgreementRow
from projections.entities import EntityRow
from projections.ledger import EventRow
from projections.memberships import MembershipRow
from projections.search import SearchHit as SearchHitRow
from projections.sql import as_date
from registry import values
from registry.dates import Position, within_of
from registry.domain import agreement_status
from registry.domain.seats import seat_holders, seat_role
from registry.status import decision as statuses

if TYPE_CHECKING:
    from api.types_mandates import (
        DecisionClaim,
        Delegation,
        MandateCheck,
        MandateVersion,
        Recommendation,
    )
    from api.types_plans import Consultation, PlannedMeeting, Project

_PLANS = strawberry.lazy("api.types_plans")
_MANDATES = strawberry.lazy("api.types_mandates")

MEMBERSHIP_EVENTS = {
    "MemberAppointed",
    "MemberReplaced",
    "MembershipEnded",
    "MembershipCorrected",
    "MembershipRetracted",
    "SeatsDefined",
}


def reader(info: Info) -> Reader:
    return info.context["reader"]


def parse_id(value: Any, field: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise GraphQLError(
            f"{field}: {value!r} is not a valid id",
            extensions={"code": "BAD_USER_INPUT", "field": field},
        ) from None


def _gid(value: Any) -> strawberry.ID:
    return strawberry.ID(str(value))


def _uuid(value: Any) -> UUID | None:
    return UUID(str(value)) if value else None


# -- enums ---------------------------------------------------------------------------------


# The domain's own enums, served as GraphQL enums (names such as CHAIR, REFERRED_BACK).
Role = strawberry.enum(
    values.Role, description="A role in a body (ordförande, vice ordförande, ledamot, ...)."
)
AgreementStatus = strawberry.enum(
    agreement_status.AgreementStatus,
    description="Where an agreement stands on a date (the domain's rule, "
    "registry/domain/agreement_status.py).",
)
DecisionKind = strawberry.enum(
    values.DecisionKind,
    description="Outcome of an item (beslut, godkännande, ställningstagande...).",
)


@strawberry.enum(description="Where a decision stands on a date.")
class DecisionStatus(enum.Enum):
    NOT_YET_DECIDED = strawberry.enum_value(
        "not_yet_decided",
        description="Not decided by that day (for a decision of unknown date: not known to be).",
    )
    IN_FORCE = "in_force"
    CONDITIONAL = strawberry.enum_value(
        "conditional", description="Decided, but a condition is not yet met: pending."
    )
    LAPSED = strawberry.enum_value(
        "lapsed",
        description="A condition was withdrawn or refused: neither it nor its effects apply.",
    )
    DEFERRED = strawberry.enum_value(
        "deferred", description="The item was deferred (bordlagt, skjuts upp): not decided."
    )
    REFERRED_BACK = strawberry.enum_value(
        "referred_back", description="The item was referred back (återremiss): not decided."
    )
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


@strawberry.enum(description="Where an assignment (uppdrag) stands on a date.")
class AssignmentStatus(enum.Enum):
    NOT_YET_GIVEN = "not_yet_given"
    OPEN = "open"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


@strawberry.enum(description="What a search hit is.")
class SearchKind(enum.Enum):
    DECISION = "decision"
    AGENDA_ITEM = "agenda_item"
    AGREEMENT = "agreement"


# -- shared --------------------------------------------------------------------------------


@strawberry.type(description="Where a fact comes from.")
class Source:
    document: str | None
    item: str | None = strawberry.field(description='Item in the document, such as "§ 9".')
    url: str | None
    note: str | None = strawberry.field(
        default=None, description="A note the recorder attached (ambiguities in the source)."
    )


def _source(origin: dict[str, Any] | None) -> Source:
    origin = origin or {}
    src = origin.get("source") or {}
    return Source(
        document=src.get("document"),
        item=src.get("item"),
        url=src.get("url"),
        note=origin.get("note"),
    )


@strawberry.type(description="One recorded event: the audit trail and the change feed.")
class Event:
    row: strawberry.Private[EventRow]

    @strawberry.field(description="Position in the event log (the change feed's order).")
    def position(self) -> int:
        return self.row.position

    @strawberry.field(description="The entity (aggregate) the event belongs to.")
    def entity_id(self) -> strawberry.ID:
        return _gid(self.row.entity_id)

    @strawberry.field(description="body, person, decision, agreement, fund, assignment...")
    def entity_type(self) -> str:
        return self.row.entity_type

    @strawberry.field(name="type", description="MemberAppointed, Extended, Corrected...")
    def type_(self) -> str:
        return self.row.event_type

    @strawberry.field
    def entity_version(self) -> int:
        return self.row.entity_version

    @strawberry.field(description="Valid time: the day the fact takes effect.")
    def effective_date(self) -> date | None:
        return self.row.effective_date

    @strawberry.field(description="Recorded time: when the registry learnt it.")
    def recorded_at(self) -> datetime:
        return self.row.recorded_at

    @strawberry.field(
        description="The event's link in the hash chain (SHA-256, hex): covers this event and "
        "every event before it (docs/audit.md)."
    )
    async def link_hash(self, info: Info) -> str | None:
        return await link_hash_of(info, self.row.position)

    @strawberry.field(
        description="Who wrote the event: the name of the token or signed-in user it was "
        "written with. Auditors and administrators only (null for others; docs/security.md)."
    )
    def actor(self, info: Info) -> str | None:
        return self.row.actor if sees_personal_data(info) else None

    @strawberry.field(
        description="The stable subject of who wrote the event (a token's `token:<id>`, a "
        "JWT's `sub`, `local` for the loopback default). Auditors and administrators only."
    )
    async def actor_subject(self, info: Info) -> str | None:
        if not sees_personal_data(info):
            return None
        found = await stored_context(info, self.row.position)
        return found.subject if found else None

    @strawberry.field(
        description="The id of the API token (or the JWT's `jti`) the event was written with. "
        "Auditors and administrators only."
    )
    async def actor_token_id(self, info: Info) -> str | None:
        if not sees_personal_data(info):
            return None
        found = await stored_context(info, self.row.position)
        return found.token_id if found else None

    @strawberry.field(
        description="Who recorded the fact as stated in the source (a minutes file's "
        "`recorded_by`, the secretary): what the document says, kept apart from the actor, "
        "who wrote it into the registry. Public, as the minutes are."
    )
    async def stated_by(self, info: Info) -> str | None:
        found = await stored_context(info, self.row.position)
        return found.stated_by if found else None

    @strawberry.field
    def source(self) -> Source:
        r = self.row
        return Source(document=r.source_document, item=r.source_item, url=r.source_url, note=r.note)

    @strawberry.field(description="The decision that authorised the change, if any.")
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(info, self.row.decision_id, None)

    @strawberry.field(description="The event's own data (ids, dates, amounts as strings).")
    def data(self) -> JSON:
        return self.row.data

    # What the event changed, as it stood right after it: the links from a decision to every
    # effect it caused. Each is null (or empty) for events of other kinds.

    async def _after(self, info: Info, entity_type: str) -> EntityRow | None:
        if self.row.entity_type != entity_type:
            return None
        return await reader(info).entity_written_by.load(self.row.position)

    @strawberry.field(
        description="For a body's composition events: the memberships as this event left them "
        "(a replacement gives the outgoing and the incoming member)."
    )
    async def memberships(self, info: Info) -> list[Membership]:
        if self.row.entity_type != "body":
            return []
        rows = await reader(info).memberships_written_by.load(self.row.position)
        return [Membership(row=m, known_at=None) for m in rows]

    @strawberry.field(description="For an agreement's events: the agreement right after it.")
    async def agreement(self, info: Info) -> Agreement | None:
        if self.row.entity_type != "agreement":
            return None
        row = await reader(info).agreement_written_by.load(self.row.position)
        return Agreement(row=row) if row else None

    @strawberry.field(description="For a fund's events: the fund right after it.")
    async def fund(self, info: Info) -> Fund | None:
        row = await self._after(info, "fund")
        return Fund(row=row, known_at=None) if row else None

    @strawberry.field(
        description="For an allocation event: the allocation right after it (null once withdrawn)."
    )
    async def allocation(self, info: Info) -> Allocation | None:
        allocation = self.row.data.get("allocation") or {}
        allocation_id = allocation.get("allocation_id") or self.row.data.get("allocation_id")
        row = await self._after(info, "fund") if allocation_id else None
        for a in row.get("allocations", []) if row else []:
            if a["allocation_id"] == allocation_id:
                return Allocation(row=a, known_at=None)
        return None

    @strawberry.field(description="For an assignment's events: the assignment right after it.")
    async def assignment(self, info: Info) -> Assignment | None:
        row = await self._after(info, "assignment")
        return Assignment(row=row, known_at=None) if row else None

    @strawberry.field(
        description="For a decision's own events (conditions met, revocation, correction): "
        "the decision right after it."
    )
    async def subject_decision(self, info: Info) -> Decision | None:
        row = await self._after(info, "decision")
        return Decision(row=row, known_at=None) if row else None


async def _events(info: Info, *ids: UUID | None) -> list[Event]:
    rows: dict[int, EventRow] = {}
    for i in ids:
        if i is not None:
            for r in await reader(info).events_about.load(i):
                rows[r.position] = r
    return [Event(row=rows[p]) for p in sorted(rows)]


# -- organisations and persons ------------------------------------------------------------


@strawberry.type(description="A region, municipality, kommunalförbund or SKR.")
class Organisation:
    row: strawberry.Private[EntityRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row.entity_id)

    @strawberry.field(
        description="The name; with `asOf`, the name it had that day (before a rename)."
    )
    def name(self, as_of: date | None = None) -> str:
        if as_of is not None:
            for former in self.row.get("former_names", []):
                until = as_date(former["until"])
                if until is not None and as_of < until:
                    return former["name"]
        return self.row["name"]

    @strawberry.field(description="Names it had before, oldest first, each with its last day.")
    def former_names(self) -> list[FormerName]:
        return [
            FormerName(name=f["name"], until=as_date(f["until"]))
            for f in self.row.get("former_names", [])
        ]

    @strawberry.field
    def kind(self) -> str:
        return self.row["kind"]


@strawberry.type(description="A name an organisation had before a rename.")
class FormerName:
    name: str
    until: date | None = strawberry.field(description="The day the new name took over.")


async def load_row(
    info: Info, entity_id: Any, entity_type: str, known_at: datetime | None
) -> EntityRow | None:
    """The entity's version as known at `known_at` (batched), if it is of `entity_type`."""
    entity_id = _uuid(entity_id)
    if entity_id is None:
        return None
    r = reader(info)
    row = await r.entity.load((entity_id, r.known_at(known_at)))
    return row if row is not None and row.entity_type == entity_type else None


async def load_organisation(info: Info, org_id: Any, known_at: datetime | None) -> Any:
    row = await load_row(info, org_id, "organisation", known_at)
    return Organisation(row=row) if row else None


@strawberry.enum(description="A kind of personal contact detail.")
class ContactKind(enum.Enum):
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"


@strawberry.type(
    description="A personal contact detail. The event log holds only `commitment` = hex "
    "SHA-256(salt || UTF-8 value); the value and salt are kept apart and read at query time. "
    "After a disposal decision (gallringsbeslut) they are destroyed: `redacted` is true and "
    "`value` and `salt` are null, for every `knownAt` (docs/redaction.md)."
)
class ContactDetail:
    ref: strawberry.ID = strawberry.field(
        description="Where the value is kept apart; also an id for auditTrail."
    )
    kind: ContactKind
    commitment: str = strawberry.field(
        description="Hex SHA-256 over the salt bytes followed by the UTF-8 value."
    )
    value: str | None
    salt: str | None = strawberry.field(description="Hex salt; null once redacted.")
    redacted: bool
    redacted_at: datetime | None
    redacted_on: date | None
    decision: str | None = strawberry.field(
        description="The disposal decision under which the value was destroyed."
    )


@strawberry.type(description="A disposal decision (gallring) applied to contact details.")
class Redaction:
    row: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="The disposal decision (gallringsbeslut), as recorded.")
    def decision(self) -> str:
        return self.row["decision"]

    @strawberry.field
    def reason(self) -> str:
        return self.row["reason"]

    @strawberry.field(description="Who recorded the redaction. Auditors and administrators only.")
    def actor(self, info: Info) -> str | None:
        return self.row["actor"] if sees_personal_data(info) else None

    @strawberry.field
    def recorded_at(self) -> datetime:
        return datetime.fromisoformat(self.row["recorded_at"])

    @strawberry.field
    def kinds(self) -> list[ContactKind]:
        return [ContactKind(k) for k in self.row["kinds"]]

    @strawberry.field
    def refs(self) -> list[strawberry.ID]:
        return [_gid(r) for r in self.row["refs"]]


@strawberry.type(description="A person, with every spelling of their name.")
class Person:
    row: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row.entity_id)

    @strawberry.field
    def name(self) -> str:
        return self.row["name"]

    @strawberry.field
    def title(self) -> str | None:
        return self.row.get("title")

    @strawberry.field
    def party(self) -> str | None:
        return self.row.get("party")

    @strawberry.field(description="Other spellings met in the sources.")
    def name_variants(self) -> list[str]:
        return list(self.row.get("name_variants", []))

    @strawberry.field(description="Records found to be this person, which resolve to this id.")
    def merged_ids(self) -> list[strawberry.ID]:
        return [_gid(i) for i in self.row.get("absorbed", [])]

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation | None:
        return await load_organisation(info, self.row.get("organisation_id"), self.known_at)

    @strawberry.field(
        description="Every place the person holds on `asOf` (default today) in any body, as "
        "known at `knownAt`: body, role, on behalf of whom, personal deputy."
    )
    async def mandates(
        self, info: Info, as_of: date | None = None, known_at: datetime | None = None
    ) -> list[Membership]:
        r = reader(info)
        ids = (self.row.entity_id, *(UUID(i) for i in self.row.get("absorbed", [])))
        rows = await r.mandates.load((ids, r.as_of(as_of), r.known_at(known_at or self.known_at)))
        return [Membership(row=m, known_at=known_at or self.known_at) for m in rows]

    @strawberry.field(description="Assignments held by this person.")
    async def assignments(
        self,
        info: Info,
        status: AssignmentStatus | None = None,
        as_of: date | None = None,
    ) -> list[Assignment]:
        r = reader(info)
        ids = {str(self.row.entity_id), *self.row.get("absorbed", [])}
        rows = await r.all_of_type.load(("assignment", r.known_at(self.known_at)))
        found = [
            Assignment(row=a, known_at=self.known_at) for a in rows if a.get("holder_id") in ids
        ]
        if status is not None:
            day = r.as_of(as_of)
            found = [a for a in found if assignment_status(a.row, day) == status]
        return found

    @strawberry.field(
        description="E-mail, phone and postal address as recorded by `knownAt`. The values "
        "are personal data kept apart from the event log: one destroyed by a disposal "
        "decision answers `redacted: true` and `value: null`, also as known before it. "
        "`value` and `salt` are for auditors and administrators only (null for others, "
        "with `redacted: false`; docs/security.md)."
    )
    async def contact_details(self, info: Info) -> list[ContactDetail]:
        details = self.row.get("contact_details", [])
        shown = sees_personal_data(info)
        stored = await reader(info).contact_values.load_many([UUID(d["ref"]) for d in details])
        found = []
        for d, kept in zip(details, stored, strict=True):
            redacted = d["redacted"] or (kept is not None and kept.redacted_at is not None)
            at = kept.redacted_at if kept is not None else None
            found.append(
                ContactDetail(
                    ref=_gid(d["ref"]),
                    kind=ContactKind(d["kind"]),
                    commitment=d["commitment"],
                    # Never a value once redacted, whatever the row says.
                    value=None if redacted or kept is None or not shown else kept.value,
                    salt=None if redacted or kept is None or not shown else kept.salt,
                    redacted=redacted,
                    redacted_at=at,
                    redacted_on=at.date() if at else None,
                    decision=kept.decision if kept is not None else None,
                )
            )
        return found

    @strawberry.field(description="Disposal decisions applied to this person's contact details.")
    def redactions(self) -> list[Redaction]:
        return [Redaction(row=r) for r in self.row.get("redactions", [])]

    @strawberry.field(description="The audit trail of this person record.")
    async def events(self, info: Info) -> list[Event]:
        return await _events(info, self.row.entity_id)


async def load_organisations(
    info: Info, ids: Iterable[Any], known_at: datetime | None
) -> list[Organisation]:
    """Several organisations in one batch (the loads are gathered, so the loader sees them
    together), in the order given; unknown ids are left out."""
    found = await asyncio.gather(*(load_organisation(info, i, known_at) for i in ids))
    return [o for o in found if o is not None]


async def load_person(info: Info, person_id: Any, known_at: datetime | None) -> Person | None:
    person_id = _uuid(person_id)
    if person_id is None:
        return None
    r = reader(info)
    seen: set[UUID] = set()
    row = await r.entity.load((person_id, r.known_at(known_at)))
    # A merged record resolves to the person it was merged into.
    while row is not None and row.get("merged_into") and row.entity_id not in seen:
        seen.add(row.entity_id)
        row = await r.entity.load((UUID(row["merged_into"]), r.known_at(known_at)))
    return Person(row=row, known_at=known_at) if row and row.entity_type == "person" else None


# -- bodies and memberships -----------------------------------------------------------------


@strawberry.type(description="One person's place in a body, as known at `knownAt`.")
class Membership:
    row: strawberry.Private[MembershipRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row.membership_id)

    @strawberry.field
    def person_id(self) -> strawberry.ID:
        return _gid(self.row.person_id)

    @strawberry.field
    def person_name(self) -> str:
        return self.row.person_name

    @strawberry.field
    async def person(self, info: Info) -> Person | None:
        return await load_person(info, self.row.person_id, self.known_at)

    @strawberry.field
    async def body(self, info: Info) -> Body | None:
        return await load_body(info, self.row.body_id, self.known_at)

    @strawberry.field
    def role(self) -> Role:
        return Role(self.row.role)

    @strawberry.field(description="Label of the seat held, if any.")
    def seat(self) -> str | None:
        return self.row.seat_label

    @strawberry.field
    async def on_behalf_of(self, info: Info) -> Organisation | None:
        return await load_organisation(info, self.row.on_behalf_of, self.known_at)

    @strawberry.field(description="The member this person is personal deputy (ersättare) for.")
    def personal_deputy_for_id(self) -> strawberry.ID | None:
        return _gid(self.row.deputy_for) if self.row.deputy_for else None

    @strawberry.field(description="The member this person is personal deputy (ersättare) for.")
    async def personal_deputy_for(self, info: Info) -> Person | None:
        return await load_person(info, self.row.deputy_for, self.known_at)

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
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(info, self.row.decision_id, self.known_at)

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
    async def events(self, info: Info) -> list[Event]:
        return await _events(info, self.row.membership_id)


@strawberry.type(description="A seat in a body, filled or vacant on a date.")
class Seat:
    row: strawberry.Private[dict]
    holders: strawberry.Private[list[MembershipRow]]
    known_at: strawberry.Private[datetime | None]
    linked: strawberry.Private[list[MembershipRow]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row["seat_id"])

    @strawberry.field
    def label(self) -> str:
        return self.row["label"]

    @strawberry.field
    def note(self) -> str | None:
        return self.row["note"]

    @strawberry.field
    async def on_behalf_of(self, info: Info) -> Organisation | None:
        return await load_organisation(info, self.row["on_behalf_of"], self.known_at)

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


@strawberry.type(description="A body: samrådsorgan, chefsgrupp, styrgrupp, utskott, nämnd.")
class Body:
    row: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row.entity_id)

    @strawberry.field(
        description="The name; with `asOf`, the name it had that day (before a rename). On a "
        "day inside a rename's month or year, the name before it (see `nameUncertain`)."
    )
    def name(self, as_of: date | None = None) -> str:
        if as_of is None:
            return self.row["name"]
        return types_precision.name_on(self.row.view, as_of).value

    @strawberry.field(
        description="True when `asOf` lies inside the month or year of a rename, so the name "
        "that day is not known."
    )
    def name_uncertain(self, info: Info, as_of: date | None = None) -> bool:
        return types_precision.name_on(self.row.view, reader(info).as_of(as_of)).uncertain

    @strawberry.field(description="Names before renames, oldest first, with their dates.")
    def renames(self) -> list[BodyRename]:
        return types_precision.renames(self.row.view)

    @strawberry.field(
        description="ACTIVE or CEASED on `asOf` (default today). A body that ceased in a month "
        "or year is ACTIVE until its last day, with `statusUncertain` inside it."
    )
    def status(self, info: Info, as_of: date | None = None) -> BodyStatus:  # type: ignore[valid-type]
        return types_precision.status_on(self.row.view, reader(info).as_of(as_of)).value

    @strawberry.field(
        description="True when `asOf` lies inside the month or year in which the body ceased: "
        "whether it had ceased that day is not known."
    )
    def status_uncertain(self, info: Info, as_of: date | None = None) -> bool:
        return types_precision.status_on(self.row.view, reader(info).as_of(as_of)).uncertain

    @strawberry.field(description="How and when it ceased (upphörde); null while it exists.")
    def ceased(self) -> BodyCessation | None:
        return types_precision.cessation(self.row.view)

    @strawberry.field(description="The body that took over its tasks or that it merged into.")
    async def successor(self, info: Info) -> Body | None:
        return await load_body(
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
        return await load_body(info, self.row.get("parent_body_id"), self.known_at)

    @strawberry.field(description="The organisations behind the body.")
    async def owners(self, info: Info) -> list[Organisation]:
        return await load_organisations(
            info, self.row.get("owner_organisation_ids", []), self.known_at
        )

    @strawberry.field(description="Members on `asOf` (default today) as known at `knownAt`.")
    async def members(
        self, info: Info, as_of: date | None = None, known_at: datetime | None = None
    ) -> list[Membership]:
        r = reader(info)
        known_at = known_at or self.known_at
        rows = await r.members.load((self.row.entity_id, r.as_of(as_of), r.known_at(known_at)))
        return [Membership(row=m, known_at=known_at) for m in rows]

    @strawberry.field(
        description="Membership changes that wait for a condition of the decision that made "
        "them (not in `members` until it is met), as known at `knownAt`; settled ones too."
    )
    async def pending_members(
        self, info: Info, known_at: datetime | None = None
    ) -> list[PendingEffect]:
        r = reader(info)
        known_at = known_at or self.known_at
        held = await r.pending_on.load((self.row.entity_id, r.known_at(known_at)))
        return [PendingEffect(held=h, known_at=known_at) for h in held]

    @strawberry.field(description="Its seats on `asOf`, each filled or vacant.")
    async def seats(
        self,
        info: Info,
        as_of: date | None = None,
        known_at: datetime | None = None,
        vacant_only: bool = False,
    ) -> list[Seat]:
        r = reader(info)
        known_at = known_at or self.known_at
        day, t = r.as_of(as_of), r.known_at(known_at)
        seats = seats_on(await r.seats.load(self.row.entity_id), day, t)
        members = await r.members.load((self.row.entity_id, day, t))
        holders = seat_holders(seats, members)
        found = [
            Seat(
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
    async def composition_history(self, info: Info) -> list[Event]:
        events = await _events(info, self.row.entity_id)
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
    ) -> list[Annotated[PlannedMeeting, _PLANS]]:
        from api.types_plans import planned_meetings_of

        known_at = known_at or self.known_at
        return await planned_meetings_of(
            info, self.row.entity_id, after, as_of, known_at, include_cancelled
        )

    @strawberry.field(
        description="Projects it decided on (or that were proposed to it), owns or steers."
    )
    async def projects(self, info: Info) -> list[Annotated[Project, _PLANS]]:
        from api.types_plans import projects_of

        return await projects_of(info, self.row.entity_id, None, None, None, self.known_at)

    @strawberry.field(description="Remisser it asked, or was asked to answer.")
    async def consultations(self, info: Info) -> list[Annotated[Consultation, _PLANS]]:
        from api.types_plans import consultations_of

        return await consultations_of(info, self.row.entity_id, None, None, None, self.known_at)

    @strawberry.field(
        description="Its structured mandate on `asOf` (default today): what it may decide, "
        "recommend or only discuss; null when the registry holds none (see `mandate` for the "
        "text)."
    )
    async def powers(
        self, info: Info, as_of: date | None = None, known_at: datetime | None = None
    ) -> Annotated[MandateVersion, _MANDATES] | None:
        from api.types_mandates import mandate_of

        return await mandate_of(info, self.row.entity_id, as_of, known_at or self.known_at)

    @strawberry.field(description="Every version of its structured mandate, earliest first.")
    async def powers_history(
        self, info: Info, known_at: datetime | None = None
    ) -> list[Annotated[MandateVersion, _MANDATES]]:
        from api.types_mandates import mandate_history_of

        return await mandate_history_of(info, self.row.entity_id, known_at or self.known_at)

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
    ) -> list[Annotated[Delegation, _MANDATES]]:
        from api.types_mandates import delegations_of

        return await delegations_of(
            info, self.row.entity_id, matter, as_of, known_at or self.known_at
        )

    @strawberry.field(description="The audit trail of the body.")
    async def events(self, info: Info) -> list[Event]:
        return await _events(info, self.row.entity_id)

    @strawberry.field
    def source(self) -> Source:
        return _source(self.row.get("origin"))


async def load_body(info: Info, body_id: Any, known_at: datetime | None) -> Body | None:
    row = await load_row(info, body_id, "body", known_at)
    return Body(row=row, known_at=known_at) if row else None


# -- meetings ---------------------------------------------------------------------------------


@strawberry.type(description="A person at a meeting (present or absent), or its chair/secretary.")
class Attendee:
    person_id: strawberry.ID
    listed_name: strawberry.Private[str | None]
    note: str | None
    known_at: strawberry.Private[datetime | None]

    @strawberry.field(
        description="The name as the attendance list gives it; for a chair or secretary "
        "not on the lists, the person's registered name."
    )
    async def name(self, info: Info) -> str:
        if self.listed_name:
            return self.listed_name
        person = await load_person(info, self.person_id, self.known_at)
        return person.row["name"] if person else ""

    @strawberry.field
    async def person(self, info: Info) -> Person | None:
        return await load_person(info, self.person_id, self.known_at)


@strawberry.type(description="An item on a meeting's agenda, with its decisions.")
class AgendaItem:
    number: str
    title: str
    note: str | None
    presenter_ids: strawberry.Private[list[str]]
    meeting: strawberry.Private[Meeting]

    @strawberry.field(description="Who presented the item (föredragande).")
    async def presenters(self, info: Info) -> list[Person]:
        found = await asyncio.gather(
            *(load_person(info, p, self.meeting.known_at) for p in self.presenter_ids)
        )
        return [p for p in found if p is not None]

    @strawberry.field(description="The decisions taken on this item.")
    async def decisions(self, info: Info) -> list[Decision]:
        by_item = await self.meeting.decisions_by_item(info)
        return by_item.get(self.number, [])


@strawberry.type(description="A meeting of a body, recorded from its approved minutes.")
class Meeting:
    row: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row.entity_id)

    @strawberry.field
    async def body(self, info: Info) -> Body | None:
        return await load_body(info, self.row["body_id"], self.known_at)

    @strawberry.field
    def held_on(self) -> date:
        return self.row.date("held_on")  # type: ignore[return-value]

    @strawberry.field
    def time(self) -> str | None:
        return self.row.get("time")

    @strawberry.field
    def place(self) -> str | None:
        return self.row.get("place")

    def _attendee(self, a: dict) -> Attendee:
        return Attendee(
            person_id=_gid(a["person_id"]),
            listed_name=a["name"],
            note=a.get("note"),
            known_at=self.known_at,
        )

    @strawberry.field
    def present(self) -> list[Attendee]:
        return [self._attendee(a) for a in self.row.get("present", [])]

    @strawberry.field
    def absent(self) -> list[Attendee]:
        return [self._attendee(a) for a in self.row.get("absent", [])]

    def _named(self, key: str) -> Attendee | None:
        return self._attendee_by_id(self.row.get(key))

    def _attendee_by_id(self, person_id: str | None) -> Attendee | None:
        if not person_id:
            return None
        for a in [*self.row.get("present", []), *self.row.get("absent", [])]:
            if a["person_id"] == person_id:
                return self._attendee(a)
        return Attendee(
            person_id=_gid(person_id), listed_name=None, note=None, known_at=self.known_at
        )

    @strawberry.field(description="Ordförande.")
    def chair(self) -> Attendee | None:
        return self._named("chair_id")

    @strawberry.field(description="Sekreterare (the first, when the minutes name several).")
    def secretary(self) -> Attendee | None:
        return self._named("secretary_id")

    @strawberry.field(description="Every secretary the minutes name, in their order.")
    def secretaries(self) -> list[Attendee]:
        ids = [self.row.get("secretary_id"), *self.row.get("additional_secretary_ids", [])]
        found = [self._attendee_by_id(i) for i in ids]
        return [a for a in found if a is not None]

    @strawberry.field(
        description="Tjänstgörande ersättare: deputies who served in members' places."
    )
    def serving_deputies(self) -> list[ServingDeputy]:
        return [ServingDeputy(row=s, known_at=self.known_at) for s in self.row.get("serving", [])]

    @strawberry.field(
        description="Justering and anslag of the minutes, and the last day to appeal; null "
        "when not recorded."
    )
    def approval(self) -> types_lifecycle.MinutesApproval | None:
        return types_lifecycle.approval_of(self.row, self.known_at)

    @strawberry.field
    def items(self) -> list[AgendaItem]:
        return [
            AgendaItem(
                number=i["number"],
                title=i["title"],
                note=i.get("note"),
                presenter_ids=list(i.get("presenter_ids", [])),
                meeting=self,
            )
            for i in self.row.get("items", [])
        ]

    async def decisions_by_item(self, info: Info) -> dict[str, list[Decision]]:
        """The meeting's decisions by item number, built once per meeting object (each of
        its items asks for its own)."""
        found = self.__dict__.get("_by_item")
        if found is None:

            async def group() -> dict[str, list[Decision]]:
                by_item: dict[str, list[Decision]] = {}
                for d in await self.decisions(info):
                    by_item.setdefault(d.row["item"], []).append(d)
                return by_item

            found = self.__dict__["_by_item"] = asyncio.ensure_future(group())
        return await found

    @strawberry.field(description="Every decision of the meeting.")
    async def decisions(self, info: Info) -> list[Decision]:
        r = reader(info)
        rows = await r.decisions_of_meeting.load(
            (
                self.row.entity_id,
                UUID(self.row["body_id"]),
                self.row.date("held_on"),
                r.known_at(self.known_at),
            )
        )
        order = {i["number"]: n for n, i in enumerate(self.row.get("items", []))}
        rows = sorted(
            rows, key=lambda d: (order.get(d["item"], len(order)), d["item"], d["ordinal"])
        )
        return [Decision(row=d, known_at=self.known_at) for d in rows]

    @strawberry.field
    def source(self) -> Source:
        return _source(self.row.get("origin"))

    @strawberry.field
    async def events(self, info: Info) -> list[Event]:
        return await _events(info, self.row.entity_id)


# -- decisions ------------------------------------------------------------------------------


def _condition_states(row: EntityRow) -> list[statuses.ConditionState]:
    return [
        statuses.ConditionState(as_date(c.get("met_on")), as_date(c.get("withdrawn_on")))
        for c in row.get("conditions", [])
    ]


def decision_status(row: EntityRow, day: date) -> DecisionStatus:
    """The domain's rule (registry/status/decision.py) on the decision's view, as the list read
    model (projections/status_ranges.py) stores it."""
    return DecisionStatus(status_ranges.decision_status_of(row, day).value)


@strawberry.type(description="Something that must be met before a decision applies.")
class Condition:
    id: strawberry.ID
    text: str
    met_on: date | None
    withdrawn_on: date | None = strawberry.field(
        default=None, description="The day it was withdrawn or refused: it will not be met."
    )


@strawberry.type(description="A reservation or särskilt uttalande on a decision.")
class Statement:
    person_id: strawberry.ID | None = strawberry.field(description="The first named author.")
    person_name: str = strawberry.field(
        description='Who made it as written ("Robert Mjörnberg m.fl. (V)").'
    )
    kind: str
    text: str
    authors: list[StatementAuthor] = strawberry.field(
        default_factory=list, description="Every person named as its author, in order."
    )
    party: str | None = strawberry.field(
        default=None, description="The party group that made it or stands behind it."
    )
    and_others: bool = strawberry.field(
        default=False, description='True for "m.fl.": more stood behind it than are named.'
    )
    vote: Vote | None = strawberry.field(
        default=None, description="A reservation after a votering: the vote its authors lost."
    )


@strawberry.type(description="A correction of a decision's recorded kind or text.")
class Correction:
    reason: str
    recorded_at: datetime


@strawberry.type(description="What a body decided on an item (beslut, ställningstagande...).")
class Decision:
    row: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row.entity_id)

    @strawberry.field
    async def body(self, info: Info) -> Body | None:
        return await load_body(info, self.row["body_id"], self.known_at)

    @strawberry.field
    async def meeting(self, info: Info) -> Meeting | None:
        return await load_meeting(info, self.row.get("meeting_id"), self.known_at)

    @strawberry.field(
        description="The day decided; when `decidedOnUnknown`, the latest it can have been "
        "(the source does not give the date)."
    )
    def decided_on(self) -> date:
        return self.row.date("decided_on")  # type: ignore[return-value]

    @strawberry.field(
        description="True when the source does not give the date: the decision was taken on "
        "`decidedOn` at the latest."
    )
    def decided_on_unknown(self) -> bool:
        return bool(self.row.get("decided_on_unknown", False))

    @strawberry.field(
        description="How much of the date the source gives: DAY, or MONTH / YEAR (then "
        "`decidedOn` is the last day of it and `decidedIn` the interval); null when only the "
        "latest day is known (`decidedOnUnknown` without a month or year)."
    )
    def decided_on_precision(self) -> DatePrecision | None:  # type: ignore[valid-type]
        if self.row.get("decided_precision"):
            return self.row["decided_precision"]
        return None if self.row.get("decided_on_unknown") else "day"

    @strawberry.field(
        description="The date decided as the source gives it (a day, a month or a year) with "
        "the interval it denotes; null when only the latest day is known."
    )
    def decided_in(self) -> PartialDate | None:
        precision = self.row.get("decided_precision")
        if self.row.get("decided_on_unknown") and not precision:
            return None
        latest = self.row.date("decided_on")
        return types_precision.partial_date(within_of(latest, precision or "day").text)  # type: ignore[arg-type]

    @strawberry.field(
        description="True when `status` on `asOf` is uncertain because the date decided is not "
        "known to the day: `asOf` lies inside its month or year, or before the latest day of a "
        "decision whose date is unknown."
    )
    def status_uncertain(self, info: Info, as_of: date | None = None) -> bool:
        day = reader(info).as_of(as_of)
        return types_precision.decision_date_position(self.row.view, day) is Position.WITHIN

    @strawberry.field(description="Voteringar on the decision, in the order held.")
    def votes(self) -> list[Vote]:
        return [types_votes.vote_of(v) for v in self.row.get("votes", [])]

    @strawberry.field(
        description="Where the decision stands in law on `asOf` (default today): NOT_APPROVED, "
        "APPEALABLE, FINAL (laga kraft), APPEALED or ANNULLED. Null for a body whose "
        "decisions are not appealed by laglighetsprövning (not a kommunal nämnd, styrelse, "
        "utskott or fullmäktige), a bordläggning or återremiss (only preparing the matter), or a "
        "decision whose minutes are not recorded."
    )
    async def legal_status(
        self, info: Info, as_of: date | None = None
    ) -> types_lifecycle.LegalStatus | None:
        found = await types_lifecycle.standing_of(info, self.row, self.known_at, as_of)
        return types_lifecycle.legal_status_of(found)

    @strawberry.field(
        description="The day it became final (laga kraft), when FINAL on `asOf`: the day after "
        "the last day to appeal, or the day of the court's ruling that let it stand."
    )
    async def final_on(self, info: Info, as_of: date | None = None) -> date | None:
        found = await types_lifecycle.standing_of(info, self.row, self.known_at, as_of)
        return found.final_on if found is not None else None

    @strawberry.field(
        description="The last day to appeal (three weeks from the posting of the approved "
        "minutes, or of its paragraph approved at once); null until posted."
    )
    async def appeal_deadline(self, info: Info) -> date | None:
        window = await types_lifecycle.window_of(info, self.row, self.known_at)
        return window.deadline if window is not None else None

    @strawberry.field(description="Appeals of the decision (laglighetsprövning), oldest first.")
    def appeals(self) -> list[types_lifecycle.Appeal]:
        return types_lifecycle.appeals_of(self.row)

    @strawberry.field(description='The item, such as "9" for § 9.')
    def item(self) -> str:
        return self.row["item"]

    @strawberry.field(description="Which decision of the item (1 for the first).")
    def ordinal(self) -> int:
        return self.row["ordinal"]

    @strawberry.field
    def kind(self) -> DecisionKind:
        return DecisionKind(self.row["kind"])

    @strawberry.field
    def text(self) -> str:
        return self.row["text"]

    @strawberry.field(description="Status on `asOf` (default today).")
    def status(self, info: Info, as_of: date | None = None) -> DecisionStatus:
        return decision_status(self.row, reader(info).as_of(as_of))

    @strawberry.field(
        description="When it applies: the day its last condition was met, else the day decided; null while a condition is pending."
    )
    def applies_from(self) -> date | None:
        gate = statuses.gate_of(self.row.date("decided_on"), _condition_states(self.row))  # type: ignore[arg-type]
        if gate.state is statuses.GateState.UNCONDITIONAL:
            return self.row.date("decided_on")
        return gate.applies_from

    @strawberry.field
    def conditions(self) -> list[Condition]:
        return [
            Condition(
                id=_gid(c["condition_id"]),
                text=c["text"],
                met_on=as_date(c.get("met_on")),
                withdrawn_on=as_date(c.get("withdrawn_on")),
            )
            for c in self.row.get("conditions", [])
        ]

    @strawberry.field(
        description="The changes it authorised that wait for its conditions (memberships, "
        "assignments, allocations, agreement changes): pending until every condition is met, "
        "then applied from that day; never, if a condition is withdrawn or refused."
    )
    async def pending_effects(self, info: Info) -> list[PendingEffect]:
        r = reader(info)
        held = await r.pending_effects.load((self.row.entity_id, r.known_at(self.known_at)))
        return [PendingEffect(held=h, known_at=self.known_at) for h in held]

    @strawberry.field(
        description="For a deferred item: the meeting it goes to, when known (its "
        "`deferred_to`, else the first planned meeting its matter is referred to)."
    )
    async def deferred_to(self, info: Info) -> DeferredTo | None:
        given = deferred_to(self.row.get("deferred_to"), self.known_at)
        if given is not None or self.row["kind"] != values.DecisionKind.DEFERRED:
            return given
        from api.types_plans import meeting_a_decision_goes_to

        planned = await meeting_a_decision_goes_to(info, self.row.entity_id, self.known_at)
        if not planned:
            return None
        first = min(planned, key=lambda m: (m.date(), m.sequence()))
        return DeferredTo(
            held_on=first.date(),
            body_id=first.body_id,
            meeting_id=first.row["planned_meeting_id"],
            known_at=self.known_at,
        )

    @strawberry.field(description="Reservations and särskilda uttalanden.")
    def statements(self) -> list[Statement]:
        votes = {v["vote_id"]: v for v in self.row.get("votes", [])}
        return [
            Statement(
                person_id=_gid(s["person_id"]) if s.get("person_id") else None,
                person_name=s["person_name"],
                kind=s["kind"],
                text=s["text"],
                authors=types_votes.authors_of(s),
                party=(s.get("authors") or {}).get("party"),
                and_others=bool((s.get("authors") or {}).get("and_others")),
                vote=types_votes.vote_of(votes[s["vote_id"]]) if s.get("vote_id") else None,
            )
            for s in self.row.get("statements", [])
        ]

    @strawberry.field
    def revoked_on(self) -> date | None:
        return self.row.date("revoked_on")

    @strawberry.field
    async def superseded_by(self, info: Info) -> Decision | None:
        return await load_decision(info, self.row.get("superseded_by"), self.known_at)

    @strawberry.field
    def superseded_on(self) -> date | None:
        return self.row.date("superseded_on")

    @strawberry.field
    def corrections(self) -> list[Correction]:
        return [
            Correction(reason=c["reason"], recorded_at=datetime.fromisoformat(c["recorded_at"]))
            for c in self.row.get("corrections", [])
        ]

    @strawberry.field(
        description="Every change the decision authorised (memberships, agreement changes, "
        "allocations, assignments, conditions met), oldest first."
    )
    async def effects(self, info: Info) -> list[Event]:
        rows = await reader(info).effects.load(self.row.entity_id)
        return [Event(row=e) for e in rows]

    @strawberry.field(
        description="The planned meetings it sends a matter to (a deferred item's next meeting)."
    )
    async def goes_to_meetings(self, info: Info) -> list[Annotated[PlannedMeeting, _PLANS]]:
        from api.types_plans import meeting_a_decision_goes_to

        return await meeting_a_decision_goes_to(info, self.row.entity_id, self.known_at)

    @strawberry.field(description="Projects it started (or proposed).")
    async def projects(self, info: Info) -> list[Annotated[Project, _PLANS]]:
        from api.types_plans import projects_of

        return await projects_of(info, None, self.row.entity_id, None, None, self.known_at)

    @strawberry.field(description="Remisser it sent, answered or concluded.")
    async def consultations(self, info: Info) -> list[Annotated[Consultation, _PLANS]]:
        from api.types_plans import consultations_of

        return await consultations_of(info, None, self.row.entity_id, None, None, self.known_at)

    @strawberry.field(
        description="What it claims (decides, recommends, proposes), on which matter, and the "
        "delegation it was taken under with its reports to the nämnd; null when not recorded."
    )
    async def claim(self, info: Info) -> Annotated[DecisionClaim, _MANDATES] | None:
        from api.types_mandates import DecisionClaim, claim_row

        row = await claim_row(info, self.row.entity_id, self.known_at)
        return DecisionClaim(row=row, known_at=self.known_at) if row else None

    @strawberry.field(
        description="Whether it lay within its body's mandate or a delegation on the day it "
        "was taken, with the chain of decisions that justifies it or the reason it does not "
        "(UNKNOWN when the registry holds no structured mandate or no claim)."
    )
    async def within_mandate(self, info: Info) -> Annotated[MandateCheck, _MANDATES]:
        from api.types_mandates import within_mandate

        return await within_mandate(info, self.row, self.known_at)

    @strawberry.field(
        description="A recommendation to principals: each principal and its own decision "
        "adopting it (linked to agreement extension adoptions); null when it recommends nothing."
    )
    async def recommendation(self, info: Info) -> Annotated[Recommendation, _MANDATES] | None:
        from api.types_mandates import recommendation_of

        return await recommendation_of(info, self.row, self.known_at)

    @strawberry.field
    def source(self) -> Source:
        return _source(self.row.get("origin"))

    @strawberry.field
    def recorded_at(self) -> datetime:
        return self.row.recorded_from

    @strawberry.field
    async def events(self, info: Info) -> list[Event]:
        return await _events(info, self.row.entity_id)


async def load_decision(info: Info, decision_id: Any, known_at: datetime | None) -> Decision | None:
    row = await load_row(info, decision_id, "decision", known_at)
    return Decision(row=row, known_at=known_at) if row else None


async def load_meeting(info: Info, meeting_id: Any, known_at: datetime | None) -> Meeting | None:
    row = await load_row(info, meeting_id, "meeting", known_at)
    return Meeting(row=row, known_at=known_at) if row else None


# -- agreements -----------------------------------------------------------------------------


@strawberry.type(description="An extension of an agreement's end date.")
class Extension:
    key: str
    new_until: date
    status: str = strawberry.field(description="pending until every party adopts it; adopted")
    adopted_by_ids: strawberry.Private[list[UUID]]
    decision_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def adopted_by(self, info: Info) -> list[Organisation]:
        return await load_organisations(info, self.adopted_by_ids, None)

    @strawberry.field
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(info, self.decision_id, None)


@strawberry.type(description="A revision of an agreement's terms.")
class Revision:
    description: str
    applies_from: date | None
    decision_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(info, self.decision_id, None)


@strawberry.type(description="A party's adoption (antagande) of an agreement.")
class Adoption:
    party_id: strawberry.Private[UUID]
    adopted_on: date

    @strawberry.field
    async def party(self, info: Info) -> Organisation | None:
        return await load_organisation(info, self.party_id, None)


@strawberry.type(description="An agreement with its effective validity as known at `knownAt`.")
class Agreement:
    row: strawberry.Private[AgreementRow]
    on: strawberry.Private[date | None] = None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row.agreement_id)

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field
    async def parties(self, info: Info) -> list[Organisation]:
        return await load_organisations(info, self.row.party_ids, None)

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
        return self.row.status(on_date or self.on or reader(info).as_of(None))

    @strawberry.field(
        description="Parties that had not adopted (by the day the list was asked for, else "
        "as recorded) an agreement whose entry into force needs every party's adoption; "
        "empty for one that applies without adoptions."
    )
    async def parties_not_adopted(self, info: Info) -> list[Organisation]:
        return await load_organisations(info, self.row.parties_not_adopted_on(self.on), None)

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
                decision_id=_uuid(rev.get("decision_id")),
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
    async def events(self, info: Info) -> list[Event]:
        return await _events(info, self.row.agreement_id)


# -- funds and assignments ------------------------------------------------------------------


@strawberry.type(description="Money allocated from a fund to a recipient for a purpose.")
class Allocation:
    row: strawberry.Private[dict]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row["allocation_id"])

    @strawberry.field
    def recipient(self) -> str:
        return self.row["recipient"]

    @strawberry.field
    async def recipient_organisation(self, info: Info) -> Organisation | None:
        return await load_organisation(info, self.row.get("recipient_id"), self.known_at)

    @strawberry.field
    def purpose(self) -> str:
        return self.row["purpose"]

    @strawberry.field(description="SEK, exact.")
    def amount(self) -> Decimal:
        return Decimal(self.row["amount"])

    @strawberry.field
    def effective_date(self) -> date | None:
        return as_date(self.row.get("effective_date"))

    @strawberry.field(description="The decision behind the allocation's current amount.")
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(info, self.row.get("decision_id"), self.known_at)

    @strawberry.field
    async def events(self, info: Info) -> list[Event]:
        return await _events(info, UUID(self.row["allocation_id"]))


@strawberry.type(description="Money a body disposes of, with what is allocated and remains.")
class Fund:
    row: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row.entity_id)

    @strawberry.field
    def name(self) -> str:
        return self.row["name"]

    @strawberry.field
    def total(self) -> Decimal:
        return Decimal(self.row["total"])

    @strawberry.field
    def allocated(self) -> Decimal:
        return Decimal(self.row["allocated"])

    @strawberry.field
    def remaining(self) -> Decimal:
        return Decimal(self.row["remaining"])

    @strawberry.field
    def currency(self) -> str:
        return self.row["currency"]

    @strawberry.field
    def period_start(self) -> date | None:
        return self.row.date("period_start")

    @strawberry.field
    def period_end(self) -> date | None:
        return self.row.date("period_end")

    @strawberry.field
    def source_of_funds(self) -> str | None:
        return self.row.get("source_of_funds")

    @strawberry.field
    def allocations(self) -> list[Allocation]:
        return [Allocation(row=a, known_at=self.known_at) for a in self.row.get("allocations", [])]

    @strawberry.field(description="The decision that established the fund.")
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(
            info, (self.row.get("origin") or {}).get("decision_id"), self.known_at
        )

    @strawberry.field
    def source(self) -> Source:
        return _source(self.row.get("origin"))

    @strawberry.field
    async def events(self, info: Info) -> list[Event]:
        return await _events(info, self.row.entity_id)


def assignment_status(row: EntityRow, day: date) -> AssignmentStatus:
    """The domain's rule (registry/status/assignment.py), as the list read model stores it."""
    return AssignmentStatus(status_ranges.assignment_status_of(row, day))


@strawberry.type(description="A progress report on an assignment (återrapportering).")
class AssignmentReport:
    reported_on: date
    text: str


@strawberry.type(description="An assignment (uppdrag) given by a body, with its due date.")
class Assignment:
    row: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return _gid(self.row.entity_id)

    @strawberry.field
    def task(self) -> str:
        return self.row["task"]

    @strawberry.field(description="person, organisation or body")
    def holder_kind(self) -> str:
        return self.row["holder_kind"]

    @strawberry.field
    def holder_name(self) -> str:
        return self.row["holder_name"]

    @strawberry.field
    def holder_id(self) -> strawberry.ID | None:
        return _gid(self.row["holder_id"]) if self.row.get("holder_id") else None

    @strawberry.field
    async def holder_person(self, info: Info) -> Person | None:
        if self.row["holder_kind"] != "person":
            return None
        return await load_person(info, self.row.get("holder_id"), self.known_at)

    @strawberry.field(description="The body that gave the assignment.")
    async def body(self, info: Info) -> Body | None:
        return await load_body(info, self.row.get("body_id"), self.known_at)

    @strawberry.field
    def given_on(self) -> date | None:
        return self.row.date("given_on")

    @strawberry.field
    def due_date(self) -> date | None:
        return self.row.date("due_date")

    @strawberry.field(description="Status on `asOf` (default today).")
    def status(self, info: Info, as_of: date | None = None) -> AssignmentStatus:
        return assignment_status(self.row, reader(info).as_of(as_of))

    @strawberry.field(description="Open on `asOf` (default today) and past its due date.")
    def overdue(self, info: Info, as_of: date | None = None) -> bool:
        day = reader(info).as_of(as_of)
        due = self.row.date("due_date")
        return (
            due is not None
            and due < day
            and assignment_status(self.row, day) == AssignmentStatus.OPEN
        )

    @strawberry.field(description="The day it was completed or withdrawn.")
    def ended_on(self) -> date | None:
        return self.row.date("ended_on")

    @strawberry.field
    def withdrawal_reason(self) -> str | None:
        return self.row.get("withdrawal_reason")

    @strawberry.field
    def reports(self) -> list[AssignmentReport]:
        return [
            AssignmentReport(reported_on=as_date(r["reported_on"]), text=r["text"])  # type: ignore[arg-type]
            for r in self.row.get("reports", [])
        ]

    @strawberry.field(description="The decision that gave the assignment.")
    async def decision(self, info: Info) -> Decision | None:
        return await load_decision(
            info, (self.row.get("origin") or {}).get("decision_id"), self.known_at
        )

    @strawberry.field
    def source(self) -> Source:
        return _source(self.row.get("origin"))

    @strawberry.field
    async def events(self, info: Info) -> list[Event]:
        return await _events(info, self.row.entity_id)


# -- search ---------------------------------------------------------------------------------


@strawberry.type(description="A search hit: a decision, an agenda item or an agreement.")
class SearchHit:
    row: strawberry.Private[SearchHitRow]

    @strawberry.field
    def kind(self) -> SearchKind:
        return SearchKind(self.row.entity_type)

    @strawberry.field(description="The decision, meeting (for an agenda item) or agreement.")
    def entity_id(self) -> strawberry.ID:
        return _gid(self.row.entity_id)

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field(description="Matching text with the hits in [brackets].")
    def snippet(self) -> str:
        return self.row.snippet

    @strawberry.field(description="Higher is a better match.")
    def rank(self) -> float:
        return self.row.rank

    @strawberry.field
    async def decision(self, info: Info) -> Decision | None:
        if self.row.entity_type != "decision":
            return None
        return await load_decision(info, self.row.entity_id, None)

    @strawberry.field
    async def meeting(self, info: Info) -> Meeting | None:
        if self.row.entity_type != "agenda_item":
            return None
        return await load_meeting(info, self.row.entity_id, None)

    @strawberry.field(description="For an agenda item: its number.")
    def item_number(self) -> str | None:
        if self.row.entity_type != "agenda_item":
            return None
        return self.row.doc_id.split("#", 1)[1]

    @strawberry.field
    async def agreement(self, info: Info) -> Agreement | None:
        if self.row.entity_type != "agreement":
            return None
        r = reader(info)
        row = await r.agreement.load((self.row.entity_id, r.known_at(None)))
        return Agreement(row=row) if row else None


def expiring(row: AgreementRow, day: date, days: int) -> bool:
    return row.effective_until is not None and row.effective_until <= day + timedelta(days=days)


# -- ledger: the hash chain's head and the registry's public key (registry/chain.py) ----------


def _link_hash_loader(info: Info) -> DataLoader[int, str | None]:
    """One read of event_chain per request level for every event's link hash (no N+1); the
    links are written with the events, so they are there as soon as the event is projected."""
    loader = info.context.get("link_hashes")
    if loader is None:
        registry = info.context["registry"]

        async def load(positions: list[int]) -> list[str | None]:
            found = await asyncio.to_thread(registry.chain.chain_hashes, sorted(set(positions)))
            return [found.get(p) for p in positions]

        loader = info.context["link_hashes"] = DataLoader(load)
    return loader


async def link_hash_of(info: Info, position: int) -> str | None:
    return await _link_hash_loader(info).load(position)


@strawberry.type(description="A signed checkpoint of the hash chain's head.")
class LedgerHead:
    position: int
    hash: str = strawberry.field(description="The link hash at `position` (SHA-256, hex).")
    signed_at: datetime
    signature: str = strawberry.field(
        description="Ed25519 signature (base64) of the checkpoint message (docs/audit.md)."
    )


@strawberry.type(description="The hash-chained event log: its signed head and public key.")
class Ledger:
    head: LedgerHead | None = strawberry.field(
        description="The latest signed checkpoint (`registry digest`); null before the first."
    )
    current_position: int = strawberry.field(
        description="Position of the last link (not necessarily signed yet)."
    )
    current_hash: str = strawberry.field(description="The last link's hash (unsigned).")
    public_key: str | None = strawberry.field(
        description="The registry's Ed25519 public key (base64, raw 32 bytes), also at "
        "GET /ledger/public-key; null before a key exists."
    )


def read_ledger(registry: Any) -> Ledger:
    """The ledger as the store holds it now (runs in a worker thread)."""
    from registry.signing import registry_public_key

    chain = registry.chain
    checkpoint = chain.latest_checkpoint()
    position, hash_hex = chain.chain_head()
    head = None
    if checkpoint is not None:
        head = LedgerHead(
            position=checkpoint.position,
            hash=checkpoint.hash,
            signed_at=datetime.fromisoformat(checkpoint.signed_at),
            signature=checkpoint.signature,
        )
    return Ledger(
        head=head,
        current_position=position,
        current_hash=hash_hex,
        public_key=registry_public_key(registry.settings, checkpoint),
    )
