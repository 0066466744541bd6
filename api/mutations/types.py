"""GraphQL types of the writes: the inputs mutations take and the answers they give.

Every answer (`Write`) tells the id and version of the entity changed, the events written
with their log positions, and `position`, the last of them: a query with
`@atLeastPosition(position: ...)` (or the header X-Registry-Min-Position) then reads the write's
effect. The changed entity itself (`body`, `decision`, ...) is read from the read models once
they include the write (a bounded wait, else the error POSITION_NOT_REACHED on that field).
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from api.consistency import wait_seconds_from_environment
from api.graphql.agreements import Agreement
from api.graphql.assignments import Assignment
from api.graphql.bodies import Body, Role, load_body
from api.graphql.core.context import load_row
from api.graphql.decisions import Decision, load_decision
from api.graphql.funds import Fund
from api.graphql.persons import Person, load_person
from api.read_your_writes import not_reached, wait_for_position
from api.reader import Reader
from projections.entities import ASSIGNMENT, FUND
from registry import values

HolderKind = strawberry.enum(
    values.HolderKind, description="Who holds an assignment: a person, a body or an organisation."
)


@strawberry.enum(description="The format of a minutes document's text.")
class DocumentFormat(enum.Enum):
    YAML = "yaml"
    JSON = "json"


# -- inputs ----------------------------------------------------------------------------------


@strawberry.input(
    description="Where a written fact comes from: the source document (the "
    'minutes), the item in it ("§ 9") and its address.'
)
class SourceInput:
    document: str
    item: str | None = None
    url: str | None = None


@strawberry.input(
    description="A membership as a command states it: who, in which role "
    "(default member), from when (or known to hold by `startNotAfter`), until "
    "when, in which seat, for which organisation, as deputy for whom."
)
class AppointmentInput:
    person_id: strawberry.ID
    role: Role | None = None
    start: date | None = None
    start_not_after: date | None = None
    end: date | None = None
    seat_id: strawberry.ID | None = None
    on_behalf_of: strawberry.ID | None = None
    deputy_for: strawberry.ID | None = None
    note: str | None = None


# -- answers ---------------------------------------------------------------------------------


@strawberry.type(description="An event a write saved, with its position in the event log.")
class WrittenEvent:
    position: int
    entity_id: strawberry.ID
    entity_type: str
    type: str = strawberry.field(description="MemberAppointed, ConditionMet, Corrected...")
    version: int = strawberry.field(description="The entity's version after this event.")


@strawberry.interface(description="What every write answers.")
class Write:
    entity_id: strawberry.ID | None = strawberry.field(
        description="The entity the write changed (or created)."
    )
    version: int | None = strawberry.field(
        description="That entity's version after the write: send it as `expectedVersion` "
        "with the next change to it."
    )
    position: int = strawberry.field(
        description="The log position of the write's last event (or the log's last position "
        "when it wrote none): for `@atLeastPosition` or X-Registry-Min-Position."
    )
    events: list[WrittenEvent] = strawberry.field(description="The events the write saved.")
    replayed: bool = strawberry.field(
        description="True when the answer is that of an earlier request with the same "
        "idempotency key (nothing was written now)."
    )


async def projected(info: Info, position: int) -> Reader:
    """A reader that sees the read models at `position` or later, for the fields of an
    answer (the request's own reader was made before the write and reads "now" as then)."""
    read_side = info.context["runner"]
    timeout = wait_seconds_from_environment()
    reached = await wait_for_position(read_side, position, timeout)
    if reached < position:
        raise not_reached(position, reached, timeout)
    # One reader for every answer of the operation up to this position (mutations run one
    # after the other: a later one gets a newer reader). The fields under the entity read
    # through info.context["reader"], so it is replaced for them.
    seen, fresh = info.context.get("reader_after_write", (-1, None))
    if fresh is None or seen < position:
        fresh = Reader(read_side)
        info.context["reader_after_write"] = (position, fresh)
    info.context["reader"] = fresh
    return fresh


@strawberry.type(
    description="A write to a body: an appointment, ending, replacement or "
    "correction of a membership."
)
class BodyWrite(Write):
    membership_id: strawberry.ID | None = None

    @strawberry.field(description="The body as it is after the write.")
    async def body(self, info: Info) -> Body | None:
        await projected(info, self.position)
        return await load_body(info, self.entity_id, None)


@strawberry.type(description="A write to a decision: a correction or a condition met.")
class DecisionWrite(Write):
    @strawberry.field(description="The decision as it is after the write.")
    async def decision(self, info: Info) -> Decision | None:
        await projected(info, self.position)
        return await load_decision(info, self.entity_id, None)


@strawberry.type(
    description="A write to an agreement: an adoption, an extension's adoption, a corrected period."
)
class AgreementWrite(Write):
    @strawberry.field(description="The agreement as it is after the write.")
    async def agreement(self, info: Info) -> Agreement | None:
        r = await projected(info, self.position)
        row = await r.agreement.load((_uuid(self.entity_id), r.known_at(None)))
        return Agreement(row=row) if row else None


@strawberry.type(description="A write to a fund: an allocation.")
class FundWrite(Write):
    allocation_id: strawberry.ID | None = None

    @strawberry.field(description="The fund as it is after the write.")
    async def fund(self, info: Info) -> Fund | None:
        await projected(info, self.position)
        row = await load_row(info, self.entity_id, FUND, None)
        return Fund(row=row, known_at=None) if row else None


@strawberry.type(description="A write to an assignment: given, or reported on.")
class AssignmentWrite(Write):
    @strawberry.field(description="The assignment as it is after the write.")
    async def assignment(self, info: Info) -> Assignment | None:
        await projected(info, self.position)
        row = await load_row(info, self.entity_id, ASSIGNMENT, None)
        return Assignment(row=row, known_at=None) if row else None


@strawberry.type(description="A merge of two person records: `entityId` is the survivor.")
class PersonWrite(Write):
    @strawberry.field(description="The surviving person as it is after the write.")
    async def person(self, info: Info) -> Person | None:
        await projected(info, self.position)
        return await load_person(info, self.entity_id, None)


@strawberry.type(
    description="An imported minutes document: `status` is imported, unchanged "
    "or corrected; `entityId` is the imported document's id."
)
class ImportWrite(Write):
    status: str = ""
    file: str = ""
    facts: int = 0
    changes: list[str] = strawberry.field(default_factory=list)


def _uuid(value: Any) -> UUID:
    return UUID(str(value))


PAYLOADS: dict[str, type[Write]] = {
    cls.__name__: cls
    for cls in (
        BodyWrite,
        DecisionWrite,
        AgreementWrite,
        FundWrite,
        AssignmentWrite,
        PersonWrite,
        ImportWrite,
    )
}


def payload_of(answer: dict[str, Any], replayed: bool) -> Write:
    """The GraphQL answer from a write's stored answer (see api/mutations/core.py)."""
    cls = PAYLOADS[answer["kind"]]
    return cls(
        entity_id=strawberry.ID(answer["entityId"]) if answer.get("entityId") else None,
        version=answer.get("version"),
        position=answer["position"],
        events=[
            WrittenEvent(
                position=e["position"],
                entity_id=strawberry.ID(e["entityId"]),
                entity_type=e["entityType"],
                type=e["type"],
                version=e["version"],
            )
            for e in answer["events"]
        ],
        replayed=replayed,
        **answer.get("extra", {}),
    )
