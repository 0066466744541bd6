"""Commands for organisations: regions, kommuner, kommunalförbund and SKR (see
registry/domain/organisation.py)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from registry.commands.unit_of_work import UnitOfWorkApplication
from registry.domain.organisation import Organisation
from registry.values import Context, require_text


class OrganisationCommands(UnitOfWorkApplication):
    """Register and rename organisations."""

    def register_organisation(
        self,
        name: str,
        kind: str,
        context: Context,
        key: str | None = None,
        effective_date: date | None = None,
    ) -> UUID:
        """Register a region, kommun, kommunalförbund or SKR. Id from `key` (default: name)."""
        name = require_text(name, "name")
        with self._changes() as unit:
            org = Organisation(
                key=key or name,
                name=name,
                kind=require_text(kind, "kind"),
                effective_date=effective_date,
                context=context,
            )
            unit.add(org, f"the organisation {name!r}")
        return org.id

    def rename_organisation(
        self, organisation_id: UUID, name: str, effective_date: date | None, context: Context
    ) -> None:
        """A new name from `effective_date`; the old one stays in the history."""
        with self._changes() as unit:
            unit.get(organisation_id, Organisation, "organisation_id").rename(
                name, effective_date, context
            )
