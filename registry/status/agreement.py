"""The status of an agreement on a day, and which parties still have to adopt it.

One rule, used by every surface (the GraphQL `agreements(status: ...)` filter and
`Agreement.status`, `partiesNotAdopted`). It takes plain values so that it applies equally to
the aggregate and to a read model's row of it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TypeVar

P = TypeVar("P")


class AgreementStatus(enum.StrEnum):
    """Where an agreement stands on a day."""

    #: It has a known start (or entry-into-force date) after the day.
    NOT_YET_IN_FORCE = "not_yet_in_force"
    #: It applies on the day (gäller).
    IN_FORCE = "in_force"
    #: Its last day (as agreed or as extended by an adopted extension) lies before the day.
    EXPIRED = "expired"
    #: It was terminated (uppsagd) with a last day before the day, earlier than it would
    #: otherwise have ended.
    TERMINATED = "terminated"
    #: Its entry into force needs every party's adoption and some party had not adopted it
    #: by the day.
    PENDING_ADOPTION = "pending_adoption"
    #: Its start is unknown and the day lies before the day it is known to apply from
    #: (`valid_from_not_after`): the source does not say whether it applied then.
    START_UNKNOWN = "start_unknown"


def adopted_by(adoptions: Mapping[P, date], day: date | None) -> set[P]:
    """The parties that had adopted by `day` (all recorded adoptions when `day` is None)."""
    return {p for p, on in adoptions.items() if day is None or on <= day}


def agreement_status(
    day: date,
    *,
    party_ids: Iterable[P],
    adoptions: Mapping[P, date],
    valid_from: date | None,
    valid_from_not_after: date | None,
    not_before: date | None,
    requires_all_adoptions: bool,
    effective_until: date | None,
    terminated_on: date | None,
) -> AgreementStatus:
    """The agreement's status on `day` (valid time), from what is recorded about it.

    `effective_until` is the last valid day after adopted extensions and termination (a
    pending extension does not move it). The end wins over the start: an agreement whose
    last day has passed is EXPIRED (or TERMINATED) even if it never entered into force."""
    if effective_until is not None and day > effective_until:
        if terminated_on is not None and terminated_on == effective_until:
            return AgreementStatus.TERMINATED
        return AgreementStatus.EXPIRED
    if requires_all_adoptions and not set(party_ids) <= adopted_by(adoptions, day):
        return AgreementStatus.PENDING_ADOPTION
    starts = [d for d in (valid_from, not_before) if d is not None]
    if requires_all_adoptions and adoptions:
        starts.append(max(adoptions.values()))
    if starts and day < max(starts):
        return AgreementStatus.NOT_YET_IN_FORCE
    if valid_from is None and valid_from_not_after is not None and day < valid_from_not_after:
        return AgreementStatus.START_UNKNOWN
    return AgreementStatus.IN_FORCE


def parties_not_adopted(
    party_ids: Iterable[P],
    adoptions: Mapping[P, date],
    requires_all_adoptions: bool,
    day: date | None = None,
) -> list[P]:
    """Parties that had not adopted by `day` (None: any day recorded) an agreement whose
    entry into force needs every party's adoption; none for an agreement that applies
    without adoptions (its parties' adoptions are then a record, not a condition)."""
    if not requires_all_adoptions:
        return []
    adopted = adopted_by(adoptions, day)
    return [p for p in party_ids if p not in adopted]
