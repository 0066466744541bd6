"""Where a consultation (remiss) stands on a day."""

from __future__ import annotations

from datetime import date

from registry.domain.consultation import ConsultationStatus


def consultation_status(
    sent_on: date | None,
    sent_on_unknown: bool,
    asked: int,
    answered_on: list[date],
    concluded_on: list[date],
    day: date,
) -> ConsultationStatus:
    """Where a remiss stands on `day`: not yet sent, open while answers are missing,
    answered when every body asked has answered, concluded once the asking body decided."""
    if any(c <= day for c in concluded_on):
        return ConsultationStatus.CONCLUDED
    if sent_on is not None and not sent_on_unknown and day < sent_on:
        return ConsultationStatus.NOT_YET_SENT
    if asked and sum(1 for a in answered_on if a <= day) >= asked:
        return ConsultationStatus.ANSWERED
    return ConsultationStatus.OPEN
