"""Bodies, their members and seats, and organisations."""

from api.graphql.bodies.enums import Role
from api.graphql.bodies.loaders import load_body, load_organisation, load_organisations
from api.graphql.bodies.memberships import Membership, Seat
from api.graphql.bodies.organisations import FormerName, Organisation
from api.graphql.bodies.seats import Composition, SeatGroup, composition_of, seats_on
from api.graphql.bodies.types import MEMBERSHIP_EVENTS, Body

__all__ = [
    "MEMBERSHIP_EVENTS",
    "Body",
    "Composition",
    "FormerName",
    "Membership",
    "Organisation",
    "Role",
    "Seat",
    "SeatGroup",
    "composition_of",
    "load_body",
    "load_organisation",
    "load_organisations",
    "seats_on",
]
