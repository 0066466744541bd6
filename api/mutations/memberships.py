"""Mutations on a body's memberships: appoint, end, replace (C ersätter D) and correct one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import strawberry

from api.graphql.core.ids import parse_id
from api.mutations.core import Change, entity, of_body, optional_id, reason_given
from api.mutations.fields import write
from api.mutations.types import AppointmentInput, BodyWrite
from registry.application import Appointment, Registry
from registry.domain.body import Body
from registry.values import Context


def _appointment(given: AppointmentInput, field_name: str) -> Appointment:
    return Appointment(
        person_id=parse_id(given.person_id, f"{field_name}.personId"),
        role=given.role.value if given.role is not None else None,
        start=given.start,
        start_not_after=given.start_not_after,
        end=given.end,
        seat_id=optional_id(given.seat_id, f"{field_name}.seatId"),
        on_behalf_of=optional_id(given.on_behalf_of, f"{field_name}.onBehalfOf"),
        deputy_for=optional_id(given.deputy_for, f"{field_name}.deputyFor"),
        note=given.note,
    )


def _on_body(body: UUID, run: Callable[[Registry, Context], dict[str, Any]]) -> Change:
    """The change `run` makes to the body's memberships, answered as the body's."""
    return Change(run, of_body(body), (body, Body, "bodyId"))


@write(BodyWrite, "Appoint a person to a body in a role.")
def appoint(body_id: strawberry.ID, appointment: AppointmentInput) -> Change:
    body = parse_id(body_id, "bodyId")
    wanted = _appointment(appointment, "appointment")

    def run(registry: Registry, context: Context) -> dict[str, Any]:
        return entity(body, membership_id=registry.appoint(body, wanted, context))

    return _on_body(body, run)


@write(BodyWrite, "End a membership; `end` is the first day it no longer holds.")
def end_membership(body_id: strawberry.ID, membership_id: strawberry.ID, end: date) -> Change:
    body = parse_id(body_id, "bodyId")
    membership = parse_id(membership_id, "membershipId")

    def run(registry: Registry, context: Context) -> dict[str, Any]:
        registry.end_membership(body, membership, end, context)
        return entity(body, membership_id=membership)

    return _on_body(body, run)


@write(
    BodyWrite,
    '"C ersätter D": the outgoing person\'s membership ends and the incoming '
    "one's begins on `incoming.start`.",
)
def replace_member(
    body_id: strawberry.ID, outgoing_person_id: strawberry.ID, incoming: AppointmentInput
) -> Change:
    body = parse_id(body_id, "bodyId")
    outgoing = parse_id(outgoing_person_id, "outgoingPersonId")
    wanted = _appointment(incoming, "incoming")

    def run(registry: Registry, context: Context) -> dict[str, Any]:
        membership = registry.replace_member(body, outgoing, wanted, context)
        return entity(body, membership_id=membership)

    return _on_body(body, run)


@write(
    BodyWrite,
    "Correct a wrongly recorded membership (dates, role, seat...); the reason is required.",
)
def correct_membership(
    body_id: strawberry.ID, membership_id: strawberry.ID, corrected: AppointmentInput, reason: str
) -> Change:
    body = parse_id(body_id, "bodyId")
    membership = parse_id(membership_id, "membershipId")
    wanted = _appointment(corrected, "corrected")

    def run(registry: Registry, context: Context) -> dict[str, Any]:
        registry.correct_membership(body, membership, wanted, reason_given(reason), context)
        return entity(body, membership_id=membership)

    return _on_body(body, run)
