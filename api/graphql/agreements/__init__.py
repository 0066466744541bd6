"""Agreements, their extensions, revisions and adoptions."""

from api.graphql.agreements.enums import AgreementStatus
from api.graphql.agreements.types import Adoption, Agreement, Extension, Revision, expiring

__all__ = ["Adoption", "Agreement", "AgreementStatus", "Extension", "Revision", "expiring"]
