"""Commands for the life of a decision after the meeting: justering and anslag of a
meeting's minutes, appeals of its decisions and the court's rulings
(registry/domain/approval.py; the status rule is registry/status/legal.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from registry.commands.unit_of_work import UnitOfWorkApplication
from registry.domain.approval import (
    Appeal,
    AppealRuling,
    ImmediateApproval,
    Justerare,
    MinutesApproval,
    appeal_id_for,
)
from registry.domain.decision import Decision
from registry.domain.meeting import Meeting
from registry.values import Context, require_text

#: Value types stored in these aggregates' events (registered with the transcoder).
APPROVAL_VALUE_TYPES: list[type] = [
    Justerare,
    ImmediateApproval,
    MinutesApproval,
    Appeal,
    AppealRuling,
]


class ApprovalCommands(UnitOfWorkApplication):
    """Justering, anslag and appeals."""

    def record_minutes_approval(
        self,
        meeting_id: UUID,
        approved_on: date,
        justerare: Sequence[UUID],
        context: Context,
        *,
        posted_on: date | None = None,
        taken_down_on: date | None = None,
        kept_at: str | None = None,
        immediate: Sequence[tuple[str, date | None, date | None]] = (),
        decision_ids: Sequence[UUID] = (),
        printed_deadline: date | None = None,
        printed_immediate_deadlines: Sequence[date | None] = (),
    ) -> None:
        """Record that the minutes were approved (justerade) by the chair and `justerare`
        on `approved_on`, and posted (anslag) from `posted_on` to `taken_down_on`; `immediate`
        lists paragraphs approved at once: (item, approved on (default: the meeting's day),
        posted on). `decision_ids` are the meeting's decisions, whose audit trails show it.
        An appeal deadline as printed is checked against the one the law gives."""
        with self._changes() as unit:
            meeting = unit.get(meeting_id, Meeting, "meeting_id")
            found = tuple(
                Justerare(p.id, p.name)
                for i, pid in enumerate(justerare)
                for p in [unit.person(pid, f"justerare[{i}]")]
            )
            approval = MinutesApproval(
                approved_on=approved_on,
                justerare=found,
                posted_on=posted_on,
                taken_down_on=taken_down_on,
                kept_at=require_text(kept_at, "kept_at") if kept_at is not None else None,
                immediate=tuple(
                    ImmediateApproval(item, on or meeting.held_on, posted)
                    for item, on, posted in immediate
                ),
            )
            meeting.record_approval(
                approval,
                tuple(decision_ids),
                context,
                printed_deadline,
                tuple(printed_immediate_deadlines),
            )

    def file_appeal(
        self,
        decision_id: UUID,
        appellant: str,
        filed_on: date,
        context: Context,
        *,
        court: str | None = None,
        case_number: str | None = None,
    ) -> UUID:
        """Record an appeal of a decision (laglighetsprövning); its id."""
        with self._changes() as unit:
            decision = unit.get(decision_id, Decision, "decision")
            appeal_id = appeal_id_for(decision.id, appellant, filed_on)
            decision.file_appeal(
                Appeal(appeal_id, appellant, filed_on, court, case_number), context
            )
        return appeal_id

    def rule_on_appeal(
        self, decision_id: UUID, appeal_id: UUID, outcome: str, ruled_on: date, context: Context
    ) -> None:
        """Record the court's ruling on an appeal: annulled (upphävt), rejected, dismissed or
        withdrawn."""
        with self._changes() as unit:
            decision = unit.get(decision_id, Decision, "decision")
            decision.rule_on_appeal(appeal_id, outcome, ruled_on, context)
