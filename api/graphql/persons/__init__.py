"""Persons, their contact details and redactions."""

from api.graphql.persons.loaders import load_person
from api.graphql.persons.types import ContactDetail, ContactKind, Person, Redaction

__all__ = ["ContactDetail", "ContactKind", "Person", "Redaction", "load_person"]
