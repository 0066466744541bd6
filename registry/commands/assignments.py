"""Commands for assignments (uppdrag) a body gives to a person, a body or an organisation,
and what becomes of them (see registry/domain/assignment.py; whether one is overdue is
registry/status/assignment.py)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from registry.commands.unit_of_work import UnitOfWork, UnitOfWorkApplication
from registry.domain.assignment import Assignment
from registry.domain.body import Body
from registry.domain.organisation import Organisation
from registry.domain.person import Person
from registry.errors import EndBeforeStart, InvalidInput
from registry.ids import normalise
from registry.values import Context, HolderKind, require_text


class AssignmentCommands(UnitOfWorkApplication):
    """Assignments: given, reported on, completed or withdrawn."""

    def give_assignment(
        self,
        body_id: UUID,
        holder_kind: HolderKind | str,
        holder_name: str,
        task: str,
        context: Context,
        holder_id: UUID | None = None,
        due_date: date | None = None,
        given_on: date | None = None,
        key: str | None = None,
    ) -> UUID:
        """A body gives an uppdrag to a person, a body or an organisation."""
        holder_kind = parse_holder_kind(holder_kind, "holder_kind")
        task = require_text(task, "task")
        if given_on is not None and due_date is not None and due_date < given_on:
            raise EndBeforeStart(
                f"the assignment {task!r} is due {due_date}, before it was given {given_on}",
                field="due_date",
            )
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id")
            if holder_id is not None:
                holder_of(unit, holder_kind, holder_id, "holder_id")
            assignment = Assignment(
                key=key or f"{body_id}|{normalise(task)}",
                given_by_body_id=body_id,
                holder_kind=holder_kind,
                holder_id=holder_id,
                holder_name=require_text(holder_name, "holder_name"),
                task=task,
                due_date=due_date,
                effective_date=given_on,
                context=context,
            )
            unit.add(assignment, f"the assignment {task!r}")
        return assignment.id

    def report_assignment(
        self, assignment_id: UUID, reported_on: date, text: str, context: Context
    ) -> None:
        """Progress reported on an open assignment (återrapportering); it stays open."""
        with self._changes() as unit:
            unit.get(assignment_id, Assignment, "assignment_id").report(reported_on, text, context)

    def complete_assignment(
        self, assignment_id: UUID, completed_on: date, context: Context
    ) -> None:
        """ "Uppdraget anses färdigt": the assignment is done."""
        with self._changes() as unit:
            unit.get(assignment_id, Assignment, "assignment_id").complete(completed_on, context)

    def withdraw_assignment(
        self, assignment_id: UUID, withdrawn_on: date, reason: str, context: Context
    ) -> None:
        """The body withdraws an open assignment, with a reason."""
        with self._changes() as unit:
            unit.get(assignment_id, Assignment, "assignment_id").withdraw(
                withdrawn_on, reason, context
            )


def parse_holder_kind(value: HolderKind | str | None, field: str) -> HolderKind:
    """Who holds an assignment or owns a project: a person, a body or an organisation."""
    try:
        return HolderKind(value)  # type: ignore[arg-type]
    except ValueError:
        raise InvalidInput(
            f"{field} {value!r} must be person, body or organisation", field=field
        ) from None


def holder_of(unit: UnitOfWork, kind: HolderKind, holder_id: UUID, field: str) -> Any:
    """The person, body or organisation `holder_id`, checked to be of `kind`."""
    cls = {HolderKind.PERSON: Person, HolderKind.BODY: Body}.get(kind, Organisation)
    return unit.get(holder_id, cls, field)
