"""Decision (beslut, ställningstagande): kind, text, conditions, statements, revocation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from uuid import UUID

from eventsourcing.domain import event

from registry.dates import PartialDate, Precision, within_of
from registry.domain import RegistryAggregate
from registry.domain.approval import Appeal, AppealRuling, parse_outcome
from registry.domain.vote import StatementAuthors, Vote, tallied
from registry.errors import InvalidInput, InvalidTransition, NotFound
from registry.ids import natural_id
from registry.values import Context, DecisionKind, StatementKind, require_text


@dataclass(frozen=True)
class Condition:
    """Something that must be met before the decision applies ("kräver politisk förankring")."""

    condition_id: UUID
    text: str


@dataclass(frozen=True)
class DeferredTo:
    """The meeting a deferred item goes to ("skjuts upp till nästa möte"): the body and day
    of that meeting (its id follows from them, so the link holds before it is recorded)."""

    meeting_id: UUID
    body_id: UUID
    held_on: date


@dataclass(frozen=True)
class Statement:
    """A reservation or särskilt uttalande by a member, attached to the decision."""

    person_id: UUID | None
    person_name: str
    kind: StatementKind
    text: str
    # Made by several members or a party group ("X m.fl. (V)"); None: by `person_name` alone.
    authors: StatementAuthors | None = None
    # A reservation made after a vote: the vote (votering) its authors lost.
    vote_id: UUID | None = None


def decision_id_for(
    body_id: UUID,
    decided_on: date,
    item: str,
    ordinal: int = 1,
    decided_on_unknown: bool = False,
    decided_precision: str | None = None,
) -> UUID:
    # A decision of unknown date is not the decision taken on the latest day it can have been,
    # nor is one known to the month or year ("i december 2019").
    day = f"not after {decided_on.isoformat()}" if decided_on_unknown else decided_on.isoformat()
    if decided_precision not in (None, Precision.DAY):
        day = f"in {within_of(decided_on, decided_precision)}"
    return natural_id("decision", str(body_id), day, item, ordinal)


class Decision(RegistryAggregate):
    """What a body decided on an item of a meeting (or in a statement such as an utlåtande).

    When the source does not give the date (another body's decision quoted without one),
    `decided_on_unknown` is true and `decided_on` is the latest it can have been. When the
    source gives only the month or year ("beslut i december 2019"), `decided_precision` says
    which, and `decided_on` is the last day of that month or year."""

    # Snapshots taken before the fields existed load without them.
    decided_on_unknown = False
    withdrawn_conditions = MappingProxyType({})
    deferred_to = None
    decided_precision: str | None = None
    votes: tuple[Vote, ...] = ()
    appeals: tuple[Appeal, ...] = ()
    appeal_rulings: tuple[AppealRuling, ...] = ()

    @staticmethod
    def create_id(  # type: ignore[override]
        body_id: UUID,
        decided_on: date,
        item: str,
        ordinal: int = 1,
        decided_on_unknown: bool = False,
        decided_precision: str | None = None,
        **_: object,
    ):
        return decision_id_for(
            body_id, decided_on, item, ordinal, decided_on_unknown, decided_precision
        )

    @event("Recorded")
    def __init__(
        self,
        body_id: UUID,
        decided_on: date,
        item: str,
        ordinal: int,
        meeting_id: UUID | None,
        kind: DecisionKind,
        text: str,
        conditions: tuple[Condition, ...],
        effective_date: date | None,
        context: Context,
        decided_on_unknown: bool = False,
        deferred_to: DeferredTo | None = None,
        decided_precision: str | None = None,
    ) -> None:
        self.body_id = body_id
        self.decided_on = decided_on
        self.decided_on_unknown = decided_on_unknown
        self.decided_precision = decided_precision
        self.item = item
        self.ordinal = ordinal
        self.meeting_id = meeting_id
        self.kind = DecisionKind(kind)
        self.text = text
        # Keyed by str(condition_id): snapshots are JSON, whose keys are strings.
        self.conditions = {str(c.condition_id): c for c in conditions}
        self.met_conditions: dict[str, date] = {}
        self.withdrawn_conditions = {}
        self.deferred_to = deferred_to
        self.statements: list[Statement] = []
        self.revoked_on: date | None = None
        self.superseded_by: UUID | None = None

    @property
    def status(self) -> str:
        """in_force, conditional (a condition is not yet met), lapsed (a condition was
        withdrawn or refused), revoked or superseded."""
        if self.revoked_on is not None:
            return "revoked"
        if self.superseded_by is not None:
            return "superseded"
        if self.withdrawn_conditions:
            return "lapsed"
        if set(self.conditions) - set(self.met_conditions):
            return "conditional"
        return "in_force"

    @property
    def known_date(self) -> date | None:
        """The day decided; None when the source does not give it."""
        return None if self.decided_on_unknown else self.decided_on

    @property
    def decided_within(self) -> PartialDate | None:
        """The month or year decided, when the source gives no day; else None."""
        if self.decided_precision in (None, Precision.DAY):
            return None
        return within_of(self.decided_on, self.decided_precision)

    def applies_from(self) -> date | None:
        """The date the decision applies: when its last condition was met, else decided_on
        (for a decision of unknown date, the latest it can have been)."""
        if self.status == "conditional":
            return None
        return max([self.decided_on, *self.met_conditions.values()])

    def record_statement(self, statement: Statement, context: Context) -> None:
        require_text(statement.person_name, "statement.person_name")
        require_text(statement.text, "statement.text")
        if statement.vote_id is not None and all(
            v.vote_id != statement.vote_id for v in self.votes
        ):
            raise NotFound("the decision has no such vote", field="vote")
        self._statement_recorded(statement, self.known_date, context)

    @event("StatementRecorded")
    def _statement_recorded(
        self, statement: Statement, effective_date: date | None, context: Context
    ) -> None:
        self.statements.append(statement)

    def record_vote(self, vote: Vote, context: Context) -> None:
        """A votering on the decision: counts and, where given, the members' votes."""
        if any(v.vote_id == vote.vote_id for v in self.votes):
            raise InvalidInput(f"the decision already has vote {vote.ordinal}", field="votes")
        self._vote_recorded(tallied(vote), self.known_date, context)

    @event("VoteRecorded")
    def _vote_recorded(self, vote: Vote, effective_date: date | None, context: Context) -> None:
        self.votes = (*self.votes, vote)

    def file_appeal(self, appeal: Appeal, context: Context) -> None:
        """An appeal (laglighetsprövning) of the decision was filed with a court."""
        require_text(appeal.appellant, "appellant")
        if any(a.appeal_id == appeal.appeal_id for a in self.appeals):
            raise InvalidInput(
                f"the appeal by {appeal.appellant} filed on {appeal.filed_on} is already recorded",
                field="appellant",
            )
        if not self.decided_on_unknown and appeal.filed_on < self.decided_on:
            raise InvalidInput(
                f"an appeal cannot be filed ({appeal.filed_on}) before the decision "
                f"({self.decided_on})",
                field="filed_on",
            )
        self._appeal_filed(appeal, appeal.filed_on, context)

    @event("AppealFiled")
    def _appeal_filed(self, appeal: Appeal, effective_date: date, context: Context) -> None:
        self.appeals = (*self.appeals, appeal)

    def rule_on_appeal(
        self, appeal_id: UUID, outcome: str, ruled_on: date, context: Context
    ) -> None:
        """The court ruled on an appeal: annulled (upphävt), rejected, dismissed or
        withdrawn."""
        found = [a for a in self.appeals if a.appeal_id == appeal_id]
        if not found:
            raise NotFound("the decision has no such appeal", field="appeal")
        done = [r for r in self.appeal_rulings if r.appeal_id == appeal_id]
        if done:
            raise InvalidTransition(
                f"the appeal by {found[0].appellant} was already ruled on ({done[0].outcome} "
                f"on {done[0].ruled_on})"
            )
        if ruled_on < found[0].filed_on:
            raise InvalidInput(
                f"the court cannot rule ({ruled_on}) before the appeal was filed "
                f"({found[0].filed_on})",
                field="outcome_on",
            )
        ruling = AppealRuling(appeal_id, parse_outcome(outcome).value, ruled_on)
        self._appeal_ruled_on(ruling, ruled_on, context)

    @event("AppealRuledOn")
    def _appeal_ruled_on(
        self, ruling: AppealRuling, effective_date: date, context: Context
    ) -> None:
        self.appeal_rulings = (*self.appeal_rulings, ruling)

    def meet_condition(
        self, condition_id: UUID, met_on: date, note: str | None, context: Context
    ) -> None:
        """The condition is met (for example by the decision named in `context`)."""
        if str(condition_id) not in self.conditions:
            raise NotFound(f"the decision has no condition {condition_id}", field="condition_id")
        if str(condition_id) in self.withdrawn_conditions:
            raise InvalidTransition(
                f"the condition {self.conditions[str(condition_id)].text!r} was withdrawn on "
                f"{self.withdrawn_conditions[str(condition_id)]}"
            )
        if str(condition_id) in self.met_conditions:
            raise InvalidTransition(
                f"the condition {self.conditions[str(condition_id)].text!r} was already met on "
                f"{self.met_conditions[str(condition_id)]}"
            )
        if not self.decided_on_unknown and met_on < self.decided_on:
            raise InvalidInput(
                f"a condition cannot be met ({met_on}) before the decision ({self.decided_on})",
                field="met_on",
            )
        self._condition_met(UUID(str(condition_id)), note, met_on, context)

    @event("ConditionMet")
    def _condition_met(
        self, condition_id: UUID, note: str | None, effective_date: date, context: Context
    ) -> None:
        self.met_conditions[str(condition_id)] = effective_date

    def withdraw_condition(
        self, condition_id: UUID, withdrawn_on: date, reason: str, context: Context
    ) -> None:
        """The condition will not be met: the political approval is refused, or the
        condition is withdrawn. The decision lapses, and what it authorised never applies."""
        key = str(condition_id)
        if key not in self.conditions:
            raise NotFound(f"the decision has no condition {condition_id}", field="condition_id")
        if key in self.met_conditions:
            raise InvalidTransition(
                f"the condition {self.conditions[key].text!r} was met on "
                f"{self.met_conditions[key]}; revoke the decision instead"
            )
        if key in self.withdrawn_conditions:
            raise InvalidTransition(
                f"the condition {self.conditions[key].text!r} was already withdrawn on "
                f"{self.withdrawn_conditions[key]}"
            )
        if not self.decided_on_unknown and withdrawn_on < self.decided_on:
            raise InvalidInput(
                f"a condition cannot be withdrawn ({withdrawn_on}) before the decision "
                f"({self.decided_on})",
                field="withdrawn_on",
            )
        self._condition_withdrawn(UUID(key), require_text(reason, "reason"), withdrawn_on, context)

    @event("ConditionWithdrawn")
    def _condition_withdrawn(
        self, condition_id: UUID, reason: str, effective_date: date, context: Context
    ) -> None:
        # A dict of its own: the class attribute is shared by instances loaded from old
        # snapshots.
        self.withdrawn_conditions = {**self.withdrawn_conditions, str(condition_id): effective_date}

    def revoke(self, on: date, reason: str, context: Context) -> None:
        if self.status in ("revoked", "superseded"):
            raise InvalidTransition(f"the decision is already {self.status}")
        self._revoked(require_text(reason, "reason"), on, context)

    @event("Revoked")
    def _revoked(self, reason: str, effective_date: date, context: Context) -> None:
        self.revoked_on = effective_date

    def supersede(self, by_decision_id: UUID, on: date, context: Context) -> None:
        if self.status in ("revoked", "superseded"):
            raise InvalidTransition(f"the decision is already {self.status}")
        if by_decision_id == self.id:
            raise InvalidInput("a decision cannot supersede itself", field="by_decision_id")
        self._superseded(by_decision_id, on, context)

    @event("Superseded")
    def _superseded(self, by_decision_id: UUID, effective_date: date, context: Context) -> None:
        self.superseded_by = by_decision_id

    def correct(self, kind: DecisionKind, text: str, reason: str, context: Context) -> None:
        """Correct a wrongly recorded kind or text; the old version stays in the history."""
        self._corrected(
            DecisionKind(kind),
            require_text(text, "text"),
            require_text(reason, "reason"),
            self.known_date,
            context,
        )

    @event("Corrected")
    def _corrected(
        self,
        kind: DecisionKind,
        text: str,
        reason: str,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.kind = DecisionKind(kind)
        self.text = text
