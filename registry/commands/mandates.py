"""Commands for mandates, delegations and what decisions claim (see
registry/domain/mandate.py, delegation.py, claim.py; the rule is registry/mandates.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID

from registry.commands.unit_of_work import UnitOfWork, UnitOfWorkApplication
from registry.domain.body import Body
from registry.domain.claim import DecisionClaim, DelegatedBy, claim_id_for
from registry.domain.decision import Decision
from registry.domain.delegation import Delegate, DelegateKind, Delegation
from registry.domain.mandate import (
    BodyMandate,
    ClaimKind,
    MandateVersion,
    MatterPower,
    check_powers,
    parse_claim,
)
from registry.domain.organisation import Organisation
from registry.domain.person import Person
from registry.errors import InvalidInput, NotFound
from registry.values import Context, check_period, require_text, sek

#: Value types stored in these aggregates' events (registered with the transcoder).
MANDATE_VALUE_TYPES: list[type] = [MatterPower, MandateVersion, Delegate, DelegatedBy]


class MandateCommands(UnitOfWorkApplication):
    """A body's structured mandate, its delegations, and what its decisions claim."""

    def state_mandate(
        self,
        body_id: UUID,
        powers: Sequence[MatterPower],
        context: Context,
        valid_from: date | None = None,
    ) -> UUID:
        """State what `body_id` may decide, recommend or only discuss, from `valid_from`
        (None: the start is not known), by the decision in `context` (its founding
        decision or reglemente). A later statement is a new version from its day."""
        check_powers(tuple(powers))
        version = MandateVersion(valid_from, tuple(powers), context.decision_id)
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id")
            mandate = unit.find(BodyMandate.create_id(body_id), BodyMandate, "body_id")
            if mandate is None:
                mandate = unit.add(
                    BodyMandate(
                        body_id=body_id, version=version, effective_date=valid_from, context=context
                    ),
                    "the mandate",
                )
            else:
                mandate.restate(version, context)
        return mandate.id

    def delegate(
        self,
        body_id: UUID,
        key: str,
        matter: str,
        delegate: Delegate,
        valid_from: date,
        context: Context,
        valid_until: date | None = None,
        limit: str | None = None,
        max_amount: str | int | Decimal | None = None,
    ) -> UUID:
        """`body_id` (a nämnd) delegates `matter` to a body, person or post, within `limit`
        (text) and `max_amount`, from `valid_from` until `valid_until` (the last day)."""
        matter = require_text(matter, "matter")
        key = require_text(key, "key")
        check_period(valid_from, valid_until, f"the delegation {key!r}")
        with self._changes() as unit:
            unit.get(body_id, Body, "body_id")
            delegate = self._delegate_of(unit, body_id, delegate)
            delegation = Delegation(
                body_id=body_id,
                key=key,
                matter=matter,
                delegate=delegate,
                limit=limit,
                max_amount=sek(max_amount, "max_amount") if max_amount is not None else None,
                valid_from=valid_from,
                valid_until=valid_until,
                effective_date=valid_from,
                context=context,
            )
            unit.add(delegation, f"the delegation {key!r}")
        return delegation.id

    @staticmethod
    def _delegate_of(unit: UnitOfWork, body_id: UUID, delegate: Delegate) -> Delegate:
        kind = DelegateKind(delegate.kind)
        if kind is DelegateKind.BODY:
            if delegate.body_id is None:
                raise InvalidInput("a delegation to a body names the body", field="to_body")
            if delegate.body_id == body_id:
                raise InvalidInput("a body cannot delegate to itself", field="to_body")
            held = unit.get(delegate.body_id, Body, "to_body")
            return Delegate(kind, held.name, body_id=held.id)
        if kind is DelegateKind.PERSON:
            if delegate.person_id is None:
                raise InvalidInput("a delegation to a person names the person", field="to_person")
            person = unit.get(delegate.person_id, Person, "to_person")
            return Delegate(kind, delegate.name or person.name, person_id=person.id)
        return Delegate(kind, require_text(delegate.name, "to_post"))

    def revoke_delegation(
        self, delegation_id: UUID, last_day: date, reason: str, context: Context
    ) -> None:
        """The nämnd withdraws a delegation; it holds until `last_day`."""
        with self._changes() as unit:
            unit.get(delegation_id, Delegation, "delegation").revoke(last_day, reason, context)

    def state_claim(
        self,
        decision_id: UUID,
        kind: ClaimKind | str,
        context: Context,
        matter: str | None = None,
        amount: str | int | Decimal | None = None,
        delegation_id: UUID | None = None,
        person_id: UUID | None = None,
        principals: Sequence[UUID] | None = None,
    ) -> UUID:
        """Record what a decision claims: it decides, recommends to its principals
        (default: the owners of its body), or proposes; on which matter and amount; and,
        when taken under delegation, the delegation and the person who took it."""
        claim = parse_claim(str(kind))
        with self._changes() as unit:
            decision = unit.get(decision_id, Decision, "decision")
            body = unit.get(decision.body_id, Body, "body")
            delegated_by = None
            if delegation_id is not None:
                delegation = unit.get(delegation_id, Delegation, "delegation")
                person_name = None
                if person_id is not None:
                    person_name = unit.get(person_id, Person, "delegate").name
                elif delegation.delegate.kind is DelegateKind.PERSON:
                    person_id, person_name = (
                        delegation.delegate.person_id,
                        delegation.delegate.name,
                    )
                delegated_by = DelegatedBy(delegation.id, person_id, person_name)
            elif person_id is not None:
                raise InvalidInput(
                    "a delegate is named only for a decision taken under a delegation",
                    field="delegate",
                )
            chosen: tuple[UUID, ...] = ()
            if claim is ClaimKind.RECOMMENDS:
                chosen = tuple(principals) if principals else tuple(body.owner_organisation_ids)
                if not chosen:
                    raise InvalidInput(
                        f"{body.name} has no owners: name the principals of the recommendation",
                        field="principals",
                    )
                for i, org in enumerate(chosen):
                    unit.get(org, Organisation, f"principals[{i}]")
            elif principals:
                raise InvalidInput("only a recommendation has principals", field="principals")
            record = DecisionClaim(
                decision_id=decision.id,
                body_id=decision.body_id,
                decided_on=decision.decided_on,
                kind=claim,
                matter=require_text(matter, "matter") if matter is not None else None,
                amount=sek(amount, "amount") if amount is not None else None,
                delegated_by=delegated_by,
                principals=chosen,
                effective_date=decision.decided_on,
                context=context,
            )
            unit.add(record, "what the decision claims")
        return record.id

    def correct_claim(
        self,
        decision_id: UUID,
        kind: ClaimKind | str,
        reason: str,
        context: Context,
        matter: str | None = None,
        amount: str | int | Decimal | None = None,
    ) -> None:
        """Correct what a decision was recorded as claiming (kind, matter, amount)."""
        claim = parse_claim(str(kind))
        with self._changes() as unit:
            record = self._claim_of(unit, decision_id)
            # A claim corrected to a recommendation is made to the body's owners unless it
            # named its principals.
            principals = record.principals or tuple(
                unit.get(record.body_id, Body, "body").owner_organisation_ids
            )
            record.correct(
                claim,
                require_text(matter, "matter") if matter is not None else None,
                sek(amount, "amount") if amount is not None else None,
                principals,
                reason,
                context,
            )

    def report_delegated_decision(
        self, decision_id: UUID, reported_on: date, context: Context
    ) -> None:
        """A decision taken under delegation is reported (anmäld) to the delegating body, by
        its decision in `context`, on `reported_on`."""
        with self._changes() as unit:
            claim = self._claim_of(unit, decision_id)
            if claim.delegated_by is None:
                raise InvalidInput(
                    "the decision was not recorded as taken under a delegation", field="decision"
                )
            delegation = unit.get(claim.delegated_by.delegation_id, Delegation, "delegation")
            if context.decision_id is not None:
                reporting = unit.get(context.decision_id, Decision, "decision")
                if reporting.body_id != delegation.body_id:
                    raise InvalidInput(
                        "a delegated decision is reported to the body that delegated it",
                        field="decision",
                    )
            claim.report(delegation.body_id, reported_on, context)

    def adopt_recommendation(
        self, decision_id: UUID, principal_id: UUID, adopted_on: date, context: Context
    ) -> None:
        """A principal adopts a recommendation by its own decision (in `context`)."""
        with self._changes() as unit:
            unit.get(principal_id, Organisation, "principal")
            self._claim_of(unit, decision_id).adopt(principal_id, adopted_on, context)

    @staticmethod
    def _claim_of(unit: UnitOfWork, decision_id: UUID) -> DecisionClaim:
        unit.get(decision_id, Decision, "decision")
        try:
            return unit.get(claim_id_for(decision_id), DecisionClaim, "decision")
        except NotFound:
            raise NotFound(
                "the decision does not record what it claims (give it a claim)", field="decision"
            ) from None
