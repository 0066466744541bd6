"""Dates known only to the month or year, kept as the source gives them.

A source often says "upphörde 2019" or "beslut i december": a date whose day is not known.
Such a date is an interval (all of 2019, all of December 2019), never a made-up day. It is
kept as the text the source gives ("2019", "2019-12", "2019-12-14") and read as the interval
it denotes: on a day inside the interval the registry cannot tell whether the fact already
held, and every answer that depends on it says so.
"""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass
from datetime import date

from registry.errors import InvalidInput

_FORM = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")


class Precision(enum.StrEnum):
    """How much of a date the source gives: the day, only the month, or only the year."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class Position(enum.StrEnum):
    """Where a day lies relative to a date of some precision."""

    BEFORE = "before"  # the day is before the earliest day the date can be
    WITHIN = "within"  # the day is inside the interval: whether the date has passed is unknown
    AFTER = "after"  # the day is on or after the latest day the date can be


@dataclass(frozen=True)
class PartialDate:
    """A date as the source gives it: "2019" (a year), "2019-12" (a month) or a day.

    `earliest` and `latest` are the first and last day of the interval it denotes."""

    text: str

    @classmethod
    def parse(cls, value: str | date, field: str = "date") -> PartialDate:
        """Read "YYYY", "YYYY-MM" or "YYYY-MM-DD"; refuse anything else, naming `field`."""
        if isinstance(value, date):
            return cls(value.isoformat())
        match = _FORM.match(str(value).strip())
        if match is None:
            raise InvalidInput(
                f"{field}: {value!r} is not a date (YYYY-MM-DD, or YYYY-MM or YYYY when the "
                "source gives only the month or the year)",
                field=field,
            )
        year, month, day = match["year"], match["month"], match["day"]
        try:
            if day is not None:
                date(int(year), int(month), int(day))
            elif month is not None and not 1 <= int(month) <= 12:
                raise ValueError
        except ValueError:
            raise InvalidInput(f"{field}: {value!r} is not a calendar date", field=field) from None
        return cls(match.group(0))

    @property
    def precision(self) -> Precision:
        return {4: Precision.YEAR, 7: Precision.MONTH}.get(len(self.text), Precision.DAY)

    @property
    def earliest(self) -> date:
        year, month, day = [*self.text.split("-"), "1", "1"][:3]
        return date(int(year), int(month), int(day))

    @property
    def latest(self) -> date:
        first = self.earliest
        if self.precision is Precision.YEAR:
            return date(first.year, 12, 31)
        if self.precision is Precision.MONTH:
            return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
        return first

    @property
    def exact(self) -> date | None:
        """The day, when the source gives it; None otherwise."""
        return self.earliest if self.precision is Precision.DAY else None

    def position(self, day: date) -> Position:
        """Whether the date has passed on `day`: surely not, surely, or unknown (inside)."""
        if day < self.earliest:
            return Position.BEFORE
        if day >= self.latest:
            return Position.AFTER
        return Position.WITHIN

    def __str__(self) -> str:
        return self.text


def within_of(latest: date, precision: Precision | str) -> PartialDate:
    """The partial date of `precision` whose last day is `latest` (how decisions store it)."""
    precision = Precision(precision)
    if precision is Precision.YEAR:
        return PartialDate(f"{latest.year:04d}")
    if precision is Precision.MONTH:
        return PartialDate(f"{latest.year:04d}-{latest.month:02d}")
    return PartialDate(latest.isoformat())


def position_on(day: date, latest: date, unknown: bool, precision: str | None) -> Position:
    """Whether a date recorded as `latest` (its last possible day) has passed on `day`.

    An exact date has passed from that day. A date known to the month or year (`precision`)
    is the interval it denotes. A date of which only the latest bound is known (`unknown`
    without a precision: "taken by 2020-03-06 at the latest") may have passed on any day
    before that bound."""
    if precision not in (None, Precision.DAY):
        return within_of(latest, precision).position(day)
    if day >= latest:
        return Position.AFTER
    return Position.WITHIN if unknown else Position.BEFORE
