"""Commands for persons: registering them, their contact details (kept apart from the
events, see registry/personal_data.py), name variants, redaction and merging duplicates
(see registry/domain/person.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from uuid import UUID

from registry.commands.unit_of_work import UnitOfWork, UnitOfWorkApplication
from registry.domain.organisation import Organisation
from registry.domain.person import ContactCommitment, Person
from registry.errors import InvalidInput, NotFound
from registry.personal_data import (
    Erasure,
    PersonalDatum,
    StoredValue,
    check_kind,
    check_value,
    commitment,
    new_salt,
)
from registry.values import Context, require_text

#: Value types stored in these aggregates' events (registered with the transcoder).
PERSON_VALUE_TYPES: list[type] = [ContactCommitment]

#: Contact details given to a command: kind (email, phone, address) to value, or a list of
#: (kind, value) pairs when a person has two of a kind.
ContactValues = Mapping[str, str] | Iterable[tuple[str, str]]


class PersonCommands(UnitOfWorkApplication):
    """Persons and their contact details."""

    def register_person(
        self,
        name: str,
        context: Context,
        title: str | None = None,
        party: str | None = None,
        organisation_id: UUID | None = None,
        key: str | None = None,
        contact: ContactValues | None = None,
    ) -> UUID:
        """Register a person. Id from `key` (default: name, plus organisation if given).
        `contact` values (email, phone, address) are kept apart from the events, which hold
        only commitments to them (see registry/personal_data.py)."""
        name = require_text(name, "name")
        with self._changes() as unit:
            if organisation_id is not None:
                unit.get(organisation_id, Organisation, "organisation_id")
            person = Person(
                key=key or f"{name}|{organisation_id or ''}",
                name=name,
                title=title,
                party=party,
                organisation_id=organisation_id,
                effective_date=None,
                context=context,
            )
            unit.add(person, f"the person {name!r}")
            if contact:
                self._add_contact(unit, person, contact, context)
        return person.id

    def add_contact_details(
        self,
        person_id: UUID,
        contact: ContactValues,
        context: Context,
        refs: Mapping[str, UUID] | None = None,
    ) -> list[UUID]:
        """Record contact values of a person (kept apart; the event holds commitments). A
        value the person already has, unredacted, is not recorded twice. `refs` may fix the
        ref of a kind (the importer does, to keep a file's stored form stable). Returns the
        refs of the values, new or already held."""
        with self._changes() as unit:
            person = unit.get(person_id, Person, "person_id")
            return self._add_contact(unit, person, contact, context, refs or {})

    def _add_contact(
        self,
        unit: UnitOfWork,
        person: Person,
        contact: ContactValues,
        context: Context,
        refs: Mapping[str, UUID] | None = None,
    ) -> list[UUID]:
        pairs = list(contact.items() if isinstance(contact, Mapping) else contact)
        held = self._live_values(unit, person)
        new: list[ContactCommitment] = []
        result: list[UUID] = []
        for i, (kind, value) in enumerate(pairs):
            check_kind(kind, f"contact[{i}].kind")
            value = check_value(kind, value)
            known = held.get((kind, value))
            if known is not None:
                result.append(known)
                continue
            ref = (refs or {}).get(kind) or uuid.uuid4()
            if any(c.ref == ref for c in [*person.contact_details, *new]):
                raise InvalidInput(f"{kind}: the ref {ref} is already used", field=kind)
            salt = new_salt()
            unit.personal_data.added.append(PersonalDatum(ref, person.id, kind, value, salt))
            new.append(ContactCommitment(ref, kind, commitment(value, salt)))
            held[(kind, value)] = ref
            result.append(ref)
        if new:
            person.add_contact_details(tuple(new), context)
        return result

    def _live_values(self, unit: UnitOfWork, person: Person) -> dict[tuple[str, str], UUID]:
        """(kind, value) of the person's unredacted details, including this unit's own."""
        live = {c.ref: c for c in person.live_contact_details()}
        found = {
            (v.kind, v.value): ref
            for ref, v in self.personal_data(live).items()
            if v.value is not None
        }
        for d in unit.personal_data.added:
            if d.person_id == person.id:
                found[(d.kind, d.value)] = d.ref
        return found

    def contact_ref(self, person_id: UUID, kind: str, value: str) -> UUID | None:
        """The ref of an unredacted contact value the person (or the record it was merged
        into) already holds, if any."""
        try:
            person = self._reading().person(person_id, "person_id")
        except NotFound:
            return None
        return self._live_values(UnitOfWork(self), person).get((kind, value.strip()))

    def personal_data(self, refs: Iterable[UUID]) -> dict[UUID, StoredValue]:
        """The kept-apart rows of these refs (value and salt None once redacted)."""
        return self.recorder.select_personal_data(refs)  # type: ignore[attr-defined]

    def redact_contact_details(
        self,
        person_id: UUID,
        decision: str,
        reason: str,
        context: Context,
        kinds: Sequence[str] = (),
        refs: Sequence[UUID] = (),
    ) -> list[UUID]:
        """Destroy contact values by a disposal decision (gallringsbeslut): every unredacted
        detail of the given `kinds`, and the given `refs`. A `Person.Redacted` event records
        the decision, the reason, who and which details; the values and salts are erased
        from personal_data in the same transaction. The events, which hold only
        commitments, stay as they were. Returns the refs redacted."""
        for i, kind in enumerate(kinds):
            check_kind(kind, f"fields[{i}]")
        if not kinds and not refs:
            raise InvalidInput(
                "name the fields (email, phone, address) or refs to redact", field="fields"
            )
        with self._changes() as unit:
            person = unit.get(person_id, Person, "person_id")
            chosen = list(refs)
            for kind in kinds:
                of_kind = [c.ref for c in person.live_contact_details() if c.kind == kind]
                if not of_kind:
                    raise InvalidInput(
                        f"{person.name} has no {kind} left to redact", field="fields"
                    )
                chosen.extend(of_kind)
            redacted = person.redact(chosen, decision, reason, context)
            # The erasure carries the event's own time, so the row and the event agree.
            at = person.pending_events[-1].timestamp
            unit.personal_data.erasures.append(
                Erasure(tuple(c.ref for c in redacted), decision.strip(), at)
            )
        return [c.ref for c in redacted]

    def add_name_variant(
        self, person_id: UUID, variant: str, context: Context, note: str | None = None
    ) -> None:
        """Another spelling of the person's name, under which sources name them."""
        with self._changes() as unit:
            unit.get(person_id, Person, "person_id").add_name_variant(variant, context, note)

    def merge_persons(
        self, duplicate_id: UUID, survivor_id: UUID, reason: str, context: Context
    ) -> None:
        """Two records found to be one person: `duplicate_id` resolves to `survivor_id`."""
        with self._changes() as unit:
            duplicate = unit.get(duplicate_id, Person, "duplicate_id")
            survivor = unit.person(survivor_id, "survivor_id")
            duplicate.merge_into(survivor.id, reason, context)
            survivor.absorb(duplicate, reason, context)
