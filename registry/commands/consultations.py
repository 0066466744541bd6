"""Commands for consultations (remisser): a body asks others for their opinion, they
answer (remissvar), and the asking body concludes (see registry/domain/consultation.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from registry.commands.unit_of_work import UnitOfWorkApplication
from registry.domain.body import Body
from registry.domain.consultation import (
    Answer,
    Conclusion,
    Consultation,
    ConsultedBody,
    parse_stance,
)
from registry.domain.decision import Decision
from registry.errors import InvalidInput
from registry.ids import normalise
from registry.values import Context, check_period, require_text

#: Value types stored in these aggregates' events (registered with the transcoder).
CONSULTATION_VALUE_TYPES: list[type] = [ConsultedBody, Answer, Conclusion]


class ConsultationCommands(UnitOfWorkApplication):
    """Remisser: sent, answered and concluded."""

    def send_consultation(
        self,
        body_id: UUID,
        subject: str,
        asked: Sequence[UUID],
        context: Context,
        sent_on: date | None = None,
        sent_on_unknown: bool = False,
        reply_by: date | None = None,
        key: str | None = None,
    ) -> UUID:
        """`body_id` asks the bodies `asked` for their opinion on `subject` (a remiss).
        `sent_on_unknown`: the source does not date it, `sent_on` is the latest it can be."""
        subject = require_text(subject, "subject")
        if not asked:
            raise InvalidInput("asked must name at least one body", field="asked")
        check_period(sent_on, reply_by, f"the remiss {subject!r}")
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id")
            consulted = []
            for i, other in enumerate(asked):
                body = unit.get(other, Body, f"asked[{i}]")
                if any(c.body_id == body.id for c in consulted):
                    raise InvalidInput(f"asked names {body.name} twice", field=f"asked[{i}]")
                consulted.append(ConsultedBody(body.id, body.name))
            consultation = Consultation(
                key=key or f"{body_id}|{normalise(subject)}",
                body_id=body_id,
                subject=subject,
                asked=tuple(consulted),
                sent_on=sent_on,
                sent_on_unknown=sent_on_unknown,
                reply_by=reply_by,
                effective_date=None if sent_on_unknown else sent_on,
                context=context,
            )
            unit.add(consultation, f"the remiss {subject!r}")
        return consultation.id

    def answer_consultation(
        self,
        consultation_id: UUID,
        body_id: UUID,
        answered_on: date,
        stance: str,
        summary: str,
        context: Context,
        decision_id: UUID | None = None,
        note: str | None = None,
    ) -> None:
        """A consulted body's remissvar, with its stance and a summary."""
        with self._changes() as unit:
            consultation = unit.get(consultation_id, Consultation, "consultation_id")
            body = unit.get(body_id, Body, "body_id")
            if decision_id is not None:
                unit.get(decision_id, Decision, "decision_id")
            consultation.answer(
                Answer(
                    body.id,
                    body.name,
                    answered_on,
                    parse_stance(stance),
                    require_text(summary, "summary"),
                    decision_id,
                    note,
                ),
                context,
            )

    def conclude_consultation(
        self, consultation_id: UUID, decision_id: UUID, concluded_on: date, context: Context
    ) -> None:
        """The asking body's decision that refers to the answers."""
        with self._changes() as unit:
            consultation = unit.get(consultation_id, Consultation, "consultation_id")
            decision = unit.get(decision_id, Decision, "decision_id")
            if decision.body_id != consultation.body_id:
                asker = unit.get(consultation.body_id, Body, "body_id")
                raise InvalidInput(
                    f"only the asking body ({asker.name}) concludes its remiss "
                    f"{consultation.subject!r}",
                    field="consultation",
                )
            consultation.conclude(Conclusion(decision_id, concluded_on), context)
