"""Was a decision within its body's mandate, or taken under a delegation? And who may decide
a matter for a body on a day?

The rule works on the record as of one recorded time: the bodies' structured mandates
(registry/domain/mandate.py), the delegations (registry/domain/delegation.py) and what the
decision claims (registry/domain/claim.py). It answers with the chain of decisions that
justifies the decision (the nämnd's reglemente → the nämnd's delegation to its arbetsutskott →
the arbetsutskott's decision), or the reason it lay outside, or UNKNOWN when the record does
not say: a body without a structured mandate, a decision that does not say what it claims.
Missing data is never read as a violation.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from registry.domain.delegation import Delegate, DelegateKind
from registry.domain.mandate import (
    POWER_NEEDED,
    POWER_RANK,
    ClaimKind,
    MandateVersion,
    MatterPower,
    Power,
    same_matter,
)
from registry.ids import normalise


class Verdict(enum.StrEnum):
    WITHIN = "within"
    OUTSIDE = "outside"
    UNKNOWN = "unknown"


class LinkKind(enum.StrEnum):
    """How a link of the chain confers its power: a body's own mandate, a delegation, or
    the decision being checked."""

    MANDATE = "mandate"
    DELEGATION = "delegation"
    DECISION = "decision"


@dataclass(frozen=True)
class Link:
    """One decision of a chain: it gave `body_id` (or the person or post `holder`) `power`."""

    kind: LinkKind
    decision_id: UUID | None
    body_id: UUID
    power: Power
    holder: str | None = None
    delegation_id: UUID | None = None


@dataclass(frozen=True)
class Grant:
    """A delegation as the rule sees it (one recorded version)."""

    delegation_id: UUID
    body_id: UUID
    key: str
    matter: str
    delegate: Delegate
    max_amount: Decimal | None
    valid_from: date
    valid_until: date | None
    decision_id: UUID | None

    def holds_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def covers(self, matter: str | None, amount: Decimal | None) -> bool:
        return (
            matter is not None
            and normalise(matter) == normalise(self.matter)
            and (amount is None or self.max_amount is None or amount <= self.max_amount)
        )


@dataclass(frozen=True)
class Claim:
    """What a decision claims, as the rule sees it."""

    decision_id: UUID
    body_id: UUID
    decided_on: date
    kind: ClaimKind
    matter: str | None
    amount: Decimal | None
    delegation_id: UUID | None = None
    person_id: UUID | None = None
    # The source gives no day: `decided_on` is the latest it can have been.
    date_uncertain: bool = False


@dataclass(frozen=True)
class Answer:
    verdict: Verdict
    reason: str
    chain: tuple[Link, ...] = ()


@dataclass(frozen=True)
class _Found:
    power: Power
    chain: tuple[Link, ...]


Names = Callable[[UUID], str]


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", " ").removesuffix(".00") + " kr"


def mandate_on(versions: Sequence[MandateVersion] | None, day: date) -> MandateVersion | None:
    """The version of a mandate stated on `day` (the last one stated from that day or
    earlier; one whose start is unknown counts from any day)."""
    found = None
    for v in sorted(versions or (), key=lambda v: v.valid_from or date.min):
        if v.valid_from is None or v.valid_from <= day:
            found = v
    return found


def line_for(version: MandateVersion, matter: str | None) -> MatterPower | None:
    """The mandate's line for `matter`: the one naming it, else the one for every matter."""
    if matter is not None:
        for p in version.powers:
            if p.matter is not None and same_matter(p.matter, matter):
                return p
    return next((p for p in version.powers if p.matter is None), None)


class MandateRule:
    """The rule over one recorded state: mandates by body, and every delegation."""

    def __init__(
        self,
        mandates: Mapping[UUID, Sequence[MandateVersion]],
        grants: Iterable[Grant],
        name_of: Names,
    ) -> None:
        self.mandates = mandates
        self.grants = list(grants)
        self.name_of = name_of
        self._by_id = {g.delegation_id: g for g in self.grants}
        self._lines: dict[int, dict[str, MatterPower]] = {}

    def _line(self, version: MandateVersion, matter: str | None) -> MatterPower | None:
        """`line_for`, with each version's lines indexed by matter once."""
        lines = self._lines.get(id(version))
        if lines is None:
            lines = {normalise(p.matter): p for p in version.powers if p.matter is not None}
            self._lines[id(version)] = lines
        if matter is not None and normalise(matter) in lines:
            return lines[normalise(matter)]
        return next((p for p in version.powers if p.matter is None), None)

    # -- who may decide ---------------------------------------------------------------------

    def delegates(self, body_id: UUID, matter: str, day: date) -> list[Grant]:
        """The delegations of `body_id` for `matter` holding on `day`."""
        return [
            g
            for g in self.grants
            if g.body_id == body_id and g.holds_on(day) and g.covers(matter, None)
        ]

    # -- was it within ----------------------------------------------------------------------

    def check(self, claim: Claim) -> Answer:
        needed = POWER_NEEDED[claim.kind]
        own = self.name_of(claim.body_id)
        last = Link(LinkKind.DECISION, claim.decision_id, claim.body_id, needed)
        if claim.delegation_id is not None:
            return self._under_delegation(claim, last)
        found, why, known = self._authority(
            claim.body_id, needed, claim.matter, claim.amount, claim.decided_on, frozenset()
        )
        if found is not None:
            how = "under delegation" if found.chain[-1].kind is LinkKind.DELEGATION else "within"
            return Answer(
                Verdict.WITHIN,
                f"{own} may {found.power.value} on {claim.matter or 'the matter'} "
                f"({how} its mandate on {claim.decided_on}); the decision "
                f"{claim.kind.value}",
                (*found.chain, last),
            )
        return Answer(Verdict.OUTSIDE if known else Verdict.UNKNOWN, why)

    def _under_delegation(self, claim: Claim, last: Link) -> Answer:
        grant = self._by_id.get(claim.delegation_id)  # type: ignore[arg-type]
        if grant is None:
            return Answer(Verdict.UNKNOWN, "the registry holds no record of the delegation named")
        where = f"the delegation {grant.key!r} of {self.name_of(grant.body_id)}"
        problem = None
        if not grant.holds_on(claim.decided_on):
            until = f" until {grant.valid_until}" if grant.valid_until else ""
            if claim.date_uncertain:
                return Answer(
                    Verdict.UNKNOWN,
                    f"{where} held from {grant.valid_from}{until}; the decision's day is not "
                    f"known (on {claim.decided_on} at the latest)",
                )
            problem = f"{where} held from {grant.valid_from}{until}, not on {claim.decided_on}"
        elif claim.matter is not None and not same_matter(claim.matter, grant.matter):
            problem = f"{where} covers {grant.matter!r}, not {claim.matter!r}"
        elif (
            claim.amount is not None
            and grant.max_amount is not None
            and claim.amount > grant.max_amount
        ):
            problem = (
                f"{where} goes up to {_amount(grant.max_amount)}; the decision is for "
                f"{_amount(claim.amount)}"
            )
        elif grant.delegate.kind is DelegateKind.BODY and grant.delegate.body_id != claim.body_id:
            problem = f"{where} is held by {grant.delegate.name}, not {self.name_of(claim.body_id)}"
        elif (
            grant.delegate.kind is DelegateKind.PERSON
            and claim.person_id is not None
            and grant.delegate.person_id != claim.person_id
        ):
            problem = f"{where} is held by {grant.delegate.name}, not by the person who decided"
        elif claim.kind is not ClaimKind.DECIDES and claim.kind is not ClaimKind.PROPOSES:
            problem = f"{where} lets its holder decide; the decision {claim.kind.value}"
        if problem:
            return Answer(Verdict.OUTSIDE, problem)
        found, why, known = self._authority(
            grant.body_id, Power.DECIDE, grant.matter, claim.amount, claim.decided_on, frozenset()
        )
        if found is None:
            if known:
                return Answer(Verdict.OUTSIDE, f"{where} could not be given: {why}")
            return Answer(Verdict.UNKNOWN, f"{where} covers the decision, but {why}")
        link = self._delegation_link(grant)
        return Answer(
            Verdict.WITHIN,
            f"taken under {where} (to {grant.delegate.name}, from {grant.valid_from})",
            (*found.chain, link, last),
        )

    def _delegation_link(self, grant: Grant) -> Link:
        delegate = grant.delegate
        return Link(
            LinkKind.DELEGATION,
            grant.decision_id,
            delegate.body_id if delegate.kind is DelegateKind.BODY else grant.body_id,  # type: ignore[arg-type]
            Power.DECIDE,
            holder=None if delegate.kind is DelegateKind.BODY else delegate.name,
            delegation_id=grant.delegation_id,
        )

    def _authority(
        self,
        body_id: UUID,
        needed: Power,
        matter: str | None,
        amount: Decimal | None,
        day: date,
        seen: frozenset[UUID],
    ) -> tuple[_Found | None, str, bool]:
        """`body_id`'s power over `matter` on `day`, by its mandate or a delegation to it
        (for deciding): (found with its chain, or None; why not; whether the record is
        enough to say it is not)."""
        name = self.name_of(body_id)
        version = mandate_on(self.mandates.get(body_id), day)
        own_reason, known = "", False
        if version is None:
            stated = self.mandates.get(body_id)
            own_reason = (
                f"the registry holds no structured mandate of {name}"
                if not stated
                else f"the registry holds no mandate of {name} stated on {day}"
            )
        else:
            line = self._line(version, matter)
            source = " (stated by a decision)" if version.decision_id else ""
            if line is None and matter is None:
                own_reason = "the decision does not say which matter it concerns"
            elif line is None:
                known = True
                own_reason = f"the mandate of {name}{source} does not cover {matter!r}"
            elif POWER_RANK[line.power] < POWER_RANK[needed]:
                known = True
                verb = {Power.DISCUSS: "only discuss", Power.RECOMMEND: "only recommend"}
                own_reason = (
                    f"{name} may {verb.get(line.power, line.power.value)} on "
                    f"{matter or 'its matters'} (its mandate{source}), not {needed.value}"
                )
            elif line.max_amount is not None and amount is not None and amount > line.max_amount:
                known = True
                own_reason = (
                    f"{name} may {line.power.value} on {matter or 'its matters'} up to "
                    f"{_amount(line.max_amount)}; the decision is for {_amount(amount)}"
                )
            else:
                link = Link(LinkKind.MANDATE, version.decision_id, body_id, line.power)
                return _Found(line.power, (link,)), "", True
        if needed is Power.DECIDE and matter is not None and body_id not in seen:
            for grant in self.grants:
                if (
                    grant.delegate.kind is DelegateKind.BODY
                    and grant.delegate.body_id == body_id
                    and grant.holds_on(day)
                    and grant.covers(matter, amount)
                ):
                    found, _, _ = self._authority(
                        grant.body_id, Power.DECIDE, matter, amount, day, seen | {body_id}
                    )
                    if found is not None:
                        chain = (*found.chain, self._delegation_link(grant))
                        return _Found(Power.DECIDE, chain), "", True
        return None, own_reason, known
