"""Consultation (remiss): a body asks other bodies for their opinion on a matter; each
answers with its own decision on a date, with a stance (tillstyrker, tillstyrker med
synpunkter, avstyrker, avstår) and a summary; the asking body's decision then refers to the
answers ("Ärendet har remitterats till ... Kommunstyrelsen föreslår ...").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.errors import InvalidInput, InvalidTransition
from registry.ids import natural_id
from registry.values import Context, require_text


class Stance(enum.StrEnum):
    """The answer's position: tillstyrker, tillstyrker med synpunkter, avstyrker, avstår."""

    SUPPORTS = "supports"
    SUPPORTS_WITH_REMARKS = "supports_with_remarks"
    OPPOSES = "opposes"
    ABSTAINS = "abstains"


class ConsultationStatus(enum.StrEnum):
    NOT_YET_SENT = "not_yet_sent"
    OPEN = "open"
    ANSWERED = "answered"
    CONCLUDED = "concluded"


@dataclass(frozen=True)
class ConsultedBody:
    body_id: UUID
    name: str


@dataclass(frozen=True)
class Answer:
    """One remissvar: the answering body, the day it decided its answer, its stance and a
    summary; `decision_id` is the answering body's decision when the registry holds it."""

    body_id: UUID
    body_name: str
    answered_on: date
    stance: Stance
    summary: str
    decision_id: UUID | None = None
    note: str | None = None


@dataclass(frozen=True)
class Conclusion:
    """The asking body's decision that refers to the answers."""

    decision_id: UUID
    concluded_on: date


def parse_stance(value: str | Stance) -> Stance:
    try:
        return Stance(value)
    except ValueError:
        allowed = ", ".join(s.value for s in Stance)
        raise InvalidInput(f"stance {value!r} is not one of {allowed}", field="stance") from None


class Consultation(RegistryAggregate):
    """A remiss: asked by one body of several, answered by each, concluded by the asker."""

    @staticmethod
    def create_id(key: str, **_: object):  # type: ignore[override]
        return natural_id("consultation", key)

    @event("Sent")
    def __init__(
        self,
        key: str,
        body_id: UUID,
        subject: str,
        asked: tuple[ConsultedBody, ...],
        sent_on: date | None,
        sent_on_unknown: bool,
        reply_by: date | None,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.key = key
        self.body_id = body_id
        self.subject = subject
        self.asked = tuple(asked)
        self.sent_on = sent_on
        self.sent_on_unknown = sent_on_unknown
        self.reply_by = reply_by
        self.answers: dict[str, Answer] = {}  # by answering body id (str: snapshots are JSON)
        self.conclusions: list[Conclusion] = []

    def answer(self, answer: Answer, context: Context) -> None:
        """A consulted body's answer; each body answers once."""
        if str(answer.body_id) not in {str(a.body_id) for a in self.asked}:
            asked = ", ".join(a.name for a in self.asked) or "nobody"
            raise InvalidInput(
                f"{answer.body_name} was not asked in the remiss {self.subject!r} (asked: {asked})",
                field="body",
            )
        require_text(answer.summary, "summary")
        parse_stance(answer.stance)
        if (
            self.sent_on is not None
            and not self.sent_on_unknown
            and answer.answered_on < self.sent_on
        ):
            raise InvalidInput(
                f"{answer.body_name} answered on {answer.answered_on}, before the remiss was "
                f"sent on {self.sent_on}",
                field="answered_on",
            )
        given = self.answers.get(str(answer.body_id))
        if given is not None:
            if given == answer:
                return
            raise InvalidTransition(
                f"{answer.body_name} has already answered the remiss {self.subject!r} "
                f"(on {given.answered_on})",
                field="body",
            )
        self._answered(answer, answer.answered_on, context)

    @event("Answered")
    def _answered(self, answer: Answer, effective_date: date, context: Context) -> None:
        self.answers[str(answer.body_id)] = Answer(
            answer.body_id,
            answer.body_name,
            answer.answered_on,
            Stance(answer.stance),
            answer.summary,
            answer.decision_id,
            answer.note,
        )

    def conclude(self, conclusion: Conclusion, context: Context) -> None:
        """The asking body decides, referring to the answers."""
        if any(c.decision_id == conclusion.decision_id for c in self.conclusions):
            return
        latest = max((a.answered_on for a in self.answers.values()), default=None)
        if latest is not None and conclusion.concluded_on < latest:
            raise InvalidInput(
                f"the decision of {conclusion.concluded_on} cannot refer to an answer given "
                f"later ({latest})",
                field="consultation",
            )
        self._concluded(conclusion, conclusion.concluded_on, context)

    @event("Concluded")
    def _concluded(self, conclusion: Conclusion, effective_date: date, context: Context) -> None:
        self.conclusions.append(conclusion)
