"""Value objects shared by the aggregates: provenance, roles, kinds, money and dates."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, get_type_hints
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Transcoding

from registry.errors import EndBeforeStart, InvalidInput


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: the source document, the item in it (such as "§ 9") and an
    optional address of the document."""

    document: str
    item: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if not self.document or not self.document.strip():
            raise InvalidInput("source.document must name the source document", field="source")


@dataclass(frozen=True)
class Context:
    """Provenance carried by every event: who recorded it, from which source, the id of
    the decision that authorised the change where there is one, and a note where the source
    is ambiguous or contradicts itself (events recorded before notes existed load with None).
    """

    actor: str
    source: Source
    decision_id: UUID | None = None
    note: str | None = None
    # Who wrote, from the credentials the write came with (api/identity.py): the subject of
    # the token or JWT and the id of the registry-issued token. `actor` is that identity's
    # name. `stated_by` is who the source document says recorded it (a minutes file's
    # `recorded_by`, the secretary "as stated in the minutes"), kept apart from the actor.
    # Events recorded before these existed load with None.
    subject: str | None = None
    token_id: str | None = None
    stated_by: str | None = None

    def __post_init__(self) -> None:
        if not self.actor or not self.actor.strip():
            raise InvalidInput("actor must name who records the fact", field="actor")

    def authorised_by(self, decision_id: UUID) -> Context:
        return dataclasses.replace(self, decision_id=decision_id)

    def noted(self, note: str | None) -> Context:
        """The same provenance with `note` attached (None keeps the context as it is)."""
        return self if note is None else dataclasses.replace(self, note=note)


@dataclass(frozen=True)
class Actor:
    """Who writes, as the credentials of the write say (api/identity.py), never as the data
    written says: `name` for people, `subject` stable, `token_id` of the token used."""

    name: str
    subject: str | None = None
    token_id: str | None = None

    def context(
        self,
        source: Source,
        decision_id: UUID | None = None,
        note: str | None = None,
        stated_by: str | None = None,
    ) -> Context:
        """The provenance of a write by this actor."""
        return Context(
            actor=self.name,
            source=source,
            decision_id=decision_id,
            note=note,
            subject=self.subject,
            token_id=self.token_id,
            stated_by=stated_by,
        )


class Role(enum.StrEnum):
    """A role in a body (ordförande, vice ordförande, ledamot, ersättare, sekreterare,
    adjungerad)."""

    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    MEMBER = "member"
    DEPUTY = "deputy"
    SECRETARY = "secretary"
    CO_OPTED = "co_opted"


class DecisionKind(enum.StrEnum):
    """Outcome of an item: beslut, godkännande, ställningstagande/rekommendation, noterar,
    bordläggning, återremiss."""

    DECIDED = "decided"
    APPROVED = "approved"
    ENDORSED = "endorsed"
    NOTED = "noted"
    DEFERRED = "deferred"
    REFERRED_BACK = "referred_back"


class StatementKind(enum.StrEnum):
    """A member's reservation or särskilt uttalande/yttrande."""

    STATEMENT = "statement"
    RESERVATION = "reservation"


class HolderKind(enum.StrEnum):
    """Who holds an assignment."""

    PERSON = "person"
    BODY = "body"
    ORGANISATION = "organisation"


def parse_role(value: str | Role, field_name: str = "role") -> Role:
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(
            f"{field_name} {value!r} is not a role; use one of {allowed}", field=field_name
        ) from None


def sek(amount: str | int | Decimal, field_name: str = "amount") -> Decimal:
    """An exact amount in SEK: no floats, at most two decimals (öre), not negative."""
    if isinstance(amount, float):
        raise InvalidInput(
            f"{field_name} must be an exact amount (a string or integer), not a float",
            field=field_name,
        )
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise InvalidInput(f"{field_name} {amount!r} is not an amount", field=field_name) from None
    if not value.is_finite():
        raise InvalidInput(f"{field_name} must be a finite amount", field=field_name)
    if value < 0:
        raise InvalidInput(f"{field_name} must not be negative (got {value})", field=field_name)
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput(f"{field_name} {value} has fractions of öre", field=field_name)
    return value.quantize(Decimal("0.01"))


def require_text(value: str, field_name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field_name} must not be empty", field=field_name)
    return value.strip()


def check_period(start: date | None, end: date | None, what: str) -> None:
    """Refuse a period whose end lies before its start."""
    if start is not None and end is not None and end < start:
        raise EndBeforeStart(f"{what}: the end {end} lies before the start {start}", field="end")


@dataclass(frozen=True)
class Period:
    """A validity period in valid time. `start` None means unknown; `end` None means open."""

    start: date | None = None
    end: date | None = None


class _DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class DataclassTranscoding(Transcoding):
    """Stores a frozen dataclass as a dict of its fields; lists come back as tuples and
    strings as the enum the field is declared with."""

    def __init__(self, cls: type) -> None:
        self.type = cls
        self.name = cls.__name__
        self._hints: dict[str, Any] | None = None

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        if self._hints is None:
            self._hints = get_type_hints(self.type)
        values = {}
        for name, value in data.items():
            hint = self._hints.get(name)
            if isinstance(value, list):
                value = tuple(value)
            elif isinstance(value, str) and isinstance(hint, type) and issubclass(hint, enum.Enum):
                value = hint(value)
            values[name] = value
        return self.type(**values)


class _ContextTranscoding(DataclassTranscoding):
    """A Context without identity fields is stored exactly as before they existed."""

    OPTIONAL = ("subject", "token_id", "stated_by")

    def __init__(self) -> None:
        super().__init__(Context)

    def encode(self, obj: Any) -> dict[str, Any]:
        data = super().encode(obj)
        for name in self.OPTIONAL:
            if data.get(name) is None:
                data.pop(name, None)
        return data


TRANSCODED_VALUES: list[type] = [Source, Period]


def register_value_transcodings(transcoder: JSONTranscoder, extra: list[type]) -> None:
    transcoder.register(_DateAsISO())
    transcoder.register(_ContextTranscoding())
    for cls in [*TRANSCODED_VALUES, *extra]:
        transcoder.register(DataclassTranscoding(cls))


__all__ = [
    "Actor",
    "Context",
    "DecisionKind",
    "HolderKind",
    "Period",
    "Role",
    "Source",
    "StatementKind",
    "check_period",
    "field",
    "parse_role",
    "require_text",
    "sek",
]
