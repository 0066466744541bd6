"""Mutations on person records: two found to be one person merged."""

from __future__ import annotations

from typing import Any

import strawberry

from api.graphql.core.ids import parse_id
from api.mutations.core import Change, Scope, entity, reason_given
from api.mutations.fields import write
from api.mutations.types import PersonWrite
from registry.application import Registry
from registry.domain.person import Person
from registry.values import Context


@write(
    PersonWrite,
    "Two person records found to be one person: the duplicate resolves to the survivor from "
    "now on. The reason is required.",
    versioned=False,
)
def merge_persons(duplicate_id: strawberry.ID, survivor_id: strawberry.ID, reason: str) -> Change:
    duplicate = parse_id(duplicate_id, "duplicateId")
    survivor = parse_id(survivor_id, "survivorId")

    def scope(registry: Registry) -> Scope:
        found = [
            registry.get(duplicate, Person, "duplicateId"),
            registry.get(survivor, Person, "survivorId"),
        ]
        return Scope(organisations={p.organisation_id for p in found if p.organisation_id})

    def run(registry: Registry, context: Context) -> dict[str, Any]:
        registry.merge_persons(duplicate, survivor, reason_given(reason), context)
        return entity(survivor)

    return Change(run, scope)
