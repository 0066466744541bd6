"""Person: name, name variants, contact details (as commitments) and merging of two
records found to be one person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.errors import InvalidInput, InvalidTransition
from registry.ids import natural_id, normalise
from registry.values import Context, require_text


@dataclass(frozen=True)
class ContactCommitment:
    """A contact detail as the event log holds it: its kind (email, phone, address), a
    salted SHA-256 commitment to the value and the ref under which the value and salt are
    kept apart (registry/personal_data.py). The value itself is never in an event."""

    ref: UUID
    kind: str
    commitment: str


class Person(RegistryAggregate):
    """A person named in minutes. Names and roles in minutes are public records; the same
    person is often spelt differently ("Annett"/"Anette Haaf"), hence name variants.

    Contact details are not public records: the person holds only commitments to them, and a
    disposal decision (gallringsbeslut) can destroy the values (`redact`)."""

    # Snapshots taken before contact details existed load without them.
    contact_details: tuple[ContactCommitment, ...] = ()
    redacted_refs: tuple[UUID, ...] = ()

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

    # -- contact details (personal data, kept apart) ----------------------------------------

    def live_contact_details(self) -> list[ContactCommitment]:
        """The contact details whose values have not been redacted."""
        return [c for c in self.contact_details if c.ref not in self.redacted_refs]

    def add_contact_details(self, details: tuple[ContactCommitment, ...], context: Context) -> None:
        """Commit to new contact values (the values go to personal_data, never here)."""
        known = {c.ref for c in self.contact_details}
        new = tuple(d for d in details if d.ref not in known)
        if new:
            self._contact_details_added(new, None, context)

    @event("ContactDetailsAdded")
    def _contact_details_added(
        self, details: tuple[ContactCommitment, ...], effective_date: date | None, context: Context
    ) -> None:
        self.contact_details = (*self.contact_details, *details)

    def redact(
        self, refs: list[UUID], decision: str, reason: str, context: Context
    ) -> list[ContactCommitment]:
        """A disposal decision (gallringsbeslut) destroys these contact values: the event
        records which, under which decision, why, by whom (context.actor) and when (its
        timestamp). Returns the details redacted."""
        decision = require_text(decision, "decision")
        reason = require_text(reason, "reason")
        by_ref = {c.ref: c for c in self.contact_details}
        chosen = []
        for ref in refs:
            detail = by_ref.get(ref)
            if detail is None:
                raise InvalidInput(f"{self.name} has no contact detail {ref}", field="refs")
            if ref in self.redacted_refs:
                raise InvalidTransition(
                    f"the {detail.kind} {ref} of {self.name} has already been redacted"
                )
            if detail not in chosen:
                chosen.append(detail)
        if not chosen:
            raise InvalidInput("name at least one contact detail to redact", field="fields")
        self._redacted(
            [c.ref for c in chosen],
            sorted({c.kind for c in chosen}),
            decision,
            reason,
            None,
            context,
        )
        return chosen

    @event("Redacted")
    def _redacted(
        self,
        refs: list[UUID],
        kinds: list[str],
        decision: str,
        reason: str,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.redacted_refs = (*self.redacted_refs, *refs)
