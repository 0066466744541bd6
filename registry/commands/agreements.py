"""Commands for agreements (avtal, överenskommelser) between organisations: registering
one, its adoption by each party, extensions, revisions, termination and corrections of
its period (see registry/domain/agreement.py; whether one is in force is
registry/status/agreement.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from registry.commands.unit_of_work import UnitOfWorkApplication
from registry.domain.agreement import Agreement, EntryIntoForce, check_start
from registry.domain.organisation import Organisation
from registry.errors import InvalidInput
from registry.values import Context, check_period, require_text

#: Value types stored in these aggregates' events (registered with the transcoder).
AGREEMENT_VALUE_TYPES: list[type] = [EntryIntoForce]


class AgreementCommands(UnitOfWorkApplication):
    """Agreements and their parties' decisions about them."""

    def register_agreement(
        self,
        title: str,
        party_ids: Sequence[UUID],
        context: Context,
        valid_from: date | None = None,
        valid_until: date | None = None,
        entry_into_force: EntryIntoForce | None = None,
        key: str | None = None,
        valid_from_not_after: date | None = None,
    ) -> UUID:
        """Register an agreement between parties with its period or entry-into-force rule.
        When its start is unknown, `valid_from_not_after` is the day it is known to be valid
        from (at the latest)."""
        title = require_text(title, "title")
        check_start(valid_from, valid_from_not_after, entry_into_force, title)
        check_period(valid_from or valid_from_not_after, valid_until, f"the agreement {title!r}")
        if entry_into_force is not None:
            check_period(entry_into_force.not_before, valid_until, f"the agreement {title!r}")
        if len(set(party_ids)) != len(party_ids) or len(party_ids) < 1:
            raise InvalidInput("party_ids must name each party once", field="party_ids")
        with self._changes() as unit:
            for i, pid in enumerate(party_ids):
                unit.get(pid, Organisation, f"party_ids[{i}]")
            agreement = Agreement(
                key=key or title,
                title=title,
                party_ids=tuple(party_ids),
                valid_from=valid_from,
                valid_until=valid_until,
                entry_into_force=entry_into_force,
                effective_date=valid_from or valid_from_not_after,
                context=context,
                valid_from_not_after=valid_from_not_after,
            )
            unit.add(agreement, f"the agreement {title!r}")
        return agreement.id

    def adopt_agreement(
        self, agreement_id: UUID, party_id: UUID, adopted_on: date, context: Context
    ) -> None:
        """A party adopts (antar) the agreement."""
        with self._changes() as unit:
            unit.get(agreement_id, Agreement, "agreement_id").adopt(party_id, adopted_on, context)

    def extend_agreement(self, agreement_id: UUID, new_until: date, context: Context) -> None:
        """Extend an agreement by a decision that binds every party."""
        with self._changes() as unit:
            unit.get(agreement_id, Agreement, "agreement_id").extend(new_until, context)

    def propose_extension(
        self,
        agreement_id: UUID,
        new_until: date,
        context: Context,
        extension_key: str | None = None,
    ) -> str:
        """An endorsed extension recommended to the parties: pending until all adopt it."""
        with self._changes() as unit:
            agreement = unit.get(agreement_id, Agreement, "agreement_id")
            key = extension_key or f"until-{new_until.isoformat()}"
            agreement.propose_extension(key, new_until, context)
        return key

    def adopt_extension(
        self,
        agreement_id: UUID,
        extension_key: str,
        party_id: UUID,
        adopted_on: date,
        context: Context,
    ) -> None:
        """A party adopts a proposed extension."""
        with self._changes() as unit:
            unit.get(agreement_id, Agreement, "agreement_id").adopt_extension(
                extension_key, party_id, adopted_on, context
            )

    def revise_agreement(
        self, agreement_id: UUID, description: str, effective_date: date | None, context: Context
    ) -> None:
        """Revise the terms (revidering), e.g. a raised fee, from `effective_date`."""
        with self._changes() as unit:
            unit.get(agreement_id, Agreement, "agreement_id").revise(
                description, effective_date, context
            )

    def terminate_agreement(
        self, agreement_id: UUID, last_day: date, reason: str, context: Context
    ) -> None:
        """Terminate (säga upp) the agreement; `last_day` is the last day it is valid."""
        with self._changes() as unit:
            unit.get(agreement_id, Agreement, "agreement_id").terminate(last_day, reason, context)

    def correct_agreement_period(
        self,
        agreement_id: UUID,
        valid_from: date | None,
        valid_until: date | None,
        reason: str,
        context: Context,
        valid_from_not_after: date | None = None,
    ) -> None:
        """Correct an agreement's period; `valid_from_not_after` for a start still unknown."""
        with self._changes() as unit:
            unit.get(agreement_id, Agreement, "agreement_id").correct_period(
                valid_from, valid_until, reason, context, valid_from_not_after
            )
