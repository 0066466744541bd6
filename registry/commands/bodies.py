"""Commands for bodies: registering a samrådsorgan, chefsgrupp, styrgrupp, utskott or
nämnd, its seats, its new names and its end (see registry/domain/body.py and
body_changes.py; who sits in it is registry/commands/memberships.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from registry.commands.unit_of_work import UnitOfWork, UnitOfWorkApplication
from registry.dates import PartialDate
from registry.domain.body import Body, Seat, seat_id_for
from registry.domain.organisation import Organisation
from registry.domain.seats import SEAT_ROLES
from registry.errors import InvalidInput
from registry.values import Context, Role, check_period, parse_role, require_text

#: Value types stored in these aggregates' events (registered with the transcoder).
BODY_VALUE_TYPES: list[type] = [Seat]


@dataclass(frozen=True)
class SeatSpec:
    """Seats to define: `count` places with one label ("3 från hälso- och sjukvården"), for
    ordinary members or (`role` deputy) for ersättare."""

    label: str
    count: int = 1
    on_behalf_of: UUID | None = None
    note: str | None = None
    role: Role | str | None = None


class BodyCommands(UnitOfWorkApplication):
    """Bodies, their seats, names and cessation."""

    def register_body(
        self,
        name: str,
        kind: str,
        context: Context,
        key: str | None = None,
        parent_body_id: UUID | None = None,
        owner_organisation_ids: Sequence[UUID] = (),
        mandate: str | None = None,
        term_start: date | None = None,
        term_end: date | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """Register a body (samrådsorgan, chefsgrupp, styrgrupp, utskott, nämnd)."""
        name = require_text(name, "name")
        check_period(term_start, term_end, f"the term of {name!r}")
        with self._changes() as unit:
            if parent_body_id is not None:
                unit.get(parent_body_id, Body, "parent_body_id")
            for i, org_id in enumerate(owner_organisation_ids):
                unit.get(org_id, Organisation, f"owner_organisation_ids[{i}]")
            body = Body(
                key=key or name,
                name=name,
                kind=require_text(kind, "kind"),
                parent_body_id=parent_body_id,
                owner_organisation_ids=tuple(owner_organisation_ids),
                mandate=mandate,
                term_start=term_start,
                term_end=term_end,
                effective_date=effective_date or term_start,
                context=context,
            )
            unit.add(body, f"the body {name!r}")
        return body.id

    def define_seats(
        self,
        body_id: UUID,
        seats: Sequence[SeatSpec],
        context: Context,
        effective_date: date | None = None,
    ) -> list[UUID]:
        """Define seats, filled later or vacant ("1 skolchef – utses")."""
        with self._changes() as unit:
            body = unit.get(body_id, Body, "body_id")
            defined: list[Seat] = []
            for i, spec in enumerate(seats):
                if spec.count < 1:
                    raise InvalidInput(f"seats[{i}].count must be at least 1", field="count")
                if spec.on_behalf_of is not None:
                    unit.get(spec.on_behalf_of, Organisation, f"seats[{i}].on_behalf_of")
                taken = sum(1 for s in body.seats.values() if s.label == spec.label)
                for n in range(spec.count):
                    defined.append(
                        Seat(
                            seat_id=seat_id_for(body.id, spec.label, taken + n + 1),
                            label=require_text(spec.label, f"seats[{i}].label"),
                            on_behalf_of=spec.on_behalf_of,
                            note=spec.note,
                            role=_seat_role(spec.role, f"seats[{i}].role"),
                            ordinal=taken + n + 1,
                        )
                    )
            body.define_seats(tuple(defined), effective_date, context)
        return [s.seat_id for s in defined]

    def cease_body(
        self,
        body_id: UUID,
        on: PartialDate | str,
        context: Context,
        how: str = "dissolved",
        successor_body_id: UUID | None = None,
    ) -> None:
        """The body ceases (upphör) on `on`, which may be a month or a year ("2019"):
        dissolved, or merged into `successor_body_id` (which may also have only taken over
        its tasks when it was dissolved)."""
        on = _partial(on)
        with self._changes() as unit:
            _ceasing(unit, body_id, successor_body_id).cease(on, how, successor_body_id, context)

    def correct_body_cessation(
        self,
        body_id: UUID,
        on: PartialDate | str,
        reason: str,
        context: Context,
        how: str = "dissolved",
        successor_body_id: UUID | None = None,
    ) -> None:
        """Correct when or how a body ceased (a year found to be a month, a successor)."""
        on = _partial(on)
        with self._changes() as unit:
            _ceasing(unit, body_id, successor_body_id).correct_cessation(
                on, how, successor_body_id, reason, context
            )

    def rename_body(
        self, body_id: UUID, name: str, on: PartialDate | str, context: Context
    ) -> None:
        """The body is called `name` from `on` (a day, month or year); its id stays."""
        on = _partial(on)
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id").rename(name, on, context)


def _partial(on: PartialDate | str) -> PartialDate:
    return PartialDate.parse(on, "date") if isinstance(on, str) else on


def _ceasing(unit: UnitOfWork, body_id: UUID, successor_body_id: UUID | None) -> Body:
    """The body that ceases, after checking that its successor (if named) is a body."""
    if successor_body_id is not None:
        unit.get(successor_body_id, Body, "successor")
    return unit.get(body_id, Body, "body_id")


def _seat_role(value: Role | str | None, field_name: str) -> Role | None:
    """A seat is for ordinary members or for deputies (ersättare)."""
    if value is None:
        return None
    role = parse_role(value, field_name)
    if role not in SEAT_ROLES:
        raise InvalidInput(
            f"{field_name} {role.value!r}: a seat is for a member or a deputy", field=field_name
        )
    return role
