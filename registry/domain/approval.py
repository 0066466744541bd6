"""Justering and anslag of a meeting's minutes, and appeals of its decisions (the rules of
what follows from them are in registry/status/legal.py).

The first page of municipal minutes says who approved them (justerare) and when, when the
notice that they are approved was posted (anslag) and taken down, where the minutes are kept,
and which paragraphs were approved at once (omedelbar justering), with their own dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from registry.errors import InvalidInput
from registry.ids import natural_id
from registry.lifecycle import AppealOutcome, appeal_deadline


@dataclass(frozen=True)
class Justerare:
    """A member who approved (justerade) the minutes with the chair."""

    person_id: UUID
    name: str


@dataclass(frozen=True)
class ImmediateApproval:
    """A paragraph approved at once (omedelbar justering), with the day it was approved and
    the day that was posted (None: not given)."""

    item: str
    approved_on: date
    posted_on: date | None = None


@dataclass(frozen=True)
class MinutesApproval:
    """Justering and anslag of a meeting's minutes."""

    approved_on: date
    justerare: tuple[Justerare, ...] = ()
    posted_on: date | None = None
    taken_down_on: date | None = None
    kept_at: str | None = None
    immediate: tuple[ImmediateApproval, ...] = ()

    def window_of(self, item: str) -> tuple[date, date | None]:
        """The days of justering and anslag that apply to a decision under `item`."""
        for i in self.immediate:
            if i.item == item:
                return i.approved_on, i.posted_on
        return self.approved_on, self.posted_on


def _dated(
    held_on: date, approved_on: date, posted_on: date | None, within: str | None = None
) -> None:
    """Approved not before the meeting, posted not before approved. `within`: the field of
    an immediate paragraph the dates belong to."""
    if approved_on < held_on:
        raise InvalidInput(
            f"the minutes cannot be approved ({approved_on}) before the meeting ({held_on})",
            field=within or "approved_on",
        )
    if posted_on is not None and posted_on < approved_on:
        raise InvalidInput(
            f"the notice cannot be posted ({posted_on}) before the minutes are approved "
            f"({approved_on})",
            field=within or "posted_on",
        )


def check_approval(
    approval: MinutesApproval,
    held_on: date,
    items: Sequence[str],
    printed_deadline: date | None = None,
    printed_immediate_deadlines: Sequence[date | None] = (),
    present: Sequence[UUID] = (),
) -> None:
    """Refuse dates out of order, an immediate paragraph the meeting does not have or given
    twice, a justerare twice or (when the minutes list who was present) not present, and an
    appeal deadline as printed that is not the one the law gives (three weeks from the
    posting, to the next weekday)."""
    _dated(held_on, approval.approved_on, approval.posted_on)
    if approval.taken_down_on is not None:
        if approval.posted_on is None:
            raise InvalidInput(
                "taken_down_on needs posted_on (the day the notice was posted)",
                field="taken_down_on",
            )
        if approval.taken_down_on < approval.posted_on:
            raise InvalidInput(
                f"the notice cannot be taken down ({approval.taken_down_on}) before it was "
                f"posted ({approval.posted_on})",
                field="taken_down_on",
            )
    seen: set[UUID] = set()
    for i, j in enumerate(approval.justerare):
        if j.person_id in seen:
            raise InvalidInput(f"{j.name} is listed twice as justerare", field=f"justerare[{i}]")
        if present and j.person_id not in present:
            raise InvalidInput(
                f"{j.name} approves the minutes (justerare) but is not listed as present",
                field=f"justerare[{i}]",
            )
        seen.add(j.person_id)
    _check_printed(approval.posted_on, printed_deadline, "appeal_deadline")
    numbers: set[str] = set()
    for k, immediate in enumerate(approval.immediate):
        where = f"immediate[{k}]"
        if immediate.item not in items:
            raise InvalidInput(
                f"the meeting has no item {immediate.item!r} to approve at once", field=where
            )
        if immediate.item in numbers:
            raise InvalidInput(f"item {immediate.item!r} is listed twice", field=where)
        numbers.add(immediate.item)
        _dated(held_on, immediate.approved_on, immediate.posted_on, where)
        printed = printed_immediate_deadlines[k] if k < len(printed_immediate_deadlines) else None
        _check_printed(immediate.posted_on, printed, where)


def _check_printed(posted_on: date | None, printed: date | None, field: str) -> None:
    if printed is None:
        return
    if posted_on is None:
        raise InvalidInput(
            "an appeal deadline needs the day the notice was posted (posted_on)", field=field
        )
    computed = appeal_deadline(posted_on)
    if printed != computed:
        raise InvalidInput(
            f"the last day to appeal is {computed} (three weeks from the posting on "
            f"{posted_on}, moved past weekends and holidays), not {printed}",
            field=field,
        )


def appeal_id_for(decision_id: UUID, appellant: str, filed_on: date) -> UUID:
    return natural_id("appeal", str(decision_id), appellant, filed_on.isoformat())


@dataclass(frozen=True)
class Appeal:
    """An appeal (laglighetsprövning) of a decision to a court."""

    appeal_id: UUID
    appellant: str
    filed_on: date
    court: str | None = None
    case_number: str | None = None


@dataclass(frozen=True)
class AppealRuling:
    """What the court did with an appeal, and on which day."""

    appeal_id: UUID
    outcome: str
    ruled_on: date


def parse_outcome(value: str) -> AppealOutcome:
    try:
        return AppealOutcome(value)
    except ValueError:
        allowed = ", ".join(o.value for o in AppealOutcome)
        raise InvalidInput(f"outcome {value!r} is not one of {allowed}", field="outcome") from None
