"""Mutations on an agreement: a party adopts it (antar avtalet) or an extension of it, and its
period corrected."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import strawberry

from api.graphql.core.ids import parse_id
from api.mutations.core import Change, Scope, entity, reason_given
from api.mutations.fields import write
from api.mutations.types import AgreementWrite
from registry.application import Registry
from registry.domain.agreement import Agreement
from registry.values import Context


def _on_agreement(
    agreement: UUID, party: UUID | None, command: Callable[[Registry, Context], object]
) -> Change:
    """The change that runs `command(registry, context)` on the agreement and answers it:
    adopting binds one party; a correction concerns all of them."""

    def scope(registry: Registry) -> Scope:
        found = registry.get(agreement, Agreement, "agreementId")
        return Scope(organisations={party} if party else set(found.party_ids))

    def run(registry: Registry, context: Context) -> dict[str, Any]:
        command(registry, context)
        return entity(agreement)

    return Change(run, scope, (agreement, Agreement, "agreementId"))


@write(
    AgreementWrite,
    "Correct an agreement's period (`validFromNotAfter` for a start still unknown); the "
    "reason is required.",
)
def correct_agreement_period(
    agreement_id: strawberry.ID,
    reason: str,
    valid_from: date | None = None,
    valid_until: date | None = None,
    valid_from_not_after: date | None = None,
) -> Change:
    agreement = parse_id(agreement_id, "agreementId")
    return _on_agreement(
        agreement,
        None,
        lambda registry, context: registry.correct_agreement_period(
            agreement, valid_from, valid_until, reason_given(reason), context, valid_from_not_after
        ),
    )


@write(AgreementWrite, "A party adopts an agreement (antar avtalet).")
def adopt_agreement(
    agreement_id: strawberry.ID, party_id: strawberry.ID, adopted_on: date
) -> Change:
    agreement = parse_id(agreement_id, "agreementId")
    party = parse_id(party_id, "partyId")
    return _on_agreement(
        agreement,
        party,
        lambda registry, context: registry.adopt_agreement(agreement, party, adopted_on, context),
    )


@write(AgreementWrite, "A party adopts a proposed extension of an agreement.")
def adopt_extension(
    agreement_id: strawberry.ID, extension_key: str, party_id: strawberry.ID, adopted_on: date
) -> Change:
    agreement = parse_id(agreement_id, "agreementId")
    party = parse_id(party_id, "partyId")
    return _on_agreement(
        agreement,
        party,
        lambda registry, context: registry.adopt_extension(
            agreement, extension_key, party, adopted_on, context
        ),
    )
