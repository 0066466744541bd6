"""Project (projekt, satsning): an initiative a body decides on, with its period, owner and
financing ("Projekttiden är 1 mars 2020 – 31 december 2021", "finansieras under första året
genom projektmedel/statsbidrag för utskrivningsprocessen").

The decision that starts a project is the `decision_id` of its first event. A project can be
only proposed (a projektidé that applies for money, a plan endorsed but not yet decided on)
until a decision approves it. Its status on a date follows from the record
(`project_status` in registry/status/project.py): proposed, not yet started, ongoing, ended after its period, completed or
stopped.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.errors import InvalidInput, InvalidTransition
from registry.ids import natural_id
from registry.values import Context, HolderKind, check_period, require_text


class ProjectStatus(enum.StrEnum):
    PROPOSED = "proposed"
    NOT_YET_DECIDED = "not_yet_decided"
    NOT_STARTED = "not_started"
    ONGOING = "ongoing"
    ENDED = "ended"
    COMPLETED = "completed"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Financing:
    """Money for the project: from a fund the registry holds, or a source named in the text
    ("projektmedel/statsbidrag för utskrivningsprocessen"); for part of the period or all."""

    financing_id: UUID
    source: str
    fund_id: UUID | None = None
    amount: Decimal | None = None
    start: date | None = None
    end: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class Owner:
    """Who owns (leads) the project: a person, a body or an organisation."""

    kind: HolderKind
    name: str
    id: UUID | None = None


def financing_id_for(project_id: UUID, key: str) -> UUID:
    return natural_id("financing", str(project_id), key)


class Project(RegistryAggregate):
    """A project or initiative decided on (or proposed), with its financing."""

    @staticmethod
    def create_id(key: str, **_: object):  # type: ignore[override]
        return natural_id("project", key)

    @event("Started")
    def __init__(
        self,
        key: str,
        name: str,
        description: str | None,
        body_id: UUID,
        start: date | None,
        end: date | None,
        owner: Owner | None,
        steering_body_id: UUID | None,
        part_of: UUID | None,
        proposed: bool,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.key = key
        self.name = name
        self.description = description
        self.body_id = body_id
        self.start = start
        self.end = end
        self.owner = owner
        self.steering_body_id = steering_body_id
        self.part_of = part_of
        self.proposed = proposed
        self.decided_on = None if proposed else effective_date
        self.financing: dict[str, Financing] = {}  # str keys: snapshots are JSON
        self.ended_on: date | None = None
        self.outcome: str | None = None  # "completed" or "stopped"
        self.stop_reason: str | None = None

    def finance(self, financing: Financing, effective_date: date | None, context: Context) -> None:
        require_text(financing.source, "source")
        if financing.amount is not None and financing.amount < 0:
            raise InvalidInput(
                f"amount must not be negative (got {financing.amount})", field="amount"
            )
        check_period(financing.start, financing.end, f"the financing of {self.name}")
        for bound, name in ((financing.start, "from"), (financing.end, "until")):
            outside = bound is not None and (
                (self.start is not None and bound < self.start)
                or (self.end is not None and bound > self.end)
            )
            if outside:
                raise InvalidInput(
                    f"{name} {bound} lies outside the project's period "
                    f"({self.start or 'unknown'} – {self.end or 'open'})",
                    field=name,
                )
        if str(financing.financing_id) in self.financing:
            if self.financing[str(financing.financing_id)] == financing:
                return
            raise InvalidTransition(f"{self.name} already has this financing", field="financing")
        self._financed(financing, effective_date, context)

    @event("Financed")
    def _financed(
        self, financing: Financing, effective_date: date | None, context: Context
    ) -> None:
        amount = None if financing.amount is None else Decimal(financing.amount)
        self.financing[str(financing.financing_id)] = Financing(
            financing.financing_id,
            financing.source,
            financing.fund_id,
            amount,
            financing.start,
            financing.end,
            financing.note,
        )

    def approve(self, approved_on: date, context: Context) -> None:
        """A proposed project is decided on."""
        if not self.proposed:
            raise InvalidTransition(f"{self.name} is already decided on", field="project")
        self._approved(approved_on, context)

    @event("Approved")
    def _approved(self, effective_date: date, context: Context) -> None:
        self.proposed = False
        self.decided_on = effective_date

    def complete(self, completed_on: date, context: Context) -> None:
        self._require_running()
        self._completed(completed_on, context)

    @event("Completed")
    def _completed(self, effective_date: date, context: Context) -> None:
        self.ended_on = effective_date
        self.outcome = ProjectStatus.COMPLETED.value

    def stop(self, stopped_on: date, reason: str, context: Context) -> None:
        self._require_running()
        self._stopped(require_text(reason, "reason"), stopped_on, context)

    @event("Stopped")
    def _stopped(self, reason: str, effective_date: date, context: Context) -> None:
        self.ended_on = effective_date
        self.outcome = ProjectStatus.STOPPED.value
        self.stop_reason = reason

    def _require_running(self) -> None:
        if self.outcome is not None:
            raise InvalidTransition(f"{self.name} is already {self.outcome}", field="project")
