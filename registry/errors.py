"""Typed domain errors.

Every message names the thing and the rule it broke, in words a secretary can act on. The API
maps each class to a stable GraphQL error `code` (the class attribute `code`).
"""

from __future__ import annotations


class RegistryError(Exception):
    """Base class of every refusal by the registry. A refused command writes nothing."""

    code = "REGISTRY_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(RegistryError):
    """A value is malformed or out of range (an empty name, an amount with fractions of öre)."""

    code = "INVALID_INPUT"


class NotFound(RegistryError):
    """The command refers to an entity the registry does not hold."""

    code = "NOT_FOUND"


class AlreadyExists(RegistryError):
    """An entity with the same natural key has already been recorded."""

    code = "ALREADY_EXISTS"


class ConcurrentChange(RegistryError):
    """Another command changed the same entity at the same time; retry the command."""

    code = "CONCURRENT_CHANGE"


class InvariantViolation(RegistryError):
    """A rule of the domain would be broken."""

    code = "INVARIANT_VIOLATION"


class EndBeforeStart(InvariantViolation):
    code = "END_BEFORE_START"


class OverlappingMembership(InvariantViolation):
    code = "OVERLAPPING_MEMBERSHIP"


class NotAMember(InvariantViolation):
    code = "NOT_A_MEMBER"


class ExtensionNotLater(InvariantViolation):
    code = "EXTENSION_NOT_LATER"


class FundExceeded(InvariantViolation):
    code = "FUND_EXCEEDED"


class InvalidTransition(InvariantViolation):
    """The entity is not in a state that allows the command (completing a withdrawn task)."""

    code = "INVALID_TRANSITION"


class SeatTaken(InvariantViolation):
    """The seat is held by someone else over (part of) the period."""

    code = "SEAT_TAKEN"


class AmbiguousReference(InvalidInput):
    """A name or description matches more than one thing; the message lists the candidates."""

    code = "AMBIGUOUS"


class VersionConflict(ConcurrentChange):
    """The entity is not at the version the command expected: someone changed it since it
    was read. `current_version` tells the version it is at now."""

    code = "CONFLICT"

    def __init__(self, message: str, *, current_version: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.current_version = current_version
        self.extensions = {"currentVersion": current_version}
