"""GraphQL types for what a decision leaves open: the effects it holds back while a condition
is pending (projections/pending.py), and the meeting a deferred item goes to."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.graphql import bodies, decisions, meetings
from api.graphql.core.refs import BodyRef, DecisionRef, MeetingRef
from projections.pending import HeldEffect
from registry.status.decision import effect_status


@strawberry.enum(description="Where an effect of a conditional decision stands.")
class PendingEffectStatus(enum.Enum):
    PENDING = strawberry.enum_value(
        "pending", description="A condition of the decision is not yet met: it does not apply."
    )
    APPLIED = strawberry.enum_value(
        "applied", description="Every condition was met: it applies from `appliesFrom`."
    )
    NEVER = strawberry.enum_value(
        "never", description="A condition was withdrawn or refused: it never applies."
    )


@strawberry.type(
    description="A change a decision authorised (a membership, an assignment, an allocation, "
    "an agreement change) that waits for the decision's conditions."
)
class PendingEffect:
    held: strawberry.Private[HeldEffect]
    known_at: strawberry.Private[datetime | None] = None

    @strawberry.field(description='What it changes, such as "Body.MemberAppointed".')
    def kind(self) -> str:
        return self.held.event_type

    @strawberry.field(description="The body, agreement, fund or assignment it changes.")
    def subject_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.held.originator_id))

    @strawberry.field(description="The person, for a membership.")
    def person_name(self) -> str | None:
        return self.held.summary.get("person_name")

    @strawberry.field(description="The role, for a membership.")
    def role(self) -> str | None:
        return self.held.summary.get("role")

    @strawberry.field(description="The task, title or name it names, where it has one.")
    def label(self) -> str | None:
        s = self.held.summary
        return s.get("task") or s.get("title") or s.get("name") or s.get("recipient")

    @strawberry.field(description="The day the decision gives it (before the condition).")
    def dated(self) -> date | None:
        value = self.held.summary.get("date")
        return date.fromisoformat(value) if value else None

    @strawberry.field(description="Where it stands as known at the query's `knownAt`.")
    def status(self) -> PendingEffectStatus:
        return PendingEffectStatus(effect_status(self.held.outcome).value)

    @strawberry.field(
        description="For APPLIED: the day it applies from (not before the day "
        "the last condition was met)."
    )
    def applies_from(self) -> date | None:
        return self.held.applies_from

    @strawberry.field(description="The decision that authorised it, with its conditions.")
    async def decision(self, info: Info) -> DecisionRef | None:

        return await decisions.load_decision(info, self.held.decision_id, self.known_at)

    @strawberry.field(description="When the registry recorded it (and began holding it).")
    def recorded_at(self) -> datetime:
        return self.held.held_from

    @strawberry.field(description="When it was applied or dropped; null while pending.")
    def settled_at(self) -> datetime | None:
        return self.held.ended_at


@strawberry.type(description="The meeting a deferred item goes to (bordläggning).")
class DeferredTo:
    held_on: date
    body_id: strawberry.Private[str]
    meeting_id: strawberry.Private[str]
    known_at: strawberry.Private[datetime | None]

    @strawberry.field
    async def body(self, info: Info) -> BodyRef | None:

        return await bodies.load_body(info, self.body_id, self.known_at)

    @strawberry.field(description="That meeting, once its minutes are recorded.")
    async def meeting(self, info: Info) -> MeetingRef | None:

        return await meetings.load_meeting(info, self.meeting_id, self.known_at)


def deferred_to(value: dict[str, Any] | None, known_at: datetime | None) -> DeferredTo | None:
    if not value:
        return None
    return DeferredTo(
        held_on=date.fromisoformat(value["held_on"]),
        body_id=value["body_id"],
        meeting_id=value["meeting_id"],
        known_at=known_at,
    )
