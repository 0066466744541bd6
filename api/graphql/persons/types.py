"""The GraphQL types of a person, their contact details and redactions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from api.access import sees_personal_data
from api.graphql import assignments, bodies
from api.graphql.assignments.enums import AssignmentStatus
from api.graphql.core.context import reader
from api.graphql.core.ids import gid
from api.graphql.core.node import EntityNode, events_field, node_type, source_field
from api.graphql.core.refs import AssignmentRef, MembershipRef, OrganisationRef


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
        return [gid(r) for r in self.row["refs"]]


@node_type("A person, with every spelling of their name.")
class Person(EntityNode):
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
        return [gid(i) for i in self.row.get("absorbed", [])]

    @strawberry.field
    async def organisation(self, info: Info) -> OrganisationRef | None:
        return await bodies.load_organisation(info, self.row.get("organisation_id"), self.known_at)

    @strawberry.field(
        description="Every place the person holds on `asOf` (default today) in any body, as "
        "known at `knownAt`: body, role, on behalf of whom, personal deputy."
    )
    async def mandates(
        self, info: Info, as_of: date | None = None, known_at: datetime | None = None
    ) -> list[MembershipRef]:
        r = reader(info)
        ids = (self.row.entity_id, *(UUID(i) for i in self.row.get("absorbed", [])))
        rows = await r.mandates.load((ids, r.as_of(as_of), r.known_at(known_at or self.known_at)))
        return [bodies.Membership(row=m, known_at=known_at or self.known_at) for m in rows]

    @strawberry.field(description="Assignments held by this person.")
    async def assignments(
        self,
        info: Info,
        status: AssignmentStatus | None = None,
        as_of: date | None = None,
    ) -> list[AssignmentRef]:
        r = reader(info)
        ids = {str(self.row.entity_id), *self.row.get("absorbed", [])}
        rows = await r.all_of_type.load(("assignment", r.known_at(self.known_at)))
        found = [
            assignments.Assignment(row=a, known_at=self.known_at)
            for a in rows
            if a.get("holder_id") in ids
        ]
        if status is not None:
            day = r.as_of(as_of)
            found = [a for a in found if assignments.assignment_status(a.row, day) == status]
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
                    ref=gid(d["ref"]),
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

    events = events_field("The audit trail of this person record.")

    source = source_field("Where the person's record comes from.")
