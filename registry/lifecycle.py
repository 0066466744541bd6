"""The life of a municipal decision after the meeting: justering, anslag, the appeal window
and laga kraft (kommunallagen 2017:725, 8 kap. 12 § and 13 kap. 5 §).

One home for these rules: the domain, the importer and GraphQL use them.

- The minutes are approved (justering) on a day; a paragraph may be approved at once
  (omedelbar justering) and then has its own dates.
- That they are approved is posted on the notice board (anslag). Anyone may appeal
  (laglighetsprövning) within three weeks of the day of posting: the last day is the posting
  day + 21 days, moved to the next weekday when it falls on a Saturday, Sunday, public holiday,
  midsommarafton, julafton or nyårsafton (lag 1930:173 om beräkning av lagstadgad tid, 2 §).
- A decision no one appealed in time is final (laga kraft) from the day after the last day.
  One appealed awaits the court; one the court quashed (upphävt) is annulled; one whose appeal
  was rejected, dismissed or withdrawn is final from the day the registry records that outcome
  (a further appeal to kammarrätten is recorded as an appeal of its own).

Only the decisions of a kommunal nämnd, styrelse, utskott or fullmäktige have this life: a
samverkansorgan, chefsgrupp or samrådsorgan decides nothing that can be appealed this way,
and its decisions have no legal status at all (None); nor has a bordläggning or återremiss,
which only prepares the matter (13 kap. 2 §).
"""

from __future__ import annotations

import enum
from datetime import date, timedelta
from functools import lru_cache

import holidays

#: Three weeks from the day of posting (13 kap. 5 § kommunallagen).
APPEAL_PERIOD = timedelta(weeks=3)

#: Body kinds whose decisions are appealed by laglighetsprövning (kommunala organ).
LEGAL_STATUS_BODY_KINDS = frozenset(
    {
        "nämnd",
        "styrelse",
        "utskott",
        "fullmäktige",
        "kommunfullmäktige",
        "regionfullmäktige",
        "kommunstyrelse",
        "regionstyrelse",
    }
)


#: Decision kinds that only prepare a matter (beredning: bordläggning, återremiss), which
#: cannot be appealed (13 kap. 2 § kommunallagen).
PREPARATORY_KINDS = frozenset({"deferred", "referred_back"})


def has_legal_status(body_kind: str | None, decision_kind: str | None = None) -> bool:
    """True when a decision of this kind by a body of this kind can be appealed and gain
    laga kraft: a kommunal organ's decision that is more than a step in preparing a matter."""
    if decision_kind in PREPARATORY_KINDS:
        return False
    return (body_kind or "").strip().casefold() in LEGAL_STATUS_BODY_KINDS


@lru_cache(maxsize=64)
def _days_off(year: int) -> frozenset[date]:
    """The Swedish public holidays of a year and the eves the law treats like them:
    midsommarafton (the day before midsommardagen), julafton and nyårsafton. Sundays are
    not listed here (the `holidays` package lists them as holidays unless told not to);
    weekends are checked on their own."""
    public = holidays.Sweden(years=year, include_sundays=False)
    days = set(public)
    midsummer = [d for d, name in public.items() if "midsummer" in name.casefold()]
    days.update(d - timedelta(days=1) for d in midsummer)
    days.update({date(year, 12, 24), date(year, 12, 31)})
    return frozenset(days)


def is_day_off(day: date) -> bool:
    """Saturday, Sunday, a public holiday, midsommarafton, julafton or nyårsafton."""
    return day.weekday() >= 5 or day in _days_off(day.year)


def next_weekday(day: date) -> date:
    """`day`, or the first day after it that is not a day off."""
    while is_day_off(day):
        day += timedelta(days=1)
    return day


def appeal_deadline(posted_on: date) -> date:
    """The last day to appeal a decision whose approved minutes were posted on `posted_on`."""
    return next_weekday(posted_on + APPEAL_PERIOD)


class AppealOutcome(enum.StrEnum):
    """What the court did with an appeal."""

    ANNULLED = "annulled"  # upphävt: the decision is quashed
    REJECTED = "rejected"  # avslaget: the decision stands
    DISMISSED = "dismissed"  # avvisat (late, or the appellant may not appeal)
    WITHDRAWN = "withdrawn"  # återkallat


__all__ = [
    "APPEAL_PERIOD",
    "AppealOutcome",
    "appeal_deadline",
    "has_legal_status",
    "is_day_off",
    "next_weekday",
]
