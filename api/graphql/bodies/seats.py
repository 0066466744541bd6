"""GraphQL types of a body's composition on a day: seats defined, filled and vacant
(the rules are registry.domain.seats')."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from projections.sql import as_date, as_datetime
from registry.domain import seats as rules


def seats_on(seats: list[dict], as_of: date, known_at: datetime) -> list[dict]:
    """The seats defined on `as_of` as recorded by `known_at` (a seat whose date or record
    time is not known counts as defined)."""
    found = []
    for s in seats:
        defined_on = as_date(s.get("defined_on"))
        recorded = as_datetime(s.get("recorded_from"))
        if defined_on is not None and defined_on > as_of:
            continue
        if recorded is not None and known_at is not None and recorded > known_at:
            continue
        found.append(s)
    return found


@strawberry.type(description="The seats of one label on a day.")
class SeatGroup:
    label: str
    role: str = strawberry.field(description="MEMBER (ordinarie ledamot) or DEPUTY (ersättare).")
    defined: int
    filled: int
    vacant: int


@strawberry.type(
    description="A body's composition on `asOf` as known at `knownAt`: seats defined, filled "
    "by a holder on that day, vacant (no holder recorded); and the members in a role that "
    "fills seats whom the source links to no seat (`membersWithoutSeat`)."
)
class Composition:
    as_of: date
    defined: int
    filled: int
    vacant: int
    members_without_seat: int
    groups: list[SeatGroup]


def composition_of(seats: list[dict], members: list, as_of: date) -> Composition:
    found = rules.composition(seats, members)
    return Composition(
        as_of=as_of,
        defined=found.defined,
        filled=found.filled,
        vacant=found.vacant,
        members_without_seat=found.members_without_seat,
        groups=[
            SeatGroup(
                label=g.label, role=g.role.name, defined=g.defined, filled=g.filled, vacant=g.vacant
            )
            for g in found.groups
        ],
    )
