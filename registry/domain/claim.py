"""What a decision claims (beslutar, rekommenderar, föreslår) and what follows from it: the
delegation it was taken under and its report (anmälan) to the delegating nämnd, and for a
recommendation to principals (huvudmän), each principal's own decision to adopt it.

A consultative body (samverkansorgan, chefsgrupp, samrådsorgan) decides nothing on its
principals' behalf: its recommendation binds a principal only from the day that principal
adopts it by its own decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.domain.mandate import ClaimKind
from registry.errors import InvalidInput, InvalidTransition
from registry.ids import natural_id
from registry.values import Context, require_text


@dataclass(frozen=True)
class DelegatedBy:
    """The delegation a decision was taken under, and who took it (for an office holder)."""

    delegation_id: UUID
    person_id: UUID | None = None
    person_name: str | None = None


def claim_id_for(decision_id: UUID) -> UUID:
    return natural_id("decision_claim", str(decision_id))


class DecisionClaim(RegistryAggregate):
    """What one decision claims, and its reports and adoptions."""

    @staticmethod
    def create_id(decision_id: UUID, **_: object):  # type: ignore[override]
        return claim_id_for(decision_id)

    @event("Stated")
    def __init__(
        self,
        decision_id: UUID,
        body_id: UUID,
        decided_on: date,
        kind: ClaimKind,
        matter: str | None,
        amount: Decimal | None,
        delegated_by: DelegatedBy | None,
        principals: tuple[UUID, ...],
        effective_date: date,
        context: Context,
    ) -> None:
        self.decision_id = decision_id
        self.body_id = body_id
        self.decided_on = decided_on
        self.kind = ClaimKind(kind)
        self.matter = matter
        self.amount = amount
        self.delegated_by = delegated_by
        self.principals = tuple(principals)
        # Reports (anmälan) and adoptions, keyed by str(id): snapshots are JSON.
        self.reports: dict[str, date] = {}
        self.adoptions: dict[str, tuple[date, UUID | None]] = {}

    def correct(
        self,
        kind: ClaimKind,
        matter: str | None,
        amount: Decimal | None,
        principals: tuple[UUID, ...],
        reason: str,
        context: Context,
    ) -> None:
        """Correct what was recorded as claimed (a recommendation read as a decision, the
        wrong matter or amount); the old version stays in the history for `knownAt`."""
        kind = ClaimKind(kind)
        if kind is not ClaimKind.RECOMMENDS and self.adoptions:
            raise InvalidTransition(
                "principals have adopted the recommendation; it cannot become a "
                f"{kind.value} claim",
                field="kind",
            )
        if kind is ClaimKind.RECOMMENDS and not principals:
            raise InvalidInput(
                "a recommendation needs its principals (the body has no owners)", field="kind"
            )
        self._corrected(
            self.decision_id,
            kind,
            matter,
            amount,
            principals if kind is ClaimKind.RECOMMENDS else (),
            require_text(reason, "reason"),
            self.decided_on,
            context,
        )

    @event("Corrected")
    def _corrected(
        self,
        decision_id: UUID,
        kind: ClaimKind,
        matter: str | None,
        amount: Decimal | None,
        principals: tuple[UUID, ...],
        reason: str,
        effective_date: date,
        context: Context,
    ) -> None:
        self.kind = ClaimKind(kind)
        self.matter = matter
        self.amount = amount
        self.principals = tuple(principals)

    def report(self, to_body_id: UUID, reported_on: date, context: Context) -> None:
        """The delegated decision is reported (anmäld) to the delegating body at a meeting;
        the decision doing so is in `context`."""
        if self.delegated_by is None:
            raise InvalidTransition(
                "only a decision taken under delegation is reported to the nämnd",
                field="decision",
            )
        if reported_on < self.decided_on:
            raise InvalidInput(
                f"a decision cannot be reported ({reported_on}) before it was taken "
                f"({self.decided_on})",
                field="decision",
            )
        if str(to_body_id) in self.reports:
            raise InvalidTransition(
                f"the decision was already reported on {self.reports[str(to_body_id)]}",
                field="decision",
            )
        self._reported(self.decision_id, to_body_id, reported_on, context)

    # The events name the decision they concern, so that they are on its audit trail.
    @event("Reported")
    def _reported(
        self, decision_id: UUID, to_body_id: UUID, effective_date: date, context: Context
    ) -> None:
        self.reports = {**self.reports, str(to_body_id): effective_date}

    def adopt(self, principal_id: UUID, adopted_on: date, context: Context) -> None:
        """A principal adopts the recommendation by its own decision (in `context`): from
        `adopted_on` it binds that principal."""
        if self.kind is not ClaimKind.RECOMMENDS:
            raise InvalidTransition(
                f"only a recommendation is adopted by principals (this decision {self.kind})",
                field="recommendation",
            )
        if principal_id not in self.principals:
            raise InvalidInput(
                "the organisation is not one of the recommendation's principals",
                field="principal",
            )
        if adopted_on < self.decided_on:
            raise InvalidInput(
                f"a recommendation cannot be adopted ({adopted_on}) before it was made "
                f"({self.decided_on})",
                field="adopted_on",
            )
        if str(principal_id) in self.adoptions:
            raise InvalidTransition(
                f"the principal adopted it on {self.adoptions[str(principal_id)][0]}",
                field="principal",
            )
        self._adopted(self.decision_id, principal_id, adopted_on, context)

    @event("Adopted")
    def _adopted(
        self, decision_id: UUID, principal_id: UUID, effective_date: date, context: Context
    ) -> None:
        self.adoptions = {
            **self.adoptions,
            str(principal_id): (effective_date, context.decision_id),
        }
