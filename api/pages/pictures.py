"""Pictures drawn on the server as SVG geometry (the templates write the elements): membership
timelines, an agreement's validity and a fund's allocations. Dates in, coordinates out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

WIDTH = 760
LABEL = 230  # left column for names
ROW = 26
TOP = 30


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass
class Axis:
    """Maps days to x between LABEL and WIDTH."""

    start: date
    end: date

    def x(self, day: date) -> float:
        span = max((self.end - self.start).days, 1)
        return round(LABEL + (WIDTH - LABEL - 10) * (day - self.start).days / span, 1)

    def ticks(self) -> list[dict[str, Any]]:
        """Year ticks; month ticks (at most about ten) when the span is under three years."""
        if (self.end - self.start).days >= 3 * 365:
            years = range(self.start.year + 1, self.end.year + 1)
            step = max(1, len(years) // 8)
            return [
                {"x": self.x(date(year, 1, 1)), "label": str(year)}
                for year in years
                if (year - self.start.year - 1) % step == 0
            ]
        months = []
        year, month = self.start.year, self.start.month
        while True:
            month += 1
            if month > 12:
                year, month = year + 1, 1
            first = date(year, month, 1)
            if first > self.end:
                break
            months.append(first)
        step = max(1, -(-len(months) // 10))
        return [
            {"x": self.x(day), "label": day.strftime("%Y-%m")}
            for index, day in enumerate(months)
            if index % step == 0
        ]


def _axis(days: list[date]) -> Axis:
    low, high = min(days), max(days)
    pad = max(timedelta(days=30), (high - low) / 12)
    return Axis(low - pad, high + pad)


@dataclass
class Bar:
    """One membership: a solid part from its start (or from the latest day it is known to have
    started) to its end or the axis end, a dashed lead-in when the start is unknown."""

    id: str
    label: str
    y: float
    x1: float
    x2: float
    start: str
    until: str
    from_unknown: bool
    ongoing: bool
    lead_x: float
    row: dict[str, Any]
    markers: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Timeline:
    height: int
    axis_y: int
    ticks: list[dict[str, Any]]
    bars: list[Bar]
    today_x: float | None
    today_label: str


def membership_timeline(
    memberships: list[dict[str, Any]],
    changes: list[dict[str, Any]],
    as_of: date,
    label: str = "personName",
) -> Timeline:
    """One bar per membership (answer rows with from/fromUnknown/fromNotAfter/until), ordered
    by start; `changes` (composition events with the memberships they left) put a marker on
    each bar at the day of each change, carrying the decision behind it."""
    starts = [_day(m["from"]) or _day(m["fromNotAfter"]) for m in memberships]
    days = [d for d in starts if d] + [_day(m["until"]) for m in memberships if m["until"]]
    days.append(as_of)
    axis = _axis(days)

    def name(membership: dict[str, Any]) -> str:
        return membership["body"]["name"] if label == "body" else membership[label]

    order = sorted(
        zip(memberships, starts, strict=True),
        key=lambda pair: (pair[1] or axis.start, name(pair[0])),
    )
    bars: list[Bar] = []
    for index, (membership, start) in enumerate(order):
        y = TOP + index * ROW
        until = _day(membership["until"])
        x1 = axis.x(start or axis.start)
        x2 = axis.x(until) if until else WIDTH - 10
        bar = Bar(
            id=membership["id"],
            label=name(membership),
            y=y,
            x1=x1,
            x2=max(x2, x1 + 2),
            start=membership["from"] or "",
            until=membership["until"] or "",
            from_unknown=bool(membership["fromUnknown"]),
            ongoing=until is None,
            lead_x=axis.x(axis.start) if membership["fromUnknown"] else x1,
            row=membership,
        )
        for change in changes:
            if any(m["id"] == membership["id"] for m in change.get("memberships") or []):
                when = _day(change["effectiveDate"])
                if when:
                    bar.markers.append({"x": axis.x(when), "type": change["type"], "event": change})
        bars.append(bar)
    height = TOP + max(len(bars), 1) * ROW + 30
    return Timeline(
        height=height,
        axis_y=height - 24,
        ticks=axis.ticks(),
        bars=bars,
        today_x=axis.x(as_of),
        today_label=as_of.isoformat(),
    )


@dataclass
class Segment:
    kind: str  # agreed, unknown, extension, pending
    x1: float
    x2: float
    start: str
    end: str
    label: str


@dataclass
class ValidityPicture:
    segments: list[Segment]
    ticks: list[dict[str, Any]]
    marker_x: float
    marker_label: str
    terminated_x: float | None
    height: int = 110


def agreement_validity(agreement: dict[str, Any], as_of: date) -> ValidityPicture | None:
    """The agreed period (a dashed lead-in when its start is unknown), each extension after it
    (adopted solid, pending dashed) and a line on the chosen day."""
    start = _day(agreement["validFrom"]) or _day(agreement["validFromNotAfter"])
    until = _day(agreement["validUntil"])
    extensions = sorted(agreement["extensions"], key=lambda e: e["newUntil"])
    days = [d for d in (start, until, _day(agreement["terminatedOn"]), as_of) if d]
    days += [_day(e["newUntil"]) for e in extensions]
    if not start:
        return None
    axis = _axis([d for d in days if d])
    segments: list[Segment] = []
    if agreement["validFromUnknown"]:
        segments.append(
            Segment("unknown", axis.x(axis.start), axis.x(start), "", start.isoformat(), "")
        )
    end = until or axis.end
    segments.append(
        Segment(
            "agreed",
            axis.x(start),
            axis.x(end),
            start.isoformat(),
            until.isoformat() if until else "",
            "",
        )
    )
    previous = end
    for extension in extensions:
        new_until = _day(extension["newUntil"])
        assert new_until is not None
        kind = "pending" if extension["status"] == "pending" else "extension"
        segments.append(
            Segment(
                kind,
                axis.x(previous),
                axis.x(new_until),
                (previous + timedelta(days=1)).isoformat(),
                new_until.isoformat(),
                extension["key"],
            )
        )
        if kind == "extension":
            previous = max(previous, new_until)
    terminated = _day(agreement["terminatedOn"])
    return ValidityPicture(
        segments=segments,
        ticks=axis.ticks(),
        marker_x=axis.x(as_of),
        marker_label=as_of.isoformat(),
        terminated_x=axis.x(terminated) if terminated else None,
    )


@dataclass
class FundBar:
    id: str
    label: str
    amount: str
    x: float
    width: float
    kind: str  # allocation or remaining


def fund_bars(fund: dict[str, Any]) -> list[FundBar]:
    """The total as one horizontal bar: each allocation's share, then what remains."""
    total = Decimal(fund["total"])
    if total <= 0:
        return []
    usable = WIDTH - 20
    x = 10.0
    bars: list[FundBar] = []
    for allocation in fund["allocations"]:
        width = round(usable * float(Decimal(allocation["amount"]) / total), 1)
        bars.append(
            FundBar(
                allocation["id"],
                allocation["recipient"],
                allocation["amount"],
                x,
                width,
                "allocation",
            )
        )
        x += width
    remaining = Decimal(fund["remaining"])
    if remaining > 0:
        bars.append(
            FundBar(
                "",
                "",
                fund["remaining"],
                x,
                round(usable * float(remaining / total), 1),
                "remaining",
            )
        )
    return bars
