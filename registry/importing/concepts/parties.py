"""Organisations and persons declared in a minutes file (with a person's contact details
and name variants): declaring them, their facts, and how they are recorded. A declaration
the registry already holds is not recorded again."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from registry.domain.organisation import Organisation
from registry.domain.person import Person
from registry.ids import natural_id, normalise
from registry.importing.concepts.common import FactApplier, FactBuilder
from registry.importing.facts import Fact, Resolved, id_of, stored_ref
from registry.importing.problems import join_path
from registry.personal_data import KINDS

#: The registry's error fields, by kind of fact, as the keys of the file's entry.
FIELDS: dict[str, dict[str, str]] = {
    "organisation": {"key": "name", "name": "name", "kind": "kind"},
    "person": {"key": "name", "name": "name", "organisation_id": "organisation"},
    "contact": {},
}

#: What a changed file may correct.
CORRECTABLE: dict[str, set[str]] = {
    "contact": {"ref"},  # a changed value: the new one is added (see _correct_contact)
}

#: What a kind of fact is called when a changed file leaves it out.
KIND_WORDS: dict[str, str] = {
    "variant": "name variant",
    "contact": "contact detail (a disposal decision destroys one: registry redact)",
}


class PartyFacts(FactBuilder):
    """Declares the file's organisations and persons and builds their facts."""

    def declare_organisations(self) -> None:
        for i, org in enumerate(self.data.get("organisations", [])):
            self.declare_identified("organisation", f"organisations[{i}]", org)

    def declare_persons(self) -> None:
        self._persons: list[tuple[str, dict[str, Any], Resolved, Any]] = []
        for i, person in enumerate(self.data.get("persons", [])):
            path = f"persons[{i}]"
            org = self.ref(person, "organisation", ["organisation"], path)
            key = person.get("key") or f"{person['name']}|{org.id if org else ''}"
            resolved = self.resolver.declare(
                "person",
                path,
                person.get("ref"),
                [person["name"], *person.get("variants", [])],
                natural_id("person", key),
                person["name"],
            )
            self._persons.append((path, person, resolved, org))

    def organisation_facts(self) -> None:
        for i, org in enumerate(self.data.get("organisations", [])):
            oid = self._ids[("organisation", f"organisations[{i}]")]
            self.add(
                Fact(
                    "organisation",
                    f"organisations[{i}]",
                    ("organisation", oid),
                    {"name": org["name"], "kind": org["kind"]},
                    org,
                    self.context(org.get("note")),
                    {"id": oid},
                )
            )

    def person_facts(self) -> None:
        for path, person, resolved, org in self._persons:
            self.add(
                Fact(
                    "person",
                    path,
                    ("person", resolved.id),
                    {
                        "name": person["name"],
                        "title": person.get("title"),
                        "party": person.get("party"),
                        "organisation": id_of(org),
                    },
                    person,
                    self.context(person.get("note")),
                    {"id": resolved.id, "organisation": org},
                )
            )
            for kind in KINDS:
                if kind not in person:
                    continue
                value = person[kind]
                stored = stored_ref(value)
                self.add(
                    Fact(
                        "contact",
                        join_path(path, kind),
                        ("contact", resolved.id, kind),
                        # The ref, never the value: facts are compared and their attributes
                        # shown in differences. A file's value gets its ref in importer.py.
                        {"ref": str(stored) if stored else None},
                        {"kind": kind, "value": None if stored else value},
                        self.context(person.get("note")),
                        {"person": resolved},
                    )
                )
            for k, variant in enumerate(person.get("variants", [])):
                self.add(
                    Fact(
                        "variant",
                        join_path(path, "variants", k),
                        ("variant", resolved.id, normalise(variant)),
                        {},
                        {"variant": variant},
                        self.context(person.get("note")),
                        {"person": resolved},
                    )
                )


class PartyApplier(FactApplier):
    """Records organisations, persons, contact details and name variants."""

    def _apply_organisation(self, fact: Fact) -> None:
        if not self._exists(fact.refs["id"], Organisation):
            e = fact.entry
            self.registry.register_organisation(
                e["name"], e["kind"], fact.context, key=e.get("key")
            )

    def _apply_person(self, fact: Fact) -> None:
        if self._exists(fact.refs["id"], Person):
            return
        e = fact.entry
        org = fact.refs["organisation"]
        self.registry.register_person(
            e["name"],
            fact.context,
            title=e.get("title"),
            party=e.get("party"),
            organisation_id=org.id if org else None,
            key=e.get("key") or f"{e['name']}|{org.id if org else ''}",
        )

    def _apply_contact(self, fact: Fact) -> None:
        kind, value = fact.entry["kind"], fact.entry["value"]
        self.registry.add_contact_details(
            self._person_id(fact.refs["person"].id),
            [(kind, value)],
            fact.context,
            refs={kind: UUID(fact.attrs["ref"])},
        )

    def _correct_contact(self, old: Fact, new: Fact) -> None:
        # A corrected value is added; the one recorded before stays until a disposal
        # decision destroys it (registry redact): a correction never erases personal data.
        self._apply_contact(new)

    def _apply_variant(self, fact: Fact) -> None:
        self.registry.add_name_variant(
            fact.refs["person"].id, fact.entry["variant"], fact.context, note=fact.context.note
        )
