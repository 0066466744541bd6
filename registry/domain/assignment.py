"""Assignment (uppdrag): a task given by a body to a person, body or organisation."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.errors import InvalidInput, InvalidTransition
from registry.ids import natural_id
from registry.values import Context, HolderKind, require_text


class Assignment(RegistryAggregate):
    """ "Uppdrag att återkomma med förslag": given, reported on, completed or withdrawn."""

    @staticmethod
    def create_id(key: str, **_: object):  # type: ignore[override]
        return natural_id("assignment", key)

    @event("Given")
    def __init__(
        self,
        key: str,
        given_by_body_id: UUID,
        holder_kind: HolderKind,
        holder_id: UUID | None,
        holder_name: str,
        task: str,
        due_date: date | None,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.key = key
        self.given_by_body_id = given_by_body_id
        self.holder_kind = HolderKind(holder_kind)
        self.holder_id = holder_id
        self.holder_name = holder_name
        self.task = task
        self.due_date = due_date
        self.given_on = effective_date
        self.status = "open"
        self.reports: list[tuple[date, str]] = []

    def report(self, reported_on: date, text: str, context: Context) -> None:
        """Återrapportering: progress reported to the body."""
        self._require_open()
        if self.given_on is not None and reported_on < self.given_on:
            raise InvalidInput(
                f"the assignment {self.task!r} cannot be reported on ({reported_on}) before it "
                f"was given ({self.given_on})",
                field="reported_on",
            )
        self._reported(require_text(text, "text"), reported_on, context)

    @event("Reported")
    def _reported(self, text: str, effective_date: date, context: Context) -> None:
        self.reports.append((effective_date, text))

    def complete(self, completed_on: date, context: Context) -> None:
        """ "Uppdraget anses färdigt"."""
        self._require_open()
        if self.given_on is not None and completed_on < self.given_on:
            raise InvalidInput(
                f"the assignment cannot be completed ({completed_on}) before it was given "
                f"({self.given_on})",
                field="completed_on",
            )
        self._completed(completed_on, context)

    @event("Completed")
    def _completed(self, effective_date: date, context: Context) -> None:
        self.status = "completed"

    def withdraw(self, withdrawn_on: date, reason: str, context: Context) -> None:
        self._require_open()
        self._withdrawn(require_text(reason, "reason"), withdrawn_on, context)

    @event("Withdrawn")
    def _withdrawn(self, reason: str, effective_date: date, context: Context) -> None:
        self.status = "withdrawn"

    def _require_open(self) -> None:
        if self.status != "open":
            raise InvalidTransition(f"the assignment {self.task!r} is {self.status}")
