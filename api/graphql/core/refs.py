"""Lazy references to the types of other modules (strawberry.lazy): a type names another
concept's type through these, so the modules need not import each other."""

from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:
    from api.graphql.agreements.types import Agreement
    from api.graphql.assignments.types import Assignment
    from api.graphql.bodies.memberships import Membership, Seat
    from api.graphql.bodies.organisations import Organisation
    from api.graphql.bodies.types import Body
    from api.graphql.core.events import Event
    from api.graphql.decisions.lifecycle import Appeal, MinutesApproval
    from api.graphql.decisions.pending import DeferredTo, PendingEffect
    from api.graphql.decisions.types import Decision
    from api.graphql.funds.types import Allocation, Fund
    from api.graphql.mandates.checks import MandateCheck, Recommendation
    from api.graphql.mandates.types import DecisionClaim, Delegation, MandateVersion
    from api.graphql.meetings.plans import PlannedMeeting
    from api.graphql.meetings.serving import ServingDeputy
    from api.graphql.meetings.types import Meeting
    from api.graphql.persons.types import Person
    from api.graphql.projects.types import Consultation, Project

AgreementRef = Annotated["Agreement", strawberry.lazy("api.graphql.agreements.types")]
AllocationRef = Annotated["Allocation", strawberry.lazy("api.graphql.funds.types")]
AppealRef = Annotated["Appeal", strawberry.lazy("api.graphql.decisions.lifecycle")]
AssignmentRef = Annotated["Assignment", strawberry.lazy("api.graphql.assignments.types")]
BodyRef = Annotated["Body", strawberry.lazy("api.graphql.bodies.types")]
ConsultationRef = Annotated["Consultation", strawberry.lazy("api.graphql.projects.types")]
DecisionRef = Annotated["Decision", strawberry.lazy("api.graphql.decisions.types")]
DecisionClaimRef = Annotated["DecisionClaim", strawberry.lazy("api.graphql.mandates.types")]
DeferredToRef = Annotated["DeferredTo", strawberry.lazy("api.graphql.decisions.pending")]
DelegationRef = Annotated["Delegation", strawberry.lazy("api.graphql.mandates.types")]
EventRef = Annotated["Event", strawberry.lazy("api.graphql.core.events")]
FundRef = Annotated["Fund", strawberry.lazy("api.graphql.funds.types")]
MandateCheckRef = Annotated["MandateCheck", strawberry.lazy("api.graphql.mandates.checks")]
MandateVersionRef = Annotated["MandateVersion", strawberry.lazy("api.graphql.mandates.types")]
MeetingRef = Annotated["Meeting", strawberry.lazy("api.graphql.meetings.types")]
MembershipRef = Annotated["Membership", strawberry.lazy("api.graphql.bodies.memberships")]
MinutesApprovalRef = Annotated[
    "MinutesApproval", strawberry.lazy("api.graphql.decisions.lifecycle")
]
OrganisationRef = Annotated["Organisation", strawberry.lazy("api.graphql.bodies.organisations")]
PendingEffectRef = Annotated["PendingEffect", strawberry.lazy("api.graphql.decisions.pending")]
PersonRef = Annotated["Person", strawberry.lazy("api.graphql.persons.types")]
PlannedMeetingRef = Annotated["PlannedMeeting", strawberry.lazy("api.graphql.meetings.plans")]
ProjectRef = Annotated["Project", strawberry.lazy("api.graphql.projects.types")]
RecommendationRef = Annotated["Recommendation", strawberry.lazy("api.graphql.mandates.checks")]
SeatRef = Annotated["Seat", strawberry.lazy("api.graphql.bodies.memberships")]
ServingDeputyRef = Annotated["ServingDeputy", strawberry.lazy("api.graphql.meetings.serving")]
