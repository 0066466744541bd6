"""Where a body stands on a day (active or ceased) and the name it had then, each with
whether an imprecise date (a cessation or rename "in 2019") makes the answer uncertain."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from registry.dates import PartialDate, Position


class BodyStatus(enum.StrEnum):
    """Where a body stands on a day."""

    ACTIVE = "active"
    CEASED = "ceased"


@dataclass(frozen=True)
class OnDay:
    """An answer for one day, and whether an imprecise date makes it uncertain."""

    value: str
    uncertain: bool


def status_on(ceased_on: str | None, day: date) -> OnDay:
    """ACTIVE or CEASED on `day`; uncertain when `day` lies inside an imprecise date of
    cessation (the body ceased in 2019: on 2019-06-01 it may or may not have)."""
    if ceased_on is None:
        return OnDay(BodyStatus.ACTIVE, False)
    position = PartialDate(ceased_on).position(day)
    if position is Position.AFTER:
        return OnDay(BodyStatus.CEASED, False)
    return OnDay(BodyStatus.ACTIVE, position is Position.WITHIN)


def name_on(name: str, renames: Sequence[Sequence[str]], day: date) -> OnDay:
    """The name the body had on `day`, given its current `name` and its renames (old name, new
    name, date as given) in order; uncertain when `day` lies inside a rename's imprecise date
    (the name given is then the one before that rename)."""
    for old, _new, on in renames:
        position = PartialDate(on).position(day)
        if position is not Position.AFTER:
            return OnDay(old, position is Position.WITHIN)
    return OnDay(name, False)
