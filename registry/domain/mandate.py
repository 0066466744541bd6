"""A body's mandate (uppdrag och befogenheter) as matter classes with a power, and what a
decision claims (beslutar, rekommenderar huvudmännen, föreslår).

A body's founding decision or reglemente says what it may decide, only recommend to its
principals (huvudmän), or only discuss. The free-text `Body.mandate` stays as written; this
aggregate holds the structured reading, one version per decision that states or changes it.
Whether a decision lay within the mandate is a rule over both (registry/mandates.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from registry.domain import RegistryAggregate
from registry.errors import InvalidInput, InvalidTransition
from registry.ids import natural_id, normalise
from registry.values import Context


class Power(enum.StrEnum):
    """What a body may do on a class of matters: decide (besluta), recommend to its
    principals (rekommendera), or only discuss (diskutera, informera)."""

    DECIDE = "decide"
    RECOMMEND = "recommend"
    DISCUSS = "discuss"


#: Each power includes the weaker ones: a body that may decide may also recommend.
POWER_RANK = {Power.DISCUSS: 0, Power.RECOMMEND: 1, Power.DECIDE: 2}


class ClaimKind(enum.StrEnum):
    """What a decision claims to do: decide (binding), recommend to the principals (binding
    no one until each adopts it), or propose to the body that decides (förslag, beredning)."""

    DECIDES = "decides"
    RECOMMENDS = "recommends"
    PROPOSES = "proposes"


#: The power a claim needs. A proposal binds no one, so discussing the matter suffices.
POWER_NEEDED = {
    ClaimKind.DECIDES: Power.DECIDE,
    ClaimKind.RECOMMENDS: Power.RECOMMEND,
    ClaimKind.PROPOSES: Power.DISCUSS,
}


def parse_power(value: str, field: str = "power") -> Power:
    try:
        return Power(value)
    except ValueError:
        allowed = ", ".join(p.value for p in Power)
        raise InvalidInput(f"{field} {value!r} is not one of {allowed}", field=field) from None


def parse_claim(value: str, field: str = "kind") -> ClaimKind:
    try:
        return ClaimKind(value)
    except ValueError:
        allowed = ", ".join(c.value for c in ClaimKind)
        raise InvalidInput(f"{field} {value!r} is not one of {allowed}", field=field) from None


def same_matter(a: str | None, b: str | None) -> bool:
    """Matter classes are compared ignoring case and spacing; None is every matter."""
    return a is None or b is None or normalise(a) == normalise(b)


@dataclass(frozen=True)
class MatterPower:
    """One line of a mandate: a class of matters (None: every matter) and the power over it,
    with an optional ceiling on the amount."""

    matter: str | None
    power: Power
    max_amount: Decimal | None = None
    note: str | None = None


@dataclass(frozen=True)
class MandateVersion:
    """The mandate as stated from `valid_from` (None: the start is not known) by a decision
    (`decision_id`), until the next version."""

    valid_from: date | None
    powers: tuple[MatterPower, ...]
    decision_id: UUID | None = None


def body_mandate_id(body_id: UUID) -> UUID:
    return natural_id("body_mandate", str(body_id))


class BodyMandate(RegistryAggregate):
    """The structured mandate of one body, version by version."""

    @staticmethod
    def create_id(body_id: UUID, **_: object):  # type: ignore[override]
        return body_mandate_id(body_id)

    @event("Stated")
    def __init__(
        self,
        body_id: UUID,
        version: MandateVersion,
        effective_date: date | None,
        context: Context,
    ) -> None:
        self.body_id = body_id
        self.versions: tuple[MandateVersion, ...] = (version,)

    def restate(self, version: MandateVersion, context: Context) -> None:
        """A later decision (a new reglemente) states the mandate again from its day. The
        same version stated again (another file quoting the reglemente) changes nothing."""
        if any(
            v.valid_from == version.valid_from and v.powers == version.powers for v in self.versions
        ):
            return
        if any(v.valid_from == version.valid_from for v in self.versions):
            raise InvalidTransition(
                f"the body already has a mandate stated from {version.valid_from or 'an unknown day'}",
                field="from",
            )
        self._restated(version, version.valid_from, context)

    @event("Restated")
    def _restated(
        self, version: MandateVersion, effective_date: date | None, context: Context
    ) -> None:
        self.versions = tuple(
            sorted((*self.versions, version), key=lambda v: v.valid_from or date.min)
        )


def check_powers(powers: tuple[MatterPower, ...]) -> None:
    """A mandate names each matter class once and needs at least one."""
    if not powers:
        raise InvalidInput("a mandate needs at least one power", field="powers")
    seen: set[str] = set()
    for i, p in enumerate(powers):
        key = normalise(p.matter) if p.matter is not None else "*"
        if key in seen:
            raise InvalidInput(
                f"the mandate names {p.matter or 'every matter'} twice", field=f"powers[{i}]"
            )
        seen.add(key)
        if p.max_amount is not None and p.max_amount < 0:
            raise InvalidInput("max_amount must not be negative", field=f"powers[{i}]")
