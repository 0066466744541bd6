"""What every mutation shares: who sends it and what a grant must cover (`Scope`), the
idempotency key and its replay, the expected version, the one unit of work its command runs in
(`perform`), and the answer it gives. The concept modules beside this one say only what differs:
each mutation's command, its scope and its target (`Change`)."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from graphql import GraphQLError
from strawberry.types import Info

from api.access import require_writer
from api.graphql.core.ids import parse_id
from api.identity import (
    Forbidden,
    Identity,
    Role,
    Unauthenticated,
    authorise_write,
)
from api.mutations.types import SourceInput, Write, payload_of
from registry.application import Registry
from registry.domain import RegistryAggregate
from registry.domain.body import Body
from registry.domain.decision import Decision
from registry.errors import ConcurrentChange, InvalidInput, RegistryError, VersionConflict
from registry.idempotency import (
    MAX_KEY_LENGTH,
    IdempotentWrite,
    KeptAnswer,
    complete,
    request_hash,
    written_event,
)
from registry.importing import ImportRefused
from registry.importing.retries import retrying
from registry.values import Context, Source

IDEMPOTENCY_HEADER = "idempotency-key"
IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"

Target = tuple[UUID, type[RegistryAggregate], str]
"""The one aggregate `expectedVersion` refers to: its id, its class and the argument naming it."""


@dataclass
class Scope:
    """The bodies and organisations a write touches (what a grant must cover)."""

    bodies: set[UUID] = field(default_factory=set)
    organisations: set[UUID] = field(default_factory=set)

    def __post_init__(self) -> None:
        # Ids as aggregates hold them may be text (restored from a JSON snapshot).
        self.bodies = {UUID(str(i)) for i in self.bodies}
        self.organisations = {UUID(str(i)) for i in self.organisations}


@dataclass
class Change:
    """One mutation's command: `run` records it and returns the answer's entity id and extra
    fields; `scope` tells what the write touches; `target` is the one aggregate
    `expectedVersion` refers to."""

    run: Callable[[Registry, Any], dict[str, Any]]  # (registry, Context), for an import Identity
    scope: Callable[[Registry], Scope]
    target: Target | None = None
    attempts: int = 1


def reason_given(reason: str) -> str:
    """The reason a correction states, refused when blank."""
    if not reason or not reason.strip():
        raise InvalidInput("reason must say why the record is corrected", field="reason")
    return reason


def entity(value: UUID, **extra: Any) -> dict[str, Any]:
    """A command's part of the answer: the entity it changed and the answer's extra fields."""
    return {"entityId": str(value), "extra": {k: str(v) for k, v in extra.items()}}


def optional_id(value: Any, name: str) -> UUID | None:
    """An optional id argument, parsed when given."""
    return parse_id(value, name) if value is not None else None


def of_body(body_id: UUID) -> Callable[[Registry], Scope]:
    """The scope of a write to a body (refused as not found when there is none)."""

    def scope(registry: Registry) -> Scope:
        registry.get(body_id, Body, "bodyId")
        return Scope(bodies={body_id})

    return scope


def of_decision(decision_id: UUID, field_name: str = "decisionId") -> Callable[[Registry], Scope]:
    """The scope of a write to (or authorised by) a decision: the body that made it."""

    def scope(registry: Registry) -> Scope:
        return Scope(bodies={registry.get(decision_id, Decision, field_name).body_id})

    return scope


def anywhere(_registry: Registry) -> Scope:
    """The scope of a write that says what it touches as it runs (an import)."""
    return Scope()


def _key(info: Info, given: str | None) -> str | None:
    request = info.context.get("request")
    header = request.headers.get(IDEMPOTENCY_HEADER) if request is not None else None
    key = given if given is not None else header
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            f"idempotencyKey must be 1 to {MAX_KEY_LENGTH} characters", field="idempotencyKey"
        )
    if given is None and len(info.operation.selection_set.selections) > 1:
        raise InvalidInput(
            "the Idempotency-Key header applies to an operation with one mutation; give each "
            "mutation its own idempotencyKey argument",
            field="idempotencyKey",
        )
    return key


def _identity(info: Info) -> Identity:
    """Who sends the mutation (api/access.py): refused without credentials (unless the
    loopback default holds), with bad ones, or with a role that never writes."""
    try:
        return require_writer(info)
    except (Unauthenticated, Forbidden) as error:
        raise _denied(error) from None


def authorise(registry: Registry, identity: Identity, scope: Scope) -> None:
    """Refuse the write (FORBIDDEN) unless the identity's grants cover its scope."""
    try:
        if not scope.bodies and not scope.organisations and identity.role is not Role.ADMIN:
            # A write that concerns no body or organisation (two persons of none) is the
            # administrators' to make: no grant covers it.
            raise Forbidden(
                f"{identity.name} may not make this write: it concerns no body or "
                "organisation a grant could cover, so an admin token is needed"
            )
        authorise_write(registry, identity, bodies=scope.bodies, organisations=scope.organisations)
    except Forbidden as error:
        raise _denied(error) from None


def _denied(error: Unauthenticated | Forbidden) -> GraphQLError:
    return GraphQLError(str(error), extensions={"code": error.code})


def _context(
    identity: Identity, source: SourceInput, note: str | None, authorised_by: UUID | None
) -> Context:
    context = identity.context(Source(source.document, source.item, source.url), note)
    return context.authorised_by(authorised_by) if authorised_by else context


def _replay(kept: KeptAnswer, hashed: str) -> Write:
    if kept.request_hash != hashed:
        raise GraphQLError(
            "this idempotency key was used for another request; use a new key for a new request",
            extensions={"code": IDEMPOTENCY_KEY_REUSED, "field": "idempotencyKey"},
        )
    return payload_of(kept.answer, replayed=True)


def _perform(
    info: Info,
    kind: type[Write],
    change: Change,
    arguments: dict[str, Any],
    source: SourceInput | None,
    note: str | None,
    authorised_by: UUID | None,
    expected_version: int | None,
    key: str | None,
) -> Write:
    registry: Registry = info.context["registry"]
    recorder: Any = registry.recorder
    identity = _identity(info)
    subject = identity.subject  # keys are per identity: nobody replays another's answer
    hashed = request_hash(info.field_name, arguments)
    if expected_version is not None and change.target is None:
        raise InvalidInput("this mutation does not take expectedVersion", field="expectedVersion")

    def attempt() -> Write:
        if key is not None and (kept := recorder.select_idempotent(subject, key)) is not None:
            return _replay(kept, hashed)
        authorise(registry, identity, change.scope(registry))
        # An import's provenance is the file's own (with this identity as the actor).
        context = _context(identity, source, note, authorised_by) if source else identity
        try:
            with registry.unit_of_work() as unit:
                if expected_version is not None and change.target is not None:
                    _check_version(registry, change.target, expected_version)
                answer = {"kind": kind.__name__, "position": 0}
                answer.update(change.run(registry, context))
                if key is not None:
                    unit.also_write["idempotency"] = IdempotentWrite(subject, key, hashed, answer)
        except (RegistryError, ImportRefused) as refused:
            if key is not None and (kept := recorder.select_idempotent(subject, key)) is not None:
                return _replay(kept, hashed)  # an attempt with this key won the race
            if (
                isinstance(refused, ConcurrentChange)
                and not isinstance(refused, VersionConflict)
                and expected_version is not None
                and change.target is not None
            ):
                current = _version(registry, change.target)
                raise VersionConflict(
                    f"{change.target[2]}: changed by another request while this one was "
                    f"written (expected version {expected_version}, now {current}); nothing "
                    "was written",
                    current_version=current,
                    field="expectedVersion",
                ) from None
            raise
        events = [
            written_event(
                r.notification.id,
                r.domain_event.originator_id,
                r.domain_event.originator_version,
                f"x:{type(r.domain_event).__qualname__}",
            )
            for r in unit.recordings
        ]
        if not events:
            answer["position"] = registry.max_position()
            if change.target is not None and answer.get("version") is None:
                answer["version"] = _version(registry, change.target)
            if key is not None and not recorder.insert_idempotent(
                IdempotentWrite(subject, key, hashed, answer)
            ):
                return _replay(recorder.select_idempotent(subject, key), hashed)
        return payload_of(complete(answer, events), replayed=False)

    return retrying(attempt, change.attempts) if change.attempts > 1 else attempt()


def _version(registry: Registry, target: Target) -> int:
    aggregate_id, cls, name = target
    return registry.get(aggregate_id, cls, name).version


def _check_version(registry: Registry, target: Target, expected: int) -> None:
    current = _version(registry, target)
    if current != expected:
        raise VersionConflict(
            f"{target[2]}: the entity is at version {current}, not {expected} as expected: it "
            "has changed since it was read; read it again and decide anew. Nothing was written",
            current_version=current,
            field="expectedVersion",
        )


async def perform(info: Info, kind: type[Write], change: Change, given: dict[str, Any]) -> Any:
    """Run a mutation's command in a worker thread (it blocks on the store) and answer it as
    `kind`. `given` is the mutation's arguments: the common ones (source, note, authorisedBy,
    expectedVersion, idempotencyKey) are taken from it, and all of them make the request hash
    of an idempotency key."""
    arguments = {k: _plain(v) for k, v in given.items() if k not in ("self", "info")}
    key = _key(info, given.get("idempotency_key"))
    arguments.pop("idempotency_key", None)
    authorised_by = given.get("authorised_by")
    decision = parse_id(authorised_by, "authorisedBy") if authorised_by else None
    return await asyncio.to_thread(
        _perform,
        info,
        kind,
        change,
        arguments,
        given.get("source"),
        given.get("note"),
        decision,
        given.get("expected_version"),
        key,
    )


def _plain(value: Any) -> Any:
    """An argument as plain data, for the request hash."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, enum.Enum):
        return value.value
    return value
