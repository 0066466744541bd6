"""Effects of a conditional decision, held until its conditions are met.

A decision "som kräver politisk förankring innan det gäller" authorises memberships,
assignments, allocations and agreement changes that must not be answered as in force before
the approval is given (registry/status/decision.py holds the rule). This read model runs first in
each batch. When an event is authorised (`Context.decision_id`) by a decision whose gate holds
it back, the event is kept here instead of being applied: the other read models that answer
validity (memberships, agreements, entities, search: those with `gated = True`) skip it. When
the last condition is met, the held events are applied to those models as if recorded at
that moment, their dates brought forward to the day the condition was met
(`registry.statuses.effect_from`); so `knownAt` before that moment answers "pending", and
`asOf` before that day answers without them. When a condition is withdrawn or refused they
are never applied.

An agreement, fund or assignment is kept as a snapshot by its read model, whose events apply
in order: an event on one that has an event held waits behind it (and never applies if the
held one never does). Memberships are rows of their own: only the held event waits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent

from projections.sql import POSTGRES, Db, as_date, as_datetime, in_list
from projections.tables import Index, ReadModelSchema, Table
from registry.domain.agreement import Agreement
from registry.domain.assignment import Assignment
from registry.domain.body import Body
from registry.domain.decision import Decision
from registry.domain.fund import Fund
from registry.status.decision import ConditionState, Gate, GateState, effect_from, gate_of

#: What `apply` answers for an event it holds: the gated models skip it.
HELD = "held"

SCHEMA = ReadModelSchema(
    version=1,
    tables=[
        Table(
            "decision_gates",
            "decision_id text, decided_on date!, conditions text!",
            key=["decision_id"],
        ),
        Table(
            "held_effects",
            """held_id serial, decision_id text!, blocked_by text!, originator_id text!,
            originator_version bigint!, event_type text!, event_position bigint!, topic text!,
            state text!, summary text!, held_from time!, ended_at time, outcome text,
            applies_from date""",
            key=["held_id"],
            indexes=[
                Index("held_effects_decision", "decision_id, held_id"),
                Index("held_effects_blocked", "blocked_by, held_id"),
                Index("held_effects_open", "originator_id, ended_at"),
            ],
        ),
    ],
)

# Events that change what is valid when, by aggregate. Body: only membership changes (each
# membership is its own row, so nothing else on the body waits behind them); a correction or
# retraction made by the same waiting decision (an import's correction) waits with it.
_MEMBERSHIP_EVENTS = (
    Body.MemberAppointed,
    Body.MemberReplaced,
    Body.MembershipEnded,
    Body.MembershipCorrected,
    Body.MembershipRetracted,
)
_SNAPSHOTTED = (Agreement.Event, Fund.Event, Assignment.Event)

# A proposed extension is itself pending (until every party adopts it) and changes no
# validity: it is shown at once, as pending, also when its decision waits for a condition.
_NEVER_HELD = (Agreement.ExtensionProposed,)

# Events whose effective_date is not the day the change applies from, but a day it names
# (a new end, a last day): not brought forward.
_DATES_AS_GIVEN = (
    Agreement.Extended,
    Agreement.ExtensionProposed,
    Agreement.Terminated,
    Agreement.PeriodCorrected,
)


@dataclass(frozen=True)
class HeldEffect:
    """An effect of a conditional decision as the registry knew it at some moment."""

    decision_id: UUID
    blocked_by: UUID
    originator_id: UUID
    event_type: str
    summary: dict[str, Any]
    held_from: datetime
    ended_at: datetime | None
    outcome: str | None  # None: pending; "applied" (from applies_from); "never"
    applies_from: date | None


def _gate(row: dict | None) -> Gate | None:
    if row is None:
        return None
    conditions = json.loads(row["conditions"])
    return gate_of(
        as_date(row["decided_on"]),  # type: ignore[arg-type]
        [
            ConditionState(as_date(c.get("met_on")), as_date(c.get("withdrawn_on")))
            for c in conditions.values()
        ],
    )


def _summary(event: Any) -> dict[str, Any]:
    """What the held event would change, in words a reader of GraphQL can use."""
    kind = f"{type(event).__qualname__}"
    found: dict[str, Any] = {"kind": kind, "subject_id": str(event.originator_id)}
    membership = getattr(event, "membership", None) or getattr(event, "incoming", None)
    if membership is not None:
        found |= {
            "person_id": str(membership.person_id),
            "person_name": membership.person_name,
            "role": str(membership.role),
        }
    for attribute in ("title", "name", "task", "new_until", "description"):
        value = getattr(event, attribute, None)
        if value is not None:
            found[attribute] = str(value)
    allocation = getattr(event, "allocation", None)
    if allocation is not None:
        found |= {"recipient": allocation.recipient, "amount": str(allocation.amount)}
    if getattr(event, "effective_date", None) is not None:
        found["date"] = event.effective_date.isoformat()
    return found


def brought_forward(event: Any, gate: Gate, timestamp: datetime) -> Any:
    """The held event as applied when its decision's gate opens: recorded at `timestamp`,
    its dates not before the day the last condition was met."""
    changes: dict[str, Any] = {"timestamp": timestamp}
    if not isinstance(event, _DATES_AS_GIVEN) and getattr(event, "effective_date", None):
        changes["effective_date"] = effect_from(event.effective_date, gate)
    for attribute in ("membership", "incoming"):
        m = getattr(event, attribute, None)
        if m is not None and effect_from(m.lower, gate) != m.lower:
            changes[attribute] = replace(m, start=gate.applies_from, start_not_after=None)
    if isinstance(event, Agreement.Registered):
        if event.valid_from is not None:
            changes["valid_from"] = effect_from(event.valid_from, gate)
        if event.valid_from_not_after is not None:
            changes["valid_from_not_after"] = effect_from(event.valid_from_not_after, gate)
        rule = event.entry_into_force
        if rule is not None and event.valid_from is None:
            changes["entry_into_force"] = replace(
                rule, not_before=effect_from(rule.not_before, gate)
            )
    return replace(event, **changes)


class PendingEffectsReadModel:
    """Holds the effects of decisions whose conditions are not met, and releases them."""

    name = "pending_effects"
    schema = SCHEMA

    def __init__(self, mapper: Mapper) -> None:
        self.mapper = mapper
        self.gated: list[Any] = []
        # Within one batch (one transaction, this runner the only writer) the decisions that
        # have conditions and the subjects with an effect held are read once, not per event;
        # forgotten at the end of each batch, so another runner's batches are never missed.
        self._conditional: set[str] | None = None
        self._looked_up: set[str] = set()  # the decisions `_conditional` knows about
        self._blocked: set[str] | None = None

    def flush(self, db: Db) -> None:
        self._conditional = self._blocked = None

    def discard(self) -> None:
        self._conditional = self._blocked = None

    def prepare(self, db: Db, events: list[Any]) -> None:
        """Which of the decisions that authorised the batch's events have conditions, in
        one query (rather than every gate in the store, or one query per event)."""
        ids = {
            str(event.context.decision_id)
            for event in events
            if isinstance(event, _MEMBERSHIP_EVENTS + _SNAPSHOTTED)
            and event.context.decision_id is not None
        }
        self._conditional, self._looked_up = set(), ids
        for chunk in [sorted(ids)[n : n + 500] for n in range(0, len(ids), 500)]:
            placeholders, params = in_list(chunk)
            rows = db.rows(
                f"SELECT decision_id FROM {{s}}decision_gates WHERE decision_id IN ({placeholders})",
                params,
            )
            self._conditional.update(r["decision_id"] for r in rows)

    def _has_conditions(self, db: Db, decision_id: UUID) -> bool:
        key = str(decision_id)
        if self._conditional is None or key not in self._looked_up:
            row = db.one(
                "SELECT decision_id FROM {s}decision_gates WHERE decision_id = :id",
                {"id": decision_id},
            )
            if self._conditional is None:
                self._conditional, self._looked_up = set(), set()
            self._looked_up.add(key)
            if row is not None:
                self._conditional.add(key)
        return key in self._conditional

    def _is_blocked(self, db: Db, subject_id: UUID) -> bool:
        if self._blocked is None:
            rows = db.rows(
                "SELECT DISTINCT originator_id FROM {s}held_effects WHERE ended_at IS NULL"
            )
            self._blocked = {r["originator_id"] for r in rows}
        return str(subject_id) in self._blocked

    def bind(self, read_models: list[Any]) -> None:
        """The read models whose events wait here (those marked `gated`)."""
        self.gated = [m for m in read_models if getattr(m, "gated", False)]

    # -- writing ------------------------------------------------------------------------

    def apply(self, db: Db, event: Any, position: int) -> str | None:
        if isinstance(event, Decision.Event):
            self._decision_event(db, event, position)
            return None
        if not isinstance(event, _MEMBERSHIP_EVENTS + _SNAPSHOTTED):
            return None
        decision_id = event.context.decision_id
        if (
            decision_id is not None
            and not isinstance(event, _NEVER_HELD)
            and self._has_conditions(db, decision_id)
        ):
            gate = _gate(self._gate_row(db, decision_id))
            if gate is not None and gate.holds_back:
                never = gate.state is GateState.LAPSED
                self._hold(db, event, position, decision_id, decision_id, never)
                return HELD
        if isinstance(event, _SNAPSHOTTED) and self._is_blocked(db, event.originator_id):
            ahead = db.one(
                "SELECT blocked_by FROM {s}held_effects "
                "WHERE originator_id = :id AND ended_at IS NULL ORDER BY held_id LIMIT 1",
                {"id": event.originator_id},
            )
            if ahead is not None:
                self._hold(db, event, position, decision_id, UUID(ahead["blocked_by"]), never=False)
                return HELD
        return None

    def _gate_row(self, db: Db, decision_id: UUID) -> dict | None:
        return db.one(
            "SELECT * FROM {s}decision_gates WHERE decision_id = :id", {"id": decision_id}
        )

    def _hold(
        self,
        db: Db,
        event: Any,
        position: int,
        decision_id: UUID | None,
        blocked_by: UUID,
        never: bool,
    ) -> None:
        stored = self.mapper.to_stored_event(event)
        db.insert(
            "held_effects",
            {
                "decision_id": decision_id or blocked_by,
                "blocked_by": blocked_by,
                "originator_id": event.originator_id,
                "originator_version": event.originator_version,
                "event_type": type(event).__qualname__,
                "event_position": position,
                "topic": stored.topic,
                "state": stored.state.decode("utf8"),
                "summary": json.dumps(_summary(event), ensure_ascii=False, sort_keys=True),
                "held_from": event.timestamp,
                "ended_at": event.timestamp if never else None,
                "outcome": "never" if never else None,
            },
        )
        if not never and self._blocked is not None:
            self._blocked.add(str(event.originator_id))

    def _decision_event(self, db: Db, event: Any, position: int) -> None:
        if isinstance(event, Decision.Recorded):
            if event.conditions:
                if self._conditional is not None:
                    self._conditional.add(str(event.originator_id))
                    self._looked_up.add(str(event.originator_id))
                db.insert(
                    "decision_gates",
                    {
                        "decision_id": event.originator_id,
                        "decided_on": event.decided_on,
                        "conditions": json.dumps(
                            {str(c.condition_id): {} for c in event.conditions}
                        ),
                    },
                )
            return
        if not isinstance(event, Decision.ConditionMet | Decision.ConditionWithdrawn):
            return
        row = self._gate_row(db, event.originator_id)
        if row is None:  # pragma: no cover - the aggregate refuses an unknown condition
            return
        conditions = json.loads(row["conditions"])
        key = "met_on" if isinstance(event, Decision.ConditionMet) else "withdrawn_on"
        conditions.setdefault(str(event.condition_id), {})[key] = event.effective_date.isoformat()
        db.execute(
            "UPDATE {s}decision_gates SET conditions = :c WHERE decision_id = :id",
            {"c": json.dumps(conditions), "id": event.originator_id},
        )
        gate = _gate({**row, "conditions": json.dumps(conditions)})
        assert gate is not None
        self._blocked = None  # rows end below: read again when next needed
        if gate.state is GateState.MET:
            self._release(db, event.originator_id, gate, event.timestamp, position)
        elif gate.state is GateState.LAPSED:
            db.execute(
                "UPDATE {s}held_effects SET ended_at = :t, outcome = 'never' "
                "WHERE blocked_by = :id AND ended_at IS NULL",
                {"id": event.originator_id, "t": event.timestamp},
            )

    def _release(
        self, db: Db, decision_id: UUID, gate: Gate, timestamp: datetime, position: int
    ) -> None:
        rows = db.rows(
            "SELECT * FROM {s}held_effects WHERE blocked_by = :id AND ended_at IS NULL "
            "ORDER BY held_id",
            {"id": decision_id},
        )
        for row in rows:
            event = self.mapper.to_domain_event(
                StoredEvent(
                    originator_id=UUID(row["originator_id"]),
                    originator_version=int(row["originator_version"]),
                    topic=row["topic"],
                    state=row["state"].encode("utf8"),
                )
            )
            # An event that only waited behind this decision's (another decision's effect,
            # or none) keeps its own dates.
            own = UUID(row["decision_id"]) == decision_id
            if own:
                applied = brought_forward(event, gate, timestamp)
                day = getattr(event, "effective_date", None)
                applies_from = (
                    gate.applies_from
                    if isinstance(event, _DATES_AS_GIVEN)
                    else effect_from(day, gate)
                )
            else:
                applied, applies_from = replace(event, timestamp=timestamp), None
            for model in self.gated:
                model.apply(db, applied, position)
            db.execute(
                "UPDATE {s}held_effects SET ended_at = :t, outcome = 'applied', "
                "applies_from = :d WHERE held_id = :h",
                {"t": timestamp, "d": applies_from, "h": row["held_id"]},
            )

    # -- reading ------------------------------------------------------------------------

    def of_decisions(
        self, db: Db, decision_ids: list[UUID], known_at: datetime
    ) -> dict[UUID, list[HeldEffect]]:
        """The effects each decision had held, as the registry knew them at `known_at`
        (an effect applied or dropped after `known_at` is still pending then)."""
        return self._rows(db, "decision_id", decision_ids, known_at)

    def of_subjects(
        self, db: Db, subject_ids: list[UUID], known_at: datetime
    ) -> dict[UUID, list[HeldEffect]]:
        """The held effects on each body, agreement, fund or assignment, as known at
        `known_at` (a body's: memberships that wait for a condition)."""
        return self._rows(db, "originator_id", subject_ids, known_at)

    def _rows(
        self, db: Db, column: str, keys: list[UUID], known_at: datetime
    ) -> dict[UUID, list[HeldEffect]]:
        ids, params = in_list(keys)
        if not params:
            return {}
        recorded = "held_from <= :t::timestamptz" if db.dialect == POSTGRES else "held_from <= :t"
        rows = db.rows(
            f"SELECT * FROM {{s}}held_effects WHERE {column} IN ({ids}) AND {recorded} "
            "ORDER BY held_id",
            {**params, "t": known_at},
        )
        found: dict[UUID, list[HeldEffect]] = {UUID(str(v)): [] for v in params.values()}
        for r in rows:
            ended = as_datetime(r["ended_at"])
            known_ended = ended is not None and ended <= known_at
            found[UUID(r[column])].append(
                HeldEffect(
                    decision_id=UUID(r["decision_id"]),
                    blocked_by=UUID(r["blocked_by"]),
                    originator_id=UUID(r["originator_id"]),
                    event_type=r["event_type"],
                    summary=json.loads(r["summary"]),
                    held_from=as_datetime(r["held_from"]),  # type: ignore[arg-type]
                    ended_at=ended if known_ended else None,
                    outcome=r["outcome"] if known_ended else None,
                    applies_from=as_date(r["applies_from"]) if known_ended else None,
                )
            )
        return found


__all__ = ["HELD", "HeldEffect", "PendingEffectsReadModel", "brought_forward"]
