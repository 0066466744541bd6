"""The GraphQL types of a decision, its conditions, statements and corrections."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from api.graphql import bodies, decisions, meetings
from api.graphql import mandates as mandate_types
from api.graphql import projects as project_types
from api.graphql.core import events as trail
from api.graphql.core.context import reader
from api.graphql.core.ids import gid
from api.graphql.core.node import EntityNode, node_type, source_field
from api.graphql.core.precision import (
    DatePrecision,
    PartialDate,
    partial_date,
)
from api.graphql.core.refs import (
    AppealRef,
    BodyRef,
    ConsultationRef,
    DecisionClaimRef,
    DeferredToRef,
    EventRef,
    MandateCheckRef,
    MeetingRef,
    PendingEffectRef,
    PlannedMeetingRef,
    ProjectRef,
    RecommendationRef,
)
from api.graphql.decisions.enums import DecisionKind, DecisionStatus, LegalStatus
from api.graphql.decisions.votes import StatementAuthor, Vote, authors_of, vote_of
from projections import status_ranges
from projections.entities import EntityRow
from projections.sql import as_date
from registry import values
from registry.dates import within_of
from registry.status import decision as statuses


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


@node_type("What a body decided on an item (beslut, ställningstagande...).")
class Decision(EntityNode):
    @strawberry.field
    async def body(self, info: Info) -> BodyRef | None:
        return await bodies.load_body(info, self.row["body_id"], self.known_at)

    @strawberry.field
    async def meeting(self, info: Info) -> MeetingRef | None:
        return await meetings.load_meeting(info, self.row.get("meeting_id"), self.known_at)

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
        return partial_date(within_of(latest, precision or "day").text)  # type: ignore[arg-type]

    @strawberry.field(
        description="True when `status` on `asOf` is uncertain because the date decided is not "
        "known to the day: `asOf` lies inside its month or year, or before the latest day of a "
        "decision whose date is unknown."
    )
    def status_uncertain(self, info: Info, as_of: date | None = None) -> bool:
        view = self.row.view
        return statuses.decision_status_uncertain(
            decided_on=date.fromisoformat(view["decided_on"]),
            decided_on_unknown=bool(view.get("decided_on_unknown")),
            precision=view.get("decided_precision"),
            day=reader(info).as_of(as_of),
        )

    @strawberry.field(description="Voteringar on the decision, in the order held.")
    def votes(self) -> list[Vote]:
        return [vote_of(v) for v in self.row.get("votes", [])]

    @strawberry.field(
        description="Where the decision stands in law on `asOf` (default today): NOT_APPROVED, "
        "APPEALABLE, FINAL (laga kraft), APPEALED or ANNULLED. Null for a body whose "
        "decisions are not appealed by laglighetsprövning (not a kommunal nämnd, styrelse, "
        "utskott or fullmäktige), a bordläggning or återremiss (only preparing the matter), or a "
        "decision whose minutes are not recorded."
    )
    async def legal_status(self, info: Info, as_of: date | None = None) -> LegalStatus | None:
        found = await decisions.standing_of(info, self.row, self.known_at, as_of)
        return decisions.legal_status_of(found)

    @strawberry.field(
        description="The day it became final (laga kraft), when FINAL on `asOf`: the day after "
        "the last day to appeal, or the day of the court's ruling that let it stand."
    )
    async def final_on(self, info: Info, as_of: date | None = None) -> date | None:
        found = await decisions.standing_of(info, self.row, self.known_at, as_of)
        return found.final_on if found is not None else None

    @strawberry.field(
        description="The last day to appeal (three weeks from the posting of the approved "
        "minutes, or of its paragraph approved at once); null until posted."
    )
    async def appeal_deadline(self, info: Info) -> date | None:
        window = await decisions.window_of(info, self.row, self.known_at)
        return window.deadline if window is not None else None

    @strawberry.field(description="Appeals of the decision (laglighetsprövning), oldest first.")
    def appeals(self) -> list[AppealRef]:
        return decisions.appeals_of(self.row)

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
                id=gid(c["condition_id"]),
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
    async def pending_effects(self, info: Info) -> list[PendingEffectRef]:
        r = reader(info)
        held = await r.pending_effects.load((self.row.entity_id, r.known_at(self.known_at)))
        return [decisions.PendingEffect(held=h, known_at=self.known_at) for h in held]

    @strawberry.field(
        description="For a deferred item: the meeting it goes to, when known (its "
        "`deferred_to`, else the first planned meeting its matter is referred to)."
    )
    async def deferred_to(self, info: Info) -> DeferredToRef | None:
        given = decisions.deferred_to(self.row.get("deferred_to"), self.known_at)
        if given is not None or self.row["kind"] != values.DecisionKind.DEFERRED:
            return given

        planned = await meetings.meeting_a_decision_goes_to(info, self.row.entity_id, self.known_at)
        if not planned:
            return None
        first = min(planned, key=lambda m: (m.date(), m.sequence()))
        return decisions.DeferredTo(
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
                person_id=gid(s["person_id"]) if s.get("person_id") else None,
                person_name=s["person_name"],
                kind=s["kind"],
                text=s["text"],
                authors=authors_of(s),
                party=(s.get("authors") or {}).get("party"),
                and_others=bool((s.get("authors") or {}).get("and_others")),
                vote=vote_of(votes[s["vote_id"]]) if s.get("vote_id") else None,
            )
            for s in self.row.get("statements", [])
        ]

    @strawberry.field
    def revoked_on(self) -> date | None:
        return self.row.date("revoked_on")

    @strawberry.field
    async def superseded_by(self, info: Info) -> Decision | None:
        return await decisions.load_decision(info, self.row.get("superseded_by"), self.known_at)

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
    async def effects(self, info: Info) -> list[EventRef]:
        rows = await reader(info).effects.load(self.row.entity_id)
        return [trail.Event(row=e) for e in rows]

    @strawberry.field(
        description="The planned meetings it sends a matter to (a deferred item's next meeting)."
    )
    async def goes_to_meetings(self, info: Info) -> list[PlannedMeetingRef]:

        return await meetings.meeting_a_decision_goes_to(info, self.row.entity_id, self.known_at)

    @strawberry.field(description="Projects it started (or proposed).")
    async def projects(self, info: Info) -> list[ProjectRef]:

        return await project_types.projects_of(
            info, None, self.row.entity_id, None, None, self.known_at
        )

    @strawberry.field(description="Remisser it sent, answered or concluded.")
    async def consultations(self, info: Info) -> list[ConsultationRef]:

        return await project_types.consultations_of(
            info, None, self.row.entity_id, None, None, self.known_at
        )

    @strawberry.field(
        description="What it claims (decides, recommends, proposes), on which matter, and the "
        "delegation it was taken under with its reports to the nämnd; null when not recorded."
    )
    async def claim(self, info: Info) -> DecisionClaimRef | None:

        row = await mandate_types.claim_row(info, self.row.entity_id, self.known_at)
        return mandate_types.DecisionClaim(row=row, known_at=self.known_at) if row else None

    @strawberry.field(
        description="Whether it lay within its body's mandate or a delegation on the day it "
        "was taken, with the chain of decisions that justifies it or the reason it does not "
        "(UNKNOWN when the registry holds no structured mandate or no claim)."
    )
    async def within_mandate(self, info: Info) -> MandateCheckRef:

        return await mandate_types.within_mandate(info, self.row, self.known_at)

    @strawberry.field(
        description="A recommendation to principals: each principal and its own decision "
        "adopting it (linked to agreement extension adoptions); null when it recommends nothing."
    )
    async def recommendation(self, info: Info) -> RecommendationRef | None:

        return await mandate_types.recommendation_of(info, self.row, self.known_at)

    source = source_field()

    @strawberry.field
    def recorded_at(self) -> datetime:
        return self.row.recorded_from
