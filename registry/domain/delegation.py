"""Delegation (delegationsordning, kommunallagen 6 kap. 37–40 §§): a nämnd lets a committee
(its arbetsutskott), an office holder (a person) or a post (a title, whoever holds it) decide
a class of matters on its behalf, within limits, for a period, by a decision. Decisions taken
under delegation are reported (anmälan) to the nämnd at a later meeting."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.errors import InvalidInput, InvalidTransition
from registry.ids import natural_id, normalise
from registry.values import Context, require_text


class DelegateKind(enum.StrEnum):
    """Who holds a delegation: a body (utskott), a person, or a post (befattning)."""

    BODY = "body"
    PERSON = "person"
    POST = "post"


@dataclass(frozen=True)
class Delegate:
    """The holder of a delegation; `name` as the delegationsordning writes it."""

    kind: DelegateKind
    name: str
    body_id: UUID | None = None
    person_id: UUID | None = None


def delegation_id_for(body_id: UUID, key: str) -> UUID:
    return natural_id("delegation", str(body_id), normalise(key))


class Delegation(RegistryAggregate):
    """One line of a body's delegationsordning: matter, delegate, limits, period."""

    @staticmethod
    def create_id(body_id: UUID, key: str, **_: object):  # type: ignore[override]
        return delegation_id_for(body_id, key)

    @event("Granted")
    def __init__(
        self,
        body_id: UUID,
        key: str,
        matter: str,
        delegate: Delegate,
        limit: str | None,
        max_amount: Decimal | None,
        valid_from: date,
        valid_until: date | None,
        effective_date: date,
        context: Context,
    ) -> None:
        self.body_id = body_id
        self.key = key
        self.matter = matter
        self.delegate = delegate
        self.limit = limit
        self.max_amount = max_amount
        self.valid_from = valid_from
        self.valid_until = valid_until
        self.decision_id = context.decision_id
        self.revoked_by: UUID | None = None

    def holds_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def revoke(self, last_day: date, reason: str, context: Context) -> None:
        """The nämnd withdraws the delegation; `last_day` is the last day it holds."""
        if last_day < self.valid_from:
            raise InvalidInput(
                f"the last day ({last_day}) is before the delegation starts ({self.valid_from})",
                field="last_day",
            )
        if self.revoked_by is not None:
            raise InvalidTransition(f"the delegation {self.key!r} is already revoked")
        self._revoked(require_text(reason, "reason"), last_day, context)

    @event("Revoked")
    def _revoked(self, reason: str, effective_date: date, context: Context) -> None:
        if self.valid_until is None or effective_date < self.valid_until:
            self.valid_until = effective_date
        self.revoked_by = context.decision_id
