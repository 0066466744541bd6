"""GraphQL types for dates known only to the month or year, and for bodies that ceased or
were renamed (registry/dates.py, registry/status/body.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from registry import dates
from registry.domain import body_changes
from registry.status import body as body_status

DatePrecision = strawberry.enum(
    dates.Precision,
    name="DatePrecision",
    description='How much of a date the source gives: DAY, MONTH ("december 2019") or YEAR '
    '("2019").',
)

BodyStatus = strawberry.enum(
    body_status.BodyStatus, description="Where a body stands on a date: ACTIVE or CEASED."
)

CessationKind = strawberry.enum(
    body_changes.CessationKind,
    description="How a body ceased: DISSOLVED (upphörde) or MERGED into its successor.",
)


@strawberry.type(
    description="A date as the source gives it: a day, a month or a year, read as the interval "
    "it denotes. Never widened to a made-up day: `text` is what the source says."
)
class PartialDate:
    text: str = strawberry.field(description='As given: "2019", "2019-12" or "2019-12-14".')
    precision: DatePrecision  # type: ignore[valid-type]
    earliest: date = strawberry.field(description="The first day it can be.")
    latest: date = strawberry.field(description="The last day it can be.")


def partial_date(text: str | None) -> PartialDate | None:
    if not text:
        return None
    value = dates.PartialDate(text)
    return PartialDate(
        text=value.text,
        precision=value.precision,
        earliest=value.earliest,
        latest=value.latest,
    )


@strawberry.type(description="How and when a body ceased (upphörde).")
class BodyCessation:
    on: PartialDate = strawberry.field(description="When: a day, a month or a year.")
    how: CessationKind  # type: ignore[valid-type]
    successor_id: strawberry.ID | None = strawberry.field(
        description="The body that took over its tasks or that it merged into (see "
        "`Body.successor`)."
    )
    note: str | None
    correction_reason: str | None = strawberry.field(
        description="Why it was corrected, when the date or successor was known better later."
    )


@strawberry.type(description="A change of a body's name.")
class BodyRename:
    old_name: str
    name: str
    on: PartialDate = strawberry.field(description="From when: a day, a month or a year.")
    note: str | None


def cessation(view: dict[str, Any]) -> BodyCessation | None:
    ceased = view.get("ceased")
    if not ceased:
        return None
    successor = ceased.get("successor_body_id")
    return BodyCessation(
        on=partial_date(ceased["on"]),  # type: ignore[arg-type]
        how=body_changes.CessationKind(ceased["how"]),
        successor_id=strawberry.ID(successor) if successor else None,
        note=ceased.get("note"),
        correction_reason=ceased.get("correction_reason"),
    )


def renames(view: dict[str, Any]) -> list[BodyRename]:
    return [
        BodyRename(
            old_name=r["old_name"],
            name=r["name"],
            on=partial_date(r["on"]),  # type: ignore[arg-type]
            note=r.get("note"),
        )
        for r in view.get("renames", [])
    ]


def status_on(view: dict[str, Any], day: date) -> body_status.OnDay:
    return body_status.status_on((view.get("ceased") or {}).get("on"), day)


def name_on(view: dict[str, Any], day: date) -> body_status.OnDay:
    changes = [(r["old_name"], r["name"], r["on"]) for r in view.get("renames", [])]
    return body_status.name_on(view["name"], changes, day)
