"""Entity views of bodies' structured mandates, delegations and what decisions claim, kept
by the entities read model (entities.py) like every other aggregate, and their reading back
into the values the mandate rule (registry/mandates.py) works on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from projections.plain import plain
from registry.domain.claim import DecisionClaim
from registry.domain.delegation import Delegate, DelegateKind, Delegation
from registry.domain.mandate import BodyMandate, ClaimKind, MandateVersion, MatterPower, Power
from registry.mandates import Claim, Grant

BODY_MANDATE = "body_mandate"
DELEGATION = "delegation"
DECISION_CLAIM = "decision_claim"


def _mandate(m: BodyMandate, event: Any, previous: dict[str, Any] | None) -> dict[str, Any]:
    return {"body_id": plain(m.body_id), "versions": plain(m.versions)}


def _delegation(d: Delegation, event: Any, previous: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "body_id": plain(d.body_id),
        "key": d.key,
        "name": d.matter,
        "matter": d.matter,
        "delegate": plain(d.delegate),
        "limit": d.limit,
        "max_amount": plain(d.max_amount),
        "valid_from": plain(d.valid_from),
        "valid_until": plain(d.valid_until),
        "decision_id": plain(d.decision_id),
        "revoked_by": plain(d.revoked_by),
    }


def _claim(c: DecisionClaim, event: Any, previous: dict[str, Any] | None) -> dict[str, Any]:
    reports = list((previous or {}).get("reports", []))
    if isinstance(event, DecisionClaim.Reported):
        reports.append(
            {
                "body_id": plain(event.to_body_id),
                "reported_on": plain(event.effective_date),
                "decision_id": plain(event.context.decision_id),
            }
        )
    return {
        "decision_id": plain(c.decision_id),
        "body_id": plain(c.body_id),
        "decided_on": plain(c.decided_on),
        "kind": c.kind.value,
        "matter": c.matter,
        "amount": plain(c.amount),
        "delegated_by": plain(c.delegated_by),
        "principals": plain(c.principals),
        "reports": reports,
        "adoptions": [
            {"principal_id": k, "adopted_on": plain(on), "decision_id": plain(by)}
            for k, (on, by) in c.adoptions.items()
        ],
    }


#: Aggregate class → (entity type, view function, the view key holding its key date).
MANDATE_VIEWS: dict[type, tuple[str, Callable[..., dict[str, Any]], str | None]] = {
    BodyMandate: (BODY_MANDATE, _mandate, None),
    Delegation: (DELEGATION, _delegation, "valid_from"),
    DecisionClaim: (DECISION_CLAIM, _claim, "decided_on"),
}


# -- reading views back -----------------------------------------------------------------------


def _uuid(value: Any) -> UUID | None:
    return UUID(value) if value else None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _money(value: Any) -> Decimal | None:
    return Decimal(value) if value is not None else None


def versions_of(view: Any) -> list[MandateVersion]:
    """A body mandate view's versions."""
    return [
        MandateVersion(
            _day(v.get("valid_from")),
            tuple(
                MatterPower(p.get("matter"), Power(p["power"]), _money(p.get("max_amount")))
                for p in v["powers"]
            ),
            _uuid(v.get("decision_id")),
        )
        for v in view["versions"]
    ]


def delegate_of(view: dict[str, Any]) -> Delegate:
    return Delegate(
        DelegateKind(view["kind"]),
        view["name"],
        _uuid(view.get("body_id")),
        _uuid(view.get("person_id")),
    )


def grant_of(entity_id: UUID, view: Any) -> Grant:
    """A delegation view as the rule sees it."""
    return Grant(
        delegation_id=entity_id,
        body_id=UUID(view["body_id"]),
        key=view["key"],
        matter=view["matter"],
        delegate=delegate_of(view["delegate"]),
        max_amount=_money(view.get("max_amount")),
        valid_from=_day(view["valid_from"]),  # type: ignore[arg-type]
        valid_until=_day(view.get("valid_until")),
        decision_id=_uuid(view.get("decision_id")),
    )


def claim_of(view: Any) -> Claim:
    """A decision claim view as the rule sees it."""
    by = view.get("delegated_by") or {}
    return Claim(
        decision_id=UUID(view["decision_id"]),
        body_id=UUID(view["body_id"]),
        decided_on=_day(view["decided_on"]),  # type: ignore[arg-type]
        kind=ClaimKind(view["kind"]),
        matter=view.get("matter"),
        amount=_money(view.get("amount")),
        delegation_id=_uuid(by.get("delegation_id")),
        person_id=_uuid(by.get("person_id")),
    )
