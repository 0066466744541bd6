"""Commands for projects and initiatives a body decides on, their financing and how they
end (see registry/domain/project.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from registry.commands.assignments import holder_of, parse_holder_kind
from registry.commands.unit_of_work import UnitOfWorkApplication
from registry.domain.body import Body
from registry.domain.fund import Fund
from registry.domain.project import Financing, Owner, Project, financing_id_for
from registry.ids import normalise
from registry.values import Context, HolderKind, check_period, require_text

#: Value types stored in these aggregates' events (registered with the transcoder).
PROJECT_VALUE_TYPES: list[type] = [Financing, Owner]


class ProjectCommands(UnitOfWorkApplication):
    """Projects: started, financed, approved, completed or stopped."""

    def start_project(
        self,
        body_id: UUID,
        name: str,
        context: Context,
        start: date | None = None,
        end: date | None = None,
        description: str | None = None,
        owner_kind: HolderKind | str | None = None,
        owner_name: str | None = None,
        owner_id: UUID | None = None,
        steering_body_id: UUID | None = None,
        part_of: UUID | None = None,
        proposed: bool = False,
        key: str | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """A project or initiative decided on by `body_id` (or only `proposed` to it), with
        its period, owner, steering group and the project it is part of."""
        name = require_text(name, "name")
        check_period(start, end, f"the project {name!r}")
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id")
            owner = None
            if owner_kind is not None or owner_id is not None or owner_name is not None:
                kind = parse_holder_kind(owner_kind, "owner_kind")
                if owner_id is not None:
                    found = holder_of(unit, kind, owner_id, "owner_id")
                    owner_name = owner_name or found.name
                owner = Owner(kind, require_text(owner_name or "", "owner_name"), owner_id)
            if steering_body_id is not None:
                unit.get(steering_body_id, Body, "steering_body_id")
            if part_of is not None:
                unit.get(part_of, Project, "part_of")
            project = Project(
                key=key or name,
                name=name,
                description=description,
                body_id=body_id,
                start=start,
                end=end,
                owner=owner,
                steering_body_id=steering_body_id,
                part_of=part_of,
                proposed=proposed,
                effective_date=effective_date,
                context=context,
            )
            unit.add(project, f"the project {name!r}")
        return project.id

    def finance_project(
        self,
        project_id: UUID,
        source: str,
        context: Context,
        fund_id: UUID | None = None,
        amount: Decimal | None = None,
        start: date | None = None,
        end: date | None = None,
        note: str | None = None,
        key: str | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """Money for a project, from a fund or a named source, for part of its period."""
        with self._changes() as unit:
            project = unit.get(project_id, Project, "project_id")
            if fund_id is not None:
                fund = unit.get(fund_id, Fund, "fund_id")
                source = source or fund.name
            fid = financing_id_for(
                project_id, key or f"{fund_id or ''}|{normalise(source or '')}|{start}"
            )
            project.finance(
                Financing(
                    fid, require_text(source or "", "source"), fund_id, amount, start, end, note
                ),
                effective_date,
                context,
            )
        return fid

    def approve_project(self, project_id: UUID, approved_on: date, context: Context) -> None:
        """A proposed project is decided on."""
        with self._changes() as unit:
            unit.get(project_id, Project, "project_id").approve(approved_on, context)

    def complete_project(self, project_id: UUID, completed_on: date, context: Context) -> None:
        """A running project is completed on `completed_on`."""
        with self._changes() as unit:
            unit.get(project_id, Project, "project_id").complete(completed_on, context)

    def stop_project(
        self, project_id: UUID, stopped_on: date, reason: str, context: Context
    ) -> None:
        """A running project is stopped before its end, with a reason."""
        with self._changes() as unit:
            unit.get(project_id, Project, "project_id").stop(stopped_on, reason, context)
