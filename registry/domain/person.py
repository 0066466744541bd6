"""Person: name, name variants and merging of two records found to be one person."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.errors import InvalidTransition
from registry.ids import natural_id, normalise
from registry.values import Context, require_text


class Person(RegistryAggregate):
    """A person named in minutes. Names and roles in minutes are public records; the same
    person is often spelt differently ("Annett"/"Anette Haaf"), hence name variants."""

    @staticmethod
    def create_id(key: str, **_: object):  # type: ignore[override]
        return natural_id("person", key)

    @event("Registered")
    def __init__(
        self,
        key: str,
        name: str,
        title: str | None,
        party: str | None,
        organisation_id: UUID | None,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.key = key
        self.name = name
        self.title = title
        self.party = party
        self.organisation_id = organisation_id
        self.name_variants: list[str] = []
        self.merged_into: UUID | None = None
        self.absorbed: list[UUID] = []

    def knows_name(self, name: str) -> bool:
        wanted = normalise(name)
        return any(normalise(n) == wanted for n in [self.name, *self.name_variants])

    def add_name_variant(self, variant: str, context: Context, note: str | None = None) -> None:
        """Record another spelling of this person's name (no-op if already known)."""
        variant = require_text(variant, "variant")
        if not self.knows_name(variant):
            self._name_variant_added(variant, note, None, context)

    @event("NameVariantAdded")
    def _name_variant_added(
        self, variant: str, note: str | None, effective_date: date | None, context: Context
    ) -> None:
        self.name_variants.append(variant)

    def merge_into(self, survivor_id: UUID, reason: str, context: Context) -> None:
        """This record is the same person as `survivor_id`; it resolves to that id from now."""
        if survivor_id == self.id:
            raise InvalidTransition(f"{self.name} cannot be merged into itself")
        if self.merged_into is not None:
            raise InvalidTransition(f"{self.name} has already been merged into {self.merged_into}")
        self._merged_into(survivor_id, require_text(reason, "reason"), None, context)

    @event("MergedInto")
    def _merged_into(
        self, survivor_id: UUID, reason: str, effective_date: date | None, context: Context
    ) -> None:
        self.merged_into = survivor_id

    def absorb(self, other: Person, reason: str, context: Context) -> None:
        """The surviving side of a merge: takes the other record's names as variants."""
        self._absorbed(other.id, [other.name, *other.name_variants], reason, None, context)

    @event("Absorbed")
    def _absorbed(
        self,
        other_id: UUID,
        other_names: list[str],
        reason: str,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.absorbed.append(other_id)
        for name in other_names:
            if not self.knows_name(name):
                self.name_variants.append(name)
