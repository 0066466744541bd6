"""Commands for decisions (beslut): recording one, with the changes it authorises in the
same unit of work, its statements (reservationer, särskilda uttalanden), votes,
conditions, revocation, supersession and correction (see registry/domain/decision.py and
vote.py; justering and appeals are registry/commands/approvals.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from registry.commands.unit_of_work import UnitOfWorkApplication
from registry.dates import Precision, within_of
from registry.domain.body import Body
from registry.domain.decision import Condition, Decision, DeferredTo, Statement
from registry.domain.meeting import Meeting
from registry.domain.vote import Ballot, StatementAuthors, Vote, parse_vote_choice, vote_id_for
from registry.errors import InvalidInput
from registry.ids import natural_id
from registry.values import Context, DecisionKind, StatementKind, require_text

#: Value types stored in these aggregates' events (registered with the transcoder).
DECISION_VALUE_TYPES: list[type] = [
    Condition,
    Statement,
    DeferredTo,
    StatementAuthors,
    Vote,
    Ballot,
]


@dataclass(frozen=True)
class DecisionHandle:
    """The decision being recorded; its `context` authorises the changes made with it."""

    id: UUID
    context: Context


class DecisionCommands(UnitOfWorkApplication):
    """Decisions and what is recorded about them afterwards."""

    @contextmanager
    def decide(
        self,
        body_id: UUID,
        decided_on: date,
        item: str,
        kind: DecisionKind | str,
        text: str,
        context: Context,
        meeting_id: UUID | None = None,
        conditions: Sequence[str] = (),
        statements: Sequence[Statement] = (),
        ordinal: int = 1,
        decided_on_unknown: bool = False,
        deferred_to: DeferredTo | None = None,
        decided_precision: str | None = None,
    ) -> Iterator[DecisionHandle]:
        """Record a decision; commands run inside the block are authorised by it and saved
        with it in one transaction. `decided_on_unknown`: the source does not give the date,
        and `decided_on` is the latest it can have been. `decided_precision` ("month",
        "year"): the source gives only that much of the date, and `decided_on` is the last day
        of that month or year."""
        try:
            kind = DecisionKind(kind)
        except ValueError:
            allowed = ", ".join(k.value for k in DecisionKind)
            raise InvalidInput(f"kind {kind!r} is not one of {allowed}", field="kind") from None
        decided_precision = _precision(decided_on, decided_precision, decided_on_unknown)
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id")
            if meeting_id is not None:
                if decided_on_unknown:
                    raise InvalidInput(
                        "a decision taken at a meeting has the meeting's date; "
                        "decided_on_unknown is for a decision whose date the source does not give",
                        field="meeting_id",
                    )
                unit.get(meeting_id, Meeting, "meeting_id")
            decision = Decision(
                body_id=body_id,
                decided_on=decided_on,
                item=require_text(item, "item"),
                ordinal=ordinal,
                meeting_id=meeting_id,
                kind=kind,
                text=require_text(text, "text"),
                conditions=tuple(
                    Condition(
                        natural_id("condition", f"{decided_on}|{item}|{ordinal}", i),
                        require_text(c, f"conditions[{i}]"),
                    )
                    for i, c in enumerate(conditions)
                ),
                effective_date=None if decided_on_unknown else decided_on,
                context=context,
                decided_on_unknown=decided_on_unknown,
                deferred_to=deferred_to,
                decided_precision=decided_precision,
            )
            day = f"unknown date (not after {decided_on})" if decided_on_unknown else decided_on
            if decided_precision:
                day = f"{within_of(decided_on, decided_precision)}"
            unit.add(decision, f"decision {ordinal} on item {item!r} of {day}")
            for s in statements:
                decision.record_statement(s, context)
            yield DecisionHandle(decision.id, context.authorised_by(decision.id))

    def record_decision(self, *args: Any, **kwargs: Any) -> UUID:
        """A decision without effects on other aggregates (same arguments as `decide`)."""
        with self.decide(*args, **kwargs) as handle:
            return handle.id

    def record_statement(
        self,
        decision_id: UUID,
        person_name: str,
        kind: StatementKind | str,
        text: str,
        context: Context,
        person_id: UUID | None = None,
        authors: StatementAuthors | None = None,
        vote_id: UUID | None = None,
    ) -> None:
        """A reservation or särskilt uttalande on a decision. `authors`: made by several
        members or a party group ("X m.fl. (V)"); `vote_id`: the vote its authors lost."""
        with self._changes() as unit:
            decision = unit.get(decision_id, Decision, "decision_id")
            if person_id is not None:
                person_id = unit.person(person_id, "person_id").id
            if authors is not None:
                ids = tuple(
                    unit.person(p, f"authors[{i}]").id if p is not None else None
                    for i, p in enumerate(authors.person_ids)
                )
                authors = dataclasses.replace(authors, person_ids=ids)
                if person_id is None and ids:
                    person_id = ids[0]
            decision.record_statement(
                Statement(person_id, person_name, StatementKind(kind), text, authors, vote_id),
                context,
            )

    def record_vote(
        self,
        decision_id: UUID,
        context: Context,
        question: str | None = None,
        yes: int | None = None,
        no: int | None = None,
        abstain: int | None = None,
        ballots: Sequence[Ballot] = (),
        note: str | None = None,
    ) -> UUID:
        """A votering on a decision: the counts (ja, nej, avstår) and, where the minutes give
        them, the members' votes."""
        with self._changes() as unit:
            decision = unit.get(decision_id, Decision, "decision_id")
            checked = []
            for i, b in enumerate(ballots):
                if b.person_id is not None:
                    b = dataclasses.replace(
                        b, person_id=unit.person(b.person_id, f"ballots[{i}].person").id
                    )
                checked.append(dataclasses.replace(b, choice=parse_vote_choice(b.choice, i)))
            ordinal = len(decision.votes) + 1
            vote = Vote(
                vote_id=vote_id_for(decision_id, ordinal),
                ordinal=ordinal,
                question=question.strip() if question and question.strip() else None,
                yes=yes,
                no=no,
                abstain=abstain,
                ballots=tuple(checked),
                note=note,
            )
            decision.record_vote(vote, context)
        return vote.vote_id

    def meet_condition(
        self,
        decision_id: UUID,
        condition_id: UUID,
        met_on: date,
        context: Context,
        note: str | None = None,
    ) -> None:
        """A condition of the decision is met on `met_on`."""
        with self._changes() as unit:
            unit.get(decision_id, Decision, "decision_id").meet_condition(
                condition_id, met_on, note, context
            )

    def withdraw_condition(
        self,
        decision_id: UUID,
        condition_id: UUID,
        withdrawn_on: date,
        reason: str,
        context: Context,
    ) -> None:
        """A condition of a decision will not be met (withdrawn, or the approval refused):
        the decision lapses and what it authorised never applies."""
        with self._changes() as unit:
            unit.get(decision_id, Decision, "decision_id").withdraw_condition(
                condition_id, withdrawn_on, reason, context
            )

    def revoke_decision(self, decision_id: UUID, on: date, reason: str, context: Context) -> None:
        """Revoke the decision from `on`, with a reason."""
        with self._changes() as unit:
            unit.get(decision_id, Decision, "decision_id").revoke(on, reason, context)

    def supersede_decision(
        self, decision_id: UUID, by_decision_id: UUID, on: date, context: Context
    ) -> None:
        """A later decision replaces this one from `on`."""
        with self._changes() as unit:
            unit.get(by_decision_id, Decision, "by_decision_id")
            unit.get(decision_id, Decision, "decision_id").supersede(by_decision_id, on, context)

    def correct_decision(
        self, decision_id: UUID, kind: DecisionKind | str, text: str, reason: str, context: Context
    ) -> None:
        """Correct a wrongly recorded kind or text; the old version stays in the history."""
        with self._changes() as unit:
            unit.get(decision_id, Decision, "decision_id").correct(
                DecisionKind(kind), text, reason, context
            )


def _precision(decided_on: date, precision: str | None, decided_on_unknown: bool) -> str | None:
    """The precision a decision's date is stored with: None for a day; "month" or "year"
    only with `decided_on` the last day of it and `decided_on_unknown`."""
    if precision in (None, Precision.DAY):
        return None
    within = within_of(decided_on, precision)
    if not decided_on_unknown or within.latest != decided_on:
        raise InvalidInput(
            f"a decision known only to the {precision} has decided_on the last "
            f"day of it ({within.latest}) and decided_on_unknown",
            field="date",
        )
    return str(Precision(precision))
