"""Seats (platser) in a body's composition and who holds them: which roles fill which seat,
which seat an appointment takes, and the composition on a day (defined / filled / vacant).

A seat is for an ordinary member (ordinarie ledamot; the chair and vice chairs are ordinary
members too) or for a deputy (ersättare). A personal deputy linked to a member's seat
("socialchef – Johanna Viberg (ersättare Helen Willyams)") stands in for that seat's holder and
does not fill it. Secretaries and co-opted members (adjungerade) hold no seat.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from registry.errors import AmbiguousReference, NotFound, SeatTaken
from registry.values import Role

if TYPE_CHECKING:
    from registry.domain.body import Body, Membership, Seat

MEMBER_ROLES = frozenset(
    {Role.MEMBER, Role.CHAIR, Role.VICE_CHAIR, Role.FIRST_VICE_CHAIR, Role.SECOND_VICE_CHAIR}
)
SEAT_ROLES = (Role.MEMBER, Role.DEPUTY)


def seat_role(role: Role | str | None) -> Role:
    """The role a seat is for (seats defined before seats had a role are members' seats)."""
    return Role(role) if role else Role.MEMBER


def fills(seat_role_: Role | str | None, member_role: Role | str) -> bool:
    """Whether a membership in `member_role` linked to a seat for `seat_role_` fills it."""
    wanted = seat_role(seat_role_)
    role = Role(member_role)
    return role in MEMBER_ROLES if wanted == Role.MEMBER else role == wanted


def _overlap(a: Membership, lower: date, end: date | None) -> bool:
    return (a.end is None or lower < a.end) and (end is None or a.lower < end)


def _defined_by(seat: Seat, day: date) -> bool:
    return seat.defined_on is None or seat.defined_on <= day


def holder_in(body: Body, seat_id: UUID, lower: date, end: date | None, ignoring: set[UUID]):
    """A membership that fills the seat over part of [lower, end), if any."""
    seat = body.seats[seat_id]
    for m in body.memberships.of_seat(seat_id):
        if m.membership_id in ignoring or m.seat_id != seat_id:
            continue
        if fills(seat.role, m.role) and _overlap(m, lower, end):
            return m
    return None


def check_seat_free(body: Body, m: Membership, ignoring: set[UUID]) -> None:
    """A seat has one holder at a time."""
    if m.seat_id is None or not fills(body.seats[m.seat_id].role, m.role):
        return
    other = holder_in(body, m.seat_id, m.lower, m.end, ignoring | {m.membership_id})
    if other is not None:
        label = body.seats[m.seat_id].label
        raise SeatTaken(
            f"the seat {label!r} of {body.name} is held by {other.person_name} "
            f"({other.period_text()}); {m.person_name} cannot fill it from {m.lower}",
            field="seat",
        )


def choose_seat(
    body: Body,
    *,
    label: str | None,
    number: int | None,
    role: Role,
    on_behalf_of: UUID | None,
    deputy_for: UUID | None,
    lower: date,
    end: date | None,
    seat_unknown: bool,
    field: str,
) -> UUID | None:
    """The seat an appointment takes.

    - `label` and `number`: that seat.
    - `label` alone: the first seat of that label free over the period (the seats of one label
      are interchangeable); for a personal deputy, the seat of the member deputised for.
    - neither, in a body with seats the role fills: the seats free over the period whose
      organisation (if any) is the appointee's. One label among them: its first free seat.
      Several: refused with the candidates, unless `seat_unknown` (the source does not say
      which), when the membership holds no seat.
    """
    if label is not None and seat_unknown:
        raise AmbiguousReference(
            f"a seat {label!r} is named, so seat_unknown cannot be true",
            field=f"{field}.seat_unknown",
        )
    if label is None:
        if number is not None:
            raise NotFound("seat_number needs a seat label (seat)", field=f"{field}.seat")
        if seat_unknown:
            return None
        return _match(body, role, on_behalf_of, lower, end, field)
    seats = sorted(
        (s for s in body.seats.values() if s.label.casefold() == label.casefold()),
        key=lambda s: s.ordinal,
    )
    if not seats:
        known = ", ".join(sorted({repr(s.label) for s in body.seats.values()})) or "none"
        raise NotFound(
            f"{body.name} has no seat {label!r} (its seats: {known})",
            field=f"{field}.seat",
        )
    if number is not None:
        for s in seats:
            if s.ordinal == number:
                return s.seat_id
        raise NotFound(
            f"{body.name} has {len(seats)} seat(s) {label!r}, not {number}",
            field=f"{field}.seat_number",
        )
    if not fills(seats[0].role, role):
        # A personal deputy for a seat: the one the member deputised for holds.
        for s in seats:
            held = holder_in(body, s.seat_id, lower, end, set())
            if held is not None and held.person_id == deputy_for:
                return s.seat_id
        return seats[0].seat_id
    for s in seats:
        if holder_in(body, s.seat_id, lower, end, set()) is None:
            return s.seat_id
    raise SeatTaken(
        f"every seat {label!r} of {body.name} ({len(seats)}) is held on {lower}",
        field=f"{field}.seat",
    )


def _match(
    body: Body,
    role: Role,
    on_behalf_of: UUID | None,
    lower: date,
    end: date | None,
    field: str,
) -> UUID | None:
    by_role = [
        s
        for s in sorted(body.seats.values(), key=lambda s: (s.label, s.ordinal))
        if fills(s.role, role) and _defined_by(s, lower)
    ]
    if not by_role:
        return None  # no seat this role fills (a secretary, an adjungerad, or no seats yet)
    # On behalf of an organisation: its seats and those of no organisation. Without one, the
    # organisation is not known and any seat the role fills may be it.
    fitting = [
        s
        for s in by_role
        if on_behalf_of is None or s.on_behalf_of is None or s.on_behalf_of == on_behalf_of
    ]
    if not fitting:
        labels = ", ".join(sorted({repr(s.label) for s in by_role}))
        raise NotFound(
            f"{body.name} has no seat a {role.value} on behalf of that organisation can fill "
            f"(its seats: {labels}); name one with `seat`, or say `seat_unknown: true`",
            field=f"{field}.on_behalf_of",
        )
    free = [s for s in fitting if holder_in(body, s.seat_id, lower, end, set()) is None]
    labels = sorted({s.label for s in free})
    if len(labels) == 1:
        return free[0].seat_id
    if not labels:
        raise SeatTaken(
            f"every seat of {body.name} a {role.value} can fill is held on "
            f"{lower}; end a membership first, or name the seat",
            field=f"{field}.seat",
        )
    candidates = ", ".join(repr(label) for label in labels)
    raise AmbiguousReference(
        f"{body.name} has several seats a {role.value} can fill ({candidates}); "
        "name one with `seat`, or say `seat_unknown: true` (with a note) when the source does "
        "not say which",
        field=f"{field}.seat",
    )


# -- the composition on a day -------------------------------------------------------------


@dataclass(frozen=True)
class SeatGroup:
    """The seats of one label on a day."""

    label: str
    role: Role
    defined: int
    filled: int

    @property
    def vacant(self) -> int:
        return self.defined - self.filled


@dataclass(frozen=True)
class Composition:
    """A body's seats on a day: how many are defined, filled by a holder, vacant; and the
    members (in a role that fills seats) the source links to no seat."""

    groups: tuple[SeatGroup, ...]
    members_without_seat: int

    @property
    def defined(self) -> int:
        return sum(g.defined for g in self.groups)

    @property
    def filled(self) -> int:
        return sum(g.filled for g in self.groups)

    @property
    def vacant(self) -> int:
        return self.defined - self.filled


def seat_holders(
    seats: Iterable[Any], members: Sequence[Any], key: str = "seat_id"
) -> dict[str, list[Any]]:
    """For each seat (rows with `seat_id` and `role`), the members on the day that fill it.
    `members` are the memberships held on the day (rows with `seat_id` and `role`)."""
    found: dict[str, list[Any]] = {}
    for s in seats:
        sid = str(s[key])
        found[sid] = [
            m
            for m in members
            if m.seat_id is not None and str(m.seat_id) == sid and fills(s.get("role"), m.role)
        ]
    return found


def composition(seats: Sequence[dict], members: Sequence[Any]) -> Composition:
    """The composition from the seats defined on the day and the memberships held on it."""
    holders = seat_holders(seats, members)
    groups: dict[tuple[str, Role], list[int]] = {}
    for s in seats:
        counts = groups.setdefault((s["label"], seat_role(s.get("role"))), [0, 0])
        counts[0] += 1
        counts[1] += 1 if holders[str(s["seat_id"])] else 0
    seat_ids = {str(s["seat_id"]) for s in seats}
    without = sum(
        1
        for m in members
        if any(fills(r, m.role) for r in {role for _, role in groups})
        and (m.seat_id is None or str(m.seat_id) not in seat_ids)
    )
    return Composition(
        groups=tuple(SeatGroup(label, role, d, f) for (label, role), (d, f) in groups.items()),
        members_without_seat=without,
    )
