"""The enums of decisions."""

from __future__ import annotations

import enum

import strawberry

from registry import values
from registry.lifecycle import AppealOutcome

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


@strawberry.enum(description="Where a municipal decision stands in law on a day.")
class LegalStatus(enum.Enum):
    NOT_APPROVED = strawberry.enum_value(
        "not_approved", description="The minutes are not yet approved (justerade)."
    )
    APPEALABLE = strawberry.enum_value(
        "appealable", description="Approved; the three weeks to appeal have not run out."
    )
    FINAL = strawberry.enum_value(
        "final", description="Laga kraft: no appeal in time, or the court let it stand."
    )
    APPEALED = strawberry.enum_value(
        "appealed", description="Appealed in time; the court has not ruled."
    )
    ANNULLED = strawberry.enum_value("annulled", description="Upphävt by the court.")


AppealOutcomeType = strawberry.enum(
    AppealOutcome,
    name="AppealOutcome",
    description="What the court did with an appeal: ANNULLED (upphävt), REJECTED (avslaget), "
    "DISMISSED (avvisat), WITHDRAWN (återkallat).",
)
