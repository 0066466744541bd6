"""Bodies that cease or change: upphör (dissolved), går upp i (merged into another body), byter
namn (renamed). The dates may be known only to the month or year ("upphörde 2019"); the rules
here read them as the interval they denote, and say when an answer on a day is uncertain.

Used by the Body aggregate (its invariants) and by every surface that answers "what was this
body on that day" (its status and its name), so the rule has one home.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from registry.dates import PartialDate
from registry.errors import InvalidInput, InvalidTransition
from registry.values import require_text

if TYPE_CHECKING:
    from registry.domain.body import Body


class CessationKind(enum.StrEnum):
    """How a body ceased: dissolved (upphörde, avvecklades) or merged into another body (gick
    upp i, slogs samman med). Either may name a successor that took over its tasks."""

    DISSOLVED = "dissolved"
    MERGED = "merged"


def parse_cessation_kind(value: str, field: str = "how") -> CessationKind:
    try:
        return CessationKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in CessationKind)
        raise InvalidInput(f"{field} {value!r} is not one of {allowed}", field=field) from None


def check_cessation(
    body: Body,
    on: PartialDate,
    how: str,
    successor_body_id: UUID | None,
    correcting: bool = False,
) -> None:
    if body.ceased_on is not None and not correcting:
        raise InvalidTransition(
            f"{body.name} already ceased ({body.ceased_on}); record a correction to change it",
            field="date",
        )
    kind = parse_cessation_kind(how)
    if successor_body_id == body.id:
        raise InvalidInput(f"{body.name} cannot be its own successor", field="successor")
    if kind is CessationKind.MERGED and successor_body_id is None:
        raise InvalidInput(
            f"{body.name} merged into another body: name it (successor)", field="successor"
        )
    if body.term_start is not None and on.latest < body.term_start:
        raise InvalidInput(
            f"{body.name} cannot cease ({on}) before its term started ({body.term_start})",
            field="date",
        )


def check_not_ceased(body: Body, day: date, who: str) -> None:
    """A body that surely ceased before `day` takes no new members from that day."""
    if body.ceased_on is None:
        return
    ceased = PartialDate(body.ceased_on)
    if day > ceased.latest:
        raise InvalidTransition(
            f"{body.name} ceased ({ceased}): {who} cannot become a member of it from {day}",
            field="start",
        )


def check_rename(body: Body, name: str, on: PartialDate) -> None:
    name = require_text(name, "name")
    if name == body.name:
        raise InvalidInput(f"{body.name} is already called {name!r}", field="name")
    if body.renames:
        previous = PartialDate(body.renames[-1][2])
        if on.latest < previous.earliest:
            raise InvalidInput(
                f"{body.name}: renames are recorded in order; {on} lies before the last "
                f"rename ({previous})",
                field="date",
            )
