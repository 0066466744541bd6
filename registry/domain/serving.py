"""Tjänstgörande ersättare: a deputy who serves in a member's place at one meeting (with the
member's vote), as the minutes list them ("Tjänstgörande ersättare: X för Y")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from registry.errors import InvalidInput


@dataclass(frozen=True)
class ServingDeputy:
    """`person` serves at the meeting in the place of `serving_for` (a member of the body)."""

    person_id: UUID
    name: str
    serving_for_id: UUID
    serving_for_name: str
    note: str | None = None


def check_serving(serving: Sequence[ServingDeputy]) -> None:
    """Each deputy serves once, for someone else, and each member has one deputy serving."""
    deputies: set[UUID] = set()
    members: set[UUID] = set()
    for i, s in enumerate(serving):
        field = f"serving[{i}]"
        if s.person_id == s.serving_for_id:
            raise InvalidInput(
                f"{field}: {s.name} cannot serve in their own place", field=f"{field}.serving_for"
            )
        if s.person_id in deputies:
            raise InvalidInput(f"{field}: {s.name} is listed twice", field=f"{field}.person")
        if s.serving_for_id in members:
            raise InvalidInput(
                f"{field}: someone already serves for {s.serving_for_name}",
                field=f"{field}.serving_for",
            )
        deputies.add(s.person_id)
        members.add(s.serving_for_id)
