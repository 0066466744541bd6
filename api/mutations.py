"""GraphQL mutations: the registry's commands (registry/application.py) over GraphQL.

Each mutation runs its command in one unit of work: all of it is written, or, when refused
(the domain's code in `extensions.code`), nothing. Every mutation takes

- `source` (the minutes the fact comes from), `note`, and `authorisedBy`, the decision that
  authorises the change, where there is one;
- `expectedVersion` (on those that change one entity): the version the client read; if the
  entity has changed since, the mutation is refused with CONFLICT and `currentVersion`;
- `idempotencyKey` (or the `Idempotency-Key` header): a request retried with the same key is
  answered as the first time and writes nothing again; the same key with another request is
  refused with IDEMPOTENCY_KEY_REUSED (registry/idempotency.py).

The answer (`Write`, api/types_mutations.py) gives the changed entity, the events written and
their log positions. See docs/mutations.md.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from api.access import require_writer
from api.graphql.core.ids import parse_id
from api.graphql.decisions.enums import DecisionKind
from api.identity import (
    Forbidden,
    Identity,
    Role,
    Unauthenticated,
    authorise_write,
)
from api.types_mutations import (
    AgreementWrite,
    AppointmentInput,
    AssignmentWrite,
    BodyWrite,
    DecisionWrite,
    DocumentFormat,
    FundWrite,
    HolderKind,
    ImportWrite,
    PersonWrite,
    SourceInput,
    Write,
    payload_of,
)
from registry.application import Appointment, Registry
from registry.domain import RegistryAggregate
from registry.domain.agreement import Agreement
from registry.domain.assignment import Assignment
from registry.domain.body import Body
from registry.domain.decision import Decision
from registry.domain.fund import Fund
from registry.domain.person import Person
from registry.errors import ConcurrentChange, InvalidInput, RegistryError, VersionConflict
from registry.idempotency import (
    MAX_KEY_LENGTH,
    IdempotentWrite,
    KeptAnswer,
    complete,
    request_hash,
    written_event,
)
from registry.importing import ImportRefused, import_text
from registry.importing.retries import retrying
from registry.values import Context, Source

IDEMPOTENCY_HEADER = "idempotency-key"
IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


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
    fields; `target` is the one aggregate `expectedVersion` refers to; `scope` tells what the
    write touches."""

    kind: type[Write]
    run: Callable[[Registry, Any], dict[str, Any]]  # (registry, Context), for an import Identity
    scope: Callable[[Registry], Scope]
    target: tuple[UUID, type[RegistryAggregate], str] | None = None
    attempts: int = 1


def _reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise InvalidInput("reason must say why the record is corrected", field="reason")
    return reason


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


def _authorise(registry: Registry, identity: Identity, scope: Scope) -> None:
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
        _authorise(registry, identity, change.scope(registry))
        # An import's provenance is the file's own (with this identity as the actor).
        context = _context(identity, source, note, authorised_by) if source else identity
        try:
            with registry.unit_of_work() as unit:
                if expected_version is not None and change.target is not None:
                    _check_version(registry, change.target, expected_version)
                answer = {"kind": change.kind.__name__, "position": 0}
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


def _version(registry: Registry, target: tuple[UUID, type[RegistryAggregate], str]) -> int:
    aggregate_id, cls, name = target
    return registry.get(aggregate_id, cls, name).version


def _check_version(
    registry: Registry, target: tuple[UUID, type[RegistryAggregate], str], expected: int
) -> None:
    current = _version(registry, target)
    if current != expected:
        raise VersionConflict(
            f"{target[2]}: the entity is at version {current}, not {expected} as expected: it "
            "has changed since it was read; read it again and decide anew. Nothing was written",
            current_version=current,
            field="expectedVersion",
        )


async def perform(info: Info, change: Change, given: dict[str, Any]) -> Any:
    """Run a mutation's command in a worker thread (it blocks on the store). `given` is the
    mutation's arguments (`locals()` at its start): the common ones (source, note,
    authorisedBy, expectedVersion, idempotencyKey) are taken from it, and all of them make
    the request hash of an idempotency key."""
    arguments = {k: _plain(v) for k, v in given.items() if k not in ("self", "info")}
    key = _key(info, given.get("idempotency_key"))
    arguments.pop("idempotency_key", None)
    authorised_by = given.get("authorised_by")
    decision = parse_id(authorised_by, "authorisedBy") if authorised_by else None
    return await asyncio.to_thread(
        _perform,
        info,
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


def _refusal(refused: ImportRefused) -> GraphQLError:
    """A refused import as one GraphQL error: the first problem's code, every problem (path,
    message, code) and the difference from the version imported before, if any."""
    problems = [p.as_dict() for p in refused.problems]
    extensions: dict[str, Any] = {
        "code": problems[0]["code"] if problems else "IMPORT_REFUSED",
        "problems": problems,
    }
    if refused.diff:
        extensions["diff"] = refused.diff
    return GraphQLError(str(refused), extensions=extensions)


def _appointment(given: AppointmentInput, field_name: str) -> Appointment:
    def optional(value: Any, name: str) -> UUID | None:
        return parse_id(value, f"{field_name}.{name}") if value is not None else None

    return Appointment(
        person_id=parse_id(given.person_id, f"{field_name}.personId"),
        role=given.role.value if given.role is not None else None,
        start=given.start,
        start_not_after=given.start_not_after,
        end=given.end,
        seat_id=optional(given.seat_id, "seatId"),
        on_behalf_of=optional(given.on_behalf_of, "onBehalfOf"),
        deputy_for=optional(given.deputy_for, "deputyFor"),
        note=given.note,
    )


def _of_body(body_id: UUID) -> Callable[[Registry], Scope]:
    def scope(registry: Registry) -> Scope:
        registry.get(body_id, Body, "bodyId")
        return Scope(bodies={body_id})

    return scope


def _of_decision(decision_id: UUID, field_name: str = "decisionId") -> Callable[[Registry], Scope]:
    def scope(registry: Registry) -> Scope:
        return Scope(bodies={registry.get(decision_id, Decision, field_name).body_id})

    return scope


def _of_agreement(agreement_id: UUID, party_id: UUID | None) -> Callable[[Registry], Scope]:
    def scope(registry: Registry) -> Scope:
        agreement = registry.get(agreement_id, Agreement, "agreementId")
        # Adopting binds one party; a correction concerns all of them.
        return Scope(organisations={party_id} if party_id else set(agreement.party_ids))

    return scope


def _entity(value: UUID, **extra: Any) -> dict[str, Any]:
    return {"entityId": str(value), "extra": {k: str(v) for k, v in extra.items()}}


def _id(value: strawberry.ID | None, name: str) -> UUID | None:
    return parse_id(value, name) if value is not None else None


SourceArgument = Annotated[
    SourceInput, strawberry.argument(description="The source document (minutes) of the fact.")
]
ExpectedVersion = Annotated[
    int | None,
    strawberry.argument(
        description="The entity's version as read; refused with CONFLICT if it has changed."
    ),
]
IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(
        description="Makes a retried request safe: the same key answers as the first time "
        "and writes nothing again (or send the Idempotency-Key header)."
    ),
]
AuthorisedBy = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="The decision that authorises the change."),
]


@strawberry.type(description="Writes: the registry's commands. See docs/mutations.md.")
class Mutation:
    @strawberry.mutation(
        description="Import one meeting's minutes or one body's statement (the text of a YAML "
        "or JSON file, docs/minutes-format.md), as POST /import does."
    )
    async def import_minutes(
        self,
        info: Info,
        document: str,
        format: DocumentFormat = DocumentFormat.YAML,
        name: str = "upload",
        correct: bool = False,
        reason: str | None = None,
        idempotency_key: IdempotencyKey = None,
    ) -> ImportWrite:
        given = dict(locals())

        def run(registry: Registry, identity: Identity) -> dict[str, Any]:
            def authorise(bodies: frozenset[UUID], organisations: frozenset[UUID]) -> None:
                _authorise(registry, identity, Scope(set(bodies), set(organisations)))

            result = import_text(
                registry,
                document,
                name,
                format.value,
                correct=correct,
                reason=reason,
                actor=identity.actor,
                authorise=authorise,
            )
            return {
                "entityId": str(result.document_id),
                "extra": {
                    "status": result.status,
                    "file": result.file,
                    "facts": result.facts,
                    "changes": result.changes,
                },
            }

        try:
            return await perform(info, Change(ImportWrite, run, _anywhere, attempts=5), given)
        except ImportRefused as refused:
            raise _refusal(refused) from None

    @strawberry.mutation(description="Appoint a person to a body in a role.")
    async def appoint(
        self,
        info: Info,
        body_id: strawberry.ID,
        appointment: AppointmentInput,
        source: SourceArgument,
        note: str | None = None,
        authorised_by: AuthorisedBy = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> BodyWrite:
        given = dict(locals())
        body = parse_id(body_id, "bodyId")
        wanted = _appointment(appointment, "appointment")

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            return _entity(body, membership_id=registry.appoint(body, wanted, context))

        return await perform(
            info, Change(BodyWrite, run, _of_body(body), (body, Body, "bodyId")), given
        )

    @strawberry.mutation(description="End a membership; `end` is the first day it no longer holds.")
    async def end_membership(
        self,
        info: Info,
        body_id: strawberry.ID,
        membership_id: strawberry.ID,
        end: date,
        source: SourceArgument,
        note: str | None = None,
        authorised_by: AuthorisedBy = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> BodyWrite:
        given = dict(locals())
        body = parse_id(body_id, "bodyId")
        membership = parse_id(membership_id, "membershipId")

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            registry.end_membership(body, membership, end, context)
            return _entity(body, membership_id=membership)

        return await perform(
            info, Change(BodyWrite, run, _of_body(body), (body, Body, "bodyId")), given
        )

    @strawberry.mutation(
        description='"C ersätter D": the outgoing person\'s membership ends and the incoming '
        "one's begins on `incoming.start`."
    )
    async def replace_member(
        self,
        info: Info,
        body_id: strawberry.ID,
        outgoing_person_id: strawberry.ID,
        incoming: AppointmentInput,
        source: SourceArgument,
        note: str | None = None,
        authorised_by: AuthorisedBy = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> BodyWrite:
        given = dict(locals())
        body = parse_id(body_id, "bodyId")
        outgoing = parse_id(outgoing_person_id, "outgoingPersonId")
        wanted = _appointment(incoming, "incoming")

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            membership = registry.replace_member(body, outgoing, wanted, context)
            return _entity(body, membership_id=membership)

        return await perform(
            info, Change(BodyWrite, run, _of_body(body), (body, Body, "bodyId")), given
        )

    @strawberry.mutation(
        description="Correct a wrongly recorded membership (dates, role, seat...); the reason "
        "is required."
    )
    async def correct_membership(
        self,
        info: Info,
        body_id: strawberry.ID,
        membership_id: strawberry.ID,
        corrected: AppointmentInput,
        reason: str,
        source: SourceArgument,
        note: str | None = None,
        authorised_by: AuthorisedBy = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> BodyWrite:
        given = dict(locals())
        body = parse_id(body_id, "bodyId")
        membership = parse_id(membership_id, "membershipId")
        wanted = _appointment(corrected, "corrected")

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            registry.correct_membership(body, membership, wanted, _reason(reason), context)
            return _entity(body, membership_id=membership)

        return await perform(
            info, Change(BodyWrite, run, _of_body(body), (body, Body, "bodyId")), given
        )

    @strawberry.mutation(description="Correct a decision's kind and text; the reason is required.")
    async def correct_decision(
        self,
        info: Info,
        decision_id: strawberry.ID,
        kind: DecisionKind,
        text: str,
        reason: str,
        source: SourceArgument,
        note: str | None = None,
        authorised_by: AuthorisedBy = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> DecisionWrite:
        given = dict(locals())
        decision = parse_id(decision_id, "decisionId")

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            registry.correct_decision(decision, kind.value, text, _reason(reason), context)
            return _entity(decision)

        target = (decision, Decision, "decisionId")
        return await perform(
            info, Change(DecisionWrite, run, _of_decision(decision), target), given
        )

    @strawberry.mutation(
        description="A condition of a decision is met (the decision may then be in force)."
    )
    async def meet_condition(
        self,
        info: Info,
        decision_id: strawberry.ID,
        condition_id: strawberry.ID,
        met_on: date,
        source: SourceArgument,
        note: str | None = None,
        authorised_by: AuthorisedBy = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> DecisionWrite:
        given = dict(locals())
        decision = parse_id(decision_id, "decisionId")
        condition = parse_id(condition_id, "conditionId")

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            registry.meet_condition(decision, condition, met_on, context, note)
            return _entity(decision)

        target = (decision, Decision, "decisionId")
        return await perform(
            info, Change(DecisionWrite, run, _of_decision(decision), target), given
        )

    @strawberry.mutation(
        description="A condition of a decision will not be met (withdrawn, or the approval "
        "refused): the decision lapses and what it authorised never applies. The reason is "
        "required."
    )
    async def withdraw_condition(
        self,
        info: Info,
        decision_id: strawberry.ID,
        condition_id: strawberry.ID,
        withdrawn_on: date,
        reason: str,
        source: SourceArgument,
        note: str | None = None,
        authorised_by: AuthorisedBy = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> DecisionWrite:
        given = dict(locals())
        decision = parse_id(decision_id, "decisionId")
        condition = parse_id(condition_id, "conditionId")

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            registry.withdraw_condition(decision, condition, withdrawn_on, _reason(reason), context)
            return _entity(decision)

        target = (decision, Decision, "decisionId")
        return await perform(
            info, Change(DecisionWrite, run, _of_decision(decision), target), given
        )

    @strawberry.mutation(
        description="Correct an agreement's period (`validFromNotAfter` for a start still "
        "unknown); the reason is required."
    )
    async def correct_agreement_period(
        self,
        info: Info,
        agreement_id: strawberry.ID,
        reason: str,
        source: SourceArgument,
        valid_from: date | None = None,
        valid_until: date | None = None,
        valid_from_not_after: date | None = None,
        note: str | None = None,
        authorised_by: AuthorisedBy = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> AgreementWrite:
        given = dict(locals())
        agreement = parse_id(agreement_id, "agreementId")

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            registry.correct_agreement_period(
                agreement, valid_from, valid_until, _reason(reason), context, valid_from_not_after
            )
            return _entity(agreement)

        target = (agreement, Agreement, "agreementId")
        return await perform(
            info, Change(AgreementWrite, run, _of_agreement(agreement, None), target), given
        )

    @strawberry.mutation(description="A party adopts an agreement (antar avtalet).")
    async def adopt_agreement(
        self,
        info: Info,
        agreement_id: strawberry.ID,
        party_id: strawberry.ID,
        adopted_on: date,
        source: SourceArgument,
        note: str | None = None,
        authorised_by: AuthorisedBy = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> AgreementWrite:
        given = dict(locals())
        agreement = parse_id(agreement_id, "agreementId")
        party = parse_id(party_id, "partyId")

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            registry.adopt_agreement(agreement, party, adopted_on, context)
            return _entity(agreement)

        target = (agreement, Agreement, "agreementId")
        return await perform(
            info, Change(AgreementWrite, run, _of_agreement(agreement, party), target), given
        )

    @strawberry.mutation(description="A party adopts a proposed extension of an agreement.")
    async def adopt_extension(
        self,
        info: Info,
        agreement_id: strawberry.ID,
        extension_key: str,
        party_id: strawberry.ID,
        adopted_on: date,
        source: SourceArgument,
        note: str | None = None,
        authorised_by: AuthorisedBy = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> AgreementWrite:
        given = dict(locals())
        agreement = parse_id(agreement_id, "agreementId")
        party = parse_id(party_id, "partyId")

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            registry.adopt_extension(agreement, extension_key, party, adopted_on, context)
            return _entity(agreement)

        target = (agreement, Agreement, "agreementId")
        return await perform(
            info, Change(AgreementWrite, run, _of_agreement(agreement, party), target), given
        )

    @strawberry.mutation(
        description="Allocate money from a fund by a decision (`authorisedBy`, required); the "
        "allocations never exceed the fund's total (FUND_EXCEEDED)."
    )
    async def allocate(
        self,
        info: Info,
        fund_id: strawberry.ID,
        recipient: str,
        purpose: str,
        amount: Decimal,
        authorised_by: strawberry.ID,
        source: SourceArgument,
        key: str | None = None,
        recipient_id: strawberry.ID | None = None,
        effective_date: date | None = None,
        note: str | None = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> FundWrite:
        given = dict(locals())
        fund = parse_id(fund_id, "fundId")
        decision = parse_id(authorised_by, "authorisedBy")
        holder = _id(recipient_id, "recipientId")

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            registry.get(fund, Fund, "fundId")
            allocation = registry.allocate(
                fund, recipient, purpose, amount, context, key, holder, effective_date
            )
            return _entity(fund, allocation_id=allocation)

        target = (fund, Fund, "fundId")
        return await perform(
            info, Change(FundWrite, run, _of_decision(decision, "authorisedBy"), target), given
        )

    @strawberry.mutation(
        description="A body gives an assignment (uppdrag) to a person, a body or an organisation."
    )
    async def give_assignment(
        self,
        info: Info,
        body_id: strawberry.ID,
        holder_kind: HolderKind,
        holder_name: str,
        task: str,
        source: SourceArgument,
        holder_id: strawberry.ID | None = None,
        due_date: date | None = None,
        given_on: date | None = None,
        key: str | None = None,
        note: str | None = None,
        authorised_by: AuthorisedBy = None,
        idempotency_key: IdempotencyKey = None,
    ) -> AssignmentWrite:
        given = dict(locals())
        body = parse_id(body_id, "bodyId")
        holder = _id(holder_id, "holderId")

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            assignment = registry.give_assignment(
                body, holder_kind.value, holder_name, task, context, holder, due_date, given_on, key
            )
            return _entity(assignment)

        return await perform(info, Change(AssignmentWrite, run, _of_body(body)), given)

    @strawberry.mutation(
        description="Progress reported on an open assignment (återrapportering); it stays open."
    )
    async def report_assignment(
        self,
        info: Info,
        assignment_id: strawberry.ID,
        reported_on: date,
        text: str,
        source: SourceArgument,
        note: str | None = None,
        authorised_by: AuthorisedBy = None,
        expected_version: ExpectedVersion = None,
        idempotency_key: IdempotencyKey = None,
    ) -> AssignmentWrite:
        given = dict(locals())
        assignment = parse_id(assignment_id, "assignmentId")

        def scope(registry: Registry) -> Scope:
            found = registry.get(assignment, Assignment, "assignmentId")
            return Scope(bodies={found.given_by_body_id})

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            registry.report_assignment(assignment, reported_on, text, context)
            return _entity(assignment)

        target = (assignment, Assignment, "assignmentId")
        return await perform(info, Change(AssignmentWrite, run, scope, target), given)

    @strawberry.mutation(
        description="Two person records found to be one person: the duplicate resolves to the "
        "survivor from now on. The reason is required."
    )
    async def merge_persons(
        self,
        info: Info,
        duplicate_id: strawberry.ID,
        survivor_id: strawberry.ID,
        reason: str,
        source: SourceArgument,
        note: str | None = None,
        authorised_by: AuthorisedBy = None,
        idempotency_key: IdempotencyKey = None,
    ) -> PersonWrite:
        given = dict(locals())
        duplicate = parse_id(duplicate_id, "duplicateId")
        survivor = parse_id(survivor_id, "survivorId")

        def scope(registry: Registry) -> Scope:
            found = [
                registry.get(duplicate, Person, "duplicateId"),
                registry.get(survivor, Person, "survivorId"),
            ]
            return Scope(organisations={p.organisation_id for p in found if p.organisation_id})

        def run(registry: Registry, context: Context) -> dict[str, Any]:
            registry.merge_persons(duplicate, survivor, _reason(reason), context)
            return _entity(survivor)

        return await perform(info, Change(PersonWrite, run, scope), given)


def _anywhere(_registry: Registry) -> Scope:
    return Scope()
