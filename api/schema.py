"""The GraphQL schema: every concept the registry holds, on both time axes.

`asOf` (valid time) asks about a day in the world; `knownAt` (recorded time) asks what the
registry knew at a moment. Top-level lists are Relay connections with keyset cursors. Every
resolver reads the projections through the request's batched loaders (api/reader.py).
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import AsyncGenerator
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.directive import DirectiveLocation
from strawberry.extensions import SchemaExtension
from strawberry.extensions.directives import DirectivesExtension, DirectivesExtensionSync
from strawberry.types import Info

from api.limits import graphql_extensions
from api.mutations import Mutation
from api.pagination import (
    Connection,
    Edge,
    PageInfo,
    connect,
    decode_cursor,
    encode_cursor,
    keyset_connection,
    page_size,
)
from api.read_your_writes import ReadYourWrites, at_least_position
from api.reader import Reader
from api.types import (
    Agreement,
    AgreementStatus,
    Assignment,
    AssignmentStatus,
    Body,
    Decision,
    DecisionKind,
    DecisionStatus,
    Event,
    Fund,
    Ledger,
    Meeting,
    Membership,
    Organisation,
    Person,
    SearchHit,
    SearchKind,
    expiring,
    load_body,
    load_decision,
    load_meeting,
    load_organisation,
    load_person,
    load_row,
    parse_id,
    read_ledger,
    reader,
)
from api.types_mandates import MandatesQuery
from api.types_plans import PlansQuery
from projections.entities import (
    BODY,
    FUND,
    MEETING,
    ORGANISATION,
    PERSON,
)
from projections.ledger import EventRow
from projections.list_keys import KEY_SHAPE as LIST_KEY_SHAPE
from projections.list_keys import KeyQuery, folded
from projections.runner import ProjectionRunner
from projections.status_ranges import AGREEMENT, KEY_SHAPE, ListQuery, Page, sort_key_text
from projections.status_ranges import ASSIGNMENT as ASSIGNMENT_RANGES
from projections.status_ranges import DECISION as DECISION_RANGES
from registry.ids import normalise


def _natural(item: str) -> str:
    """Sort "9" before "10": zero-pad a leading number."""
    digits = len(item) - len(item.lstrip("0123456789"))
    return item[:digits].zfill(8) + item[digits:] if digits else item


def _folded(text: str) -> str:
    """`text` with case, whitespace and diacritics folded: "Nyström-Hägg" → "nystrom-hagg"."""
    decomposed = unicodedata.normalize("NFD", normalise(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _bad(field: str, message: str) -> GraphQLError:
    return GraphQLError(
        f"{field}: {message}", extensions={"code": "BAD_USER_INPUT", "field": field}
    )


FEED_BATCH = 500
FEED_POLL_SECONDS = 0.5


@strawberry.type(description="An event of the change feed with its cursor.")
class ChangeEdge:
    cursor: str
    node: Event


def _feed_position(after: str | None) -> int:
    """The log position a change-feed cursor stands for (0: from the start)."""
    if after is None:
        return 0
    cursor = decode_cursor(after)
    if len(cursor) != 1 or not isinstance(cursor[0], int) or cursor[0] < 0:
        raise _bad("after", f"{after!r} is not a cursor of the change feed")
    return cursor[0]


def _feed_since(runner: ProjectionRunner, position: int, limit: int) -> list[EventRow]:
    with runner.views.reading() as db:
        return runner.ledger.since(db, position, limit)


def _after_key(after: str | None, kind: str) -> str | None:
    """The sort-key text of a list cursor (projections/status_ranges.py), None without one."""
    if after is None:
        return None
    key = decode_cursor(after)
    try:
        shape = KEY_SHAPE[kind] if kind in KEY_SHAPE else LIST_KEY_SHAPE[kind]
        if len(key) != len(shape) or not all(
            type(part) is kind_of for part, kind_of in zip(key, shape, strict=True)
        ):
            raise TypeError(key)
        return sort_key_text(key)
    except TypeError:
        raise _bad("after", f"{after!r} is not a cursor from this list") from None


async def _paged(
    r: Reader, query: ListQuery, first: int | None, after: str | None, load
) -> tuple[Page, list]:  # type: ignore[no-untyped-def]
    """One page of a list filtered and paged in SQL, and its rows loaded by `load(db, ids)`
    (a dict by id), in the page's order."""
    size = page_size(first)
    boundary = _after_key(after, query.kind)

    def work(db):  # type: ignore[no-untyped-def]
        page = query.page(db, boundary, size)
        return page, load(db, page.ids)

    page, found = await r.read(work)
    return page, [found[i] for i in page.ids if i in found]


async def _keyed(
    r: Reader,
    query: KeyQuery,
    first: int | None,
    after: str | None,
    make,  # type: ignore[no-untyped-def]
    key,  # type: ignore[no-untyped-def]
) -> Connection:
    """A page of a list of entities read by keyset in SQL (projections/list_keys.py): only
    the page's rows are loaded; the total is counted only if asked for."""
    size = page_size(first)
    boundary = _after_key(after, query.kind)

    def work(db):  # type: ignore[no-untyped-def]
        page = query.page(db, boundary, size)
        return page, r.runner.entities.get_many(db, page.ids, query.known_at)

    page, found = await r.read(work)
    return keyset_connection(
        [make(found[i]) for i in page.ids if i in found],
        key,
        page.more,
        page.before,
        lambda: r.read(query.count),
    )


@strawberry.type
class Query(PlansQuery, MandatesQuery):
    # -- bodies and composition ---------------------------------------------------------

    @strawberry.field(
        description="Bodies by name, optionally of one kind and with `name` in their name "
        "(ignoring case and diacritics)."
    )
    async def bodies(
        self,
        info: Info,
        name: str | None = None,
        kind: str | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Body]:
        r = reader(info)
        query = KeyQuery(
            BODY, r.known_at(known_at), name=folded(name) if name else None, variant=kind
        )
        return await _keyed(
            r,
            query,
            first,
            after,
            lambda b: Body(row=b, known_at=known_at),
            lambda b: (b.row["name"], str(b.row.entity_id)),
        )

    @strawberry.field(description="One body by id.")
    async def body(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Body | None:
        return await load_body(info, parse_id(id, "id"), known_at)

    @strawberry.field(
        description="Members of a body on `asOf` (default today) as the registry knew them at "
        "`knownAt` (default now), each with role, from, until and the decision behind it."
    )
    async def members(
        self,
        info: Info,
        body_id: strawberry.ID,
        as_of: date | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Membership]:
        r = reader(info)
        rows = await r.members.load(
            (parse_id(body_id, "bodyId"), r.as_of(as_of), r.known_at(known_at))
        )
        members = [Membership(row=m, known_at=known_at) for m in rows]
        key = lambda m: (  # noqa: E731
            m.row.role,
            m.row.person_name,
            str(m.row.start_date or m.row.start_not_after),
            str(m.row.membership_id),
        )
        # Sorted here, not by SQL: a keyset cursor needs the rows in exactly its key's order
        # (a database collation may order names differently; ties on name need the id).
        members.sort(key=key)
        return connect(members, key, first, after)

    # -- organisations and persons ------------------------------------------------------

    @strawberry.field(
        description="Regions, kommuner, kommunalförbund, SKR... by name, optionally of one "
        "kind and with `name` in their name (ignoring case and diacritics)."
    )
    async def organisations(
        self,
        info: Info,
        name: str | None = None,
        kind: str | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Organisation]:
        r = reader(info)
        query = KeyQuery(
            ORGANISATION, r.known_at(known_at), name=folded(name) if name else None, variant=kind
        )
        return await _keyed(
            r,
            query,
            first,
            after,
            lambda o: Organisation(row=o),
            lambda o: (o.row["name"], str(o.row.entity_id)),
        )

    @strawberry.field(description="One organisation by id.")
    async def organisation(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Organisation | None:
        return await load_organisation(info, parse_id(id, "id"), known_at)

    @strawberry.field(
        description="One person by id; a record merged into another resolves to the survivor."
    )
    async def person(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Person | None:
        return await load_person(info, parse_id(id, "id"), known_at)

    @strawberry.field(
        description="Persons by name; `name` matches the name or any spelling of it, ignoring "
        "case and diacritics. Merged records are not listed (their survivor is)."
    )
    async def persons(
        self,
        info: Info,
        name: str | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Person]:
        r = reader(info)
        query = KeyQuery(PERSON, r.known_at(known_at), name=folded(name) if name else None)
        return await _keyed(
            r,
            query,
            first,
            after,
            lambda p: Person(row=p, known_at=known_at),
            lambda p: (p.row["name"], str(p.row.entity_id)),
        )

    # -- meetings -------------------------------------------------------------------------

    @strawberry.field(description="One meeting by id.")
    async def meeting(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Meeting | None:
        return await load_meeting(info, parse_id(id, "id"), known_at)

    @strawberry.field(description="Meetings, oldest first, of a body and within dates if given.")
    async def meetings(
        self,
        info: Info,
        body_id: strawberry.ID | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Meeting]:
        r = reader(info)
        query = KeyQuery(
            MEETING,
            r.known_at(known_at),
            body_ids=[str(parse_id(body_id, "bodyId"))] if body_id else None,
            key_from=from_,
            key_to=to,
        )
        return await _keyed(
            r,
            query,
            first,
            after,
            lambda m: Meeting(row=m, known_at=known_at),
            lambda m: (m.row["held_on"], m.row["sequence"], str(m.row.entity_id)),
        )

    # -- decisions ------------------------------------------------------------------------

    @strawberry.field(description="One decision by id.")
    async def decision(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Decision | None:
        return await load_decision(info, parse_id(id, "id"), known_at)

    @strawberry.field(
        description="Decisions, oldest first: of a body, decided within [from, to], of some "
        "kinds, with some statuses on `asOf` (default today), as known at `knownAt`."
    )
    async def decisions(
        self,
        info: Info,
        body_id: strawberry.ID | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        kinds: list[DecisionKind] | None = None,
        statuses: list[DecisionStatus] | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Decision]:
        if from_ and to and to < from_:
            raise _bad("to", f"{to} is before from ({from_})")
        r = reader(info)
        t = r.known_at(known_at)
        # Filtered and paged in SQL on the stored status ranges (projections/status_ranges.py).
        query = ListQuery(
            DECISION_RANGES,
            r.as_of(as_of),
            t,
            statuses=[s.value for s in statuses] if statuses else None,
            body_ids=[str(parse_id(body_id, "bodyId"))] if body_id else None,
            key_from=from_,
            key_to=to,
            variants=[k.value for k in kinds] if kinds else None,
        )
        page, rows = await _paged(
            r, query, first, after, lambda db, ids: r.runner.entities.get_many(db, ids, t)
        )
        key = lambda d: (  # noqa: E731
            d.row["decided_on"],
            _natural(d.row["item"]),
            d.row["ordinal"],
            str(d.row.entity_id),
        )
        return keyset_connection(
            [Decision(row=d, known_at=known_at) for d in rows],
            key,
            page.more,
            page.before,
            lambda: r.read(query.count),
        )

    # -- agreements -----------------------------------------------------------------------

    @strawberry.field(
        description="Agreements in force on `validOn` (default today) as known at `knownAt`: "
        "after adopted extensions, termination and the entry-into-force rule. With "
        "`expiringWithinDays`, only those whose last valid day is within that many days. "
        "With `status`, every agreement known at `knownAt` whose status on `validOn` is one "
        "of those given (NOT_YET_IN_FORCE, EXPIRED, TERMINATED, PENDING_ADOPTION ...)."
    )
    async def agreements(
        self,
        info: Info,
        valid_on: date | None = None,
        expiring_within_days: int | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
        status: list[AgreementStatus] | None = None,
    ) -> Connection[Agreement]:
        if expiring_within_days is not None and expiring_within_days < 0:
            raise _bad("expiringWithinDays", f"must be 0 or more, got {expiring_within_days}")
        r = reader(info)
        day = r.as_of(valid_on)
        t = r.known_at(known_at)
        if status and expiring_within_days is None:
            # Filtered and paged in SQL on the stored status ranges.
            query = ListQuery(AGREEMENT, day, t, statuses=[s.value for s in status])
            page, found = await _paged(
                r,
                query,
                first,
                after,
                lambda db, ids: r.runner.agreements.as_known_at_many(db, ids, t),
            )
            return keyset_connection(
                [Agreement(row=a, on=day) for a in found],
                lambda a: (a.row.title, str(a.row.agreement_id)),
                page.more,
                page.before,
                lambda: r.read(query.count),
            )
        if status:
            wanted = {s.value for s in status}
            every = await r.read(lambda db: r.runner.agreements.all_known_at(db, t))
            rows = [a for a in every if a.status(day).value in wanted]
        else:
            rows = await r.read(lambda db: r.runner.agreements.valid_on(db, day, t))
        if expiring_within_days is not None:
            rows = [a for a in rows if expiring(a, day, expiring_within_days)]
        agreements = [Agreement(row=a, on=day) for a in rows]
        key = lambda a: (a.row.title, str(a.row.agreement_id))  # noqa: E731
        agreements.sort(key=key)  # in the cursor's order, whatever the database's collation
        return connect(agreements, key, first, after)

    @strawberry.field(description="One agreement as known at `knownAt` (default now).")
    async def agreement(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Agreement | None:
        r = reader(info)
        row = await r.agreement.load((parse_id(id, "id"), r.known_at(known_at)))
        return Agreement(row=row) if row else None

    # -- funds and assignments ------------------------------------------------------------

    @strawberry.field(description="Funds by name, each with total, allocated and remaining.")
    async def funds(
        self,
        info: Info,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Fund]:
        r = reader(info)
        return await _keyed(
            r,
            KeyQuery(FUND, r.known_at(known_at)),
            first,
            after,
            lambda f: Fund(row=f, known_at=known_at),
            lambda f: (f.row["name"], str(f.row.entity_id)),
        )

    @strawberry.field(description="One fund by id.")
    async def fund(
        self, info: Info, id: strawberry.ID, known_at: datetime | None = None
    ) -> Fund | None:
        row = await load_row(info, parse_id(id, "id"), FUND, known_at)
        return Fund(row=row, known_at=known_at) if row else None

    @strawberry.field(
        description="Assignments by due date: with some statuses on `asOf` (default today), "
        "due before a date, overdue on `asOf`, held by a person/organisation/body, given by "
        "a body."
    )
    async def assignments(
        self,
        info: Info,
        statuses: list[AssignmentStatus] | None = None,
        due_before: date | None = None,
        overdue: bool | None = None,
        holder_id: strawberry.ID | None = None,
        body_id: strawberry.ID | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Assignment]:
        r = reader(info)
        day = r.as_of(as_of)
        holders: set[str] | None = None
        if holder_id:
            # A person's assignments include those of records merged into them.
            holder = parse_id(holder_id, "holderId")
            person = await load_person(info, holder, known_at)
            merged = (
                {str(person.row.entity_id), *person.row.get("absorbed", [])} if person else set()
            )
            holders = {str(holder), *merged}
        t = r.known_at(known_at)
        # Filtered and paged in SQL on the stored status ranges (projections/status_ranges.py).
        query = ListQuery(
            ASSIGNMENT_RANGES,
            day,
            t,
            statuses=[s.value for s in statuses] if statuses else None,
            late=overdue,
            body_ids=[str(parse_id(body_id, "bodyId"))] if body_id else None,
            key_before=due_before,
            holders=sorted(holders) if holders is not None else None,
        )
        page, rows = await _paged(
            r, query, first, after, lambda db, ids: r.runner.entities.get_many(db, ids, t)
        )
        key = lambda a: (a.row.get("due_date") or "9999-12-31", a.row["task"], str(a.row.entity_id))  # noqa: E731
        return keyset_connection(
            [Assignment(row=x, known_at=known_at) for x in rows],
            key,
            page.more,
            page.before,
            lambda: r.read(query.count),
        )

    # -- audit trail, change feed, search ---------------------------------------------------

    @strawberry.field(
        description="The audit trail of any entity or answer row (a body, person, decision, "
        "agreement, fund, assignment, membership, allocation, condition or seat): its events "
        "in order with type, effective date, recorded time, actor, source and decision."
    )
    async def audit_trail(
        self,
        info: Info,
        id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Event]:
        r = reader(info)
        entity_id = parse_id(id, "id")
        rows = await r.events_about.load(entity_id)
        events = [Event(row=e) for e in rows]
        return connect(events, lambda e: (e.row.position,), first, after)

    @strawberry.field(
        description="The change feed: every event recorded after the cursor `after` (from "
        "the start without it), oldest first, corrections and withdrawals included. Keep the "
        "last `endCursor` and ask again to sync."
    )
    async def changes(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Event]:
        r = reader(info)
        size = page_size(first)
        position = _feed_position(after)

        def work(db):  # type: ignore[no-untyped-def]
            rows = r.runner.ledger.since(db, position, size + 1)
            return rows, r.runner.ledger.count_since(db, 0)

        rows, total = await r.read(work)
        page = rows[:size]
        edges = [Edge(cursor=encode_cursor([e.position]), node=Event(row=e)) for e in page]
        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > size,
                has_previous_page=position > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else after,
            ),
            total=total,
        )

    @strawberry.field(
        description="Full-text search over decisions, agenda items and agreements, best match "
        "first (Swedish stemming on PostgreSQL; word prefixes on SQLite)."
    )
    async def search(
        self,
        info: Info,
        query: str,
        kinds: list[SearchKind] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SearchHit]:
        if not query.strip():
            raise _bad("query", "must contain a word to search for")
        if len(query) > 500:
            raise _bad("query", f"must be at most 500 characters, got {len(query)}")
        r = reader(info)
        wanted = [k.value for k in kinds] if kinds else None
        rows = await r.read(lambda db: r.runner.search.search(db, query, wanted, limit=1000))
        hits = [SearchHit(row=h) for h in rows]
        return connect(hits, lambda h: (-h.row.rank, h.row.doc_id), first, after)

    @strawberry.field(description="Position of the last event the read models include.")
    async def projection_position(self, info: Info) -> int:
        return await asyncio.to_thread(reader(info).runner.position)

    # -- ledger (the hash chain, registry/chain.py) -----------------------------------------

    @strawberry.field(
        description="The hash-chained event log: the latest signed head, the current head "
        "and the registry's public key, to check exports and proofs against."
    )
    async def ledger(self, info: Info) -> Ledger:
        return await asyncio.to_thread(read_ledger, info.context["registry"])


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The change feed as a stream (graphql-transport-ws at /graphql): every "
        "event after the cursor `after` (from the start without it), then each new event as "
        "it is projected. The same events and cursors as `changes`: reconnect with the last "
        "cursor seen to resume without a gap."
    )
    async def changes(
        self, info: Info, after: str | None = None
    ) -> AsyncGenerator[ChangeEdge, None]:
        position = _feed_position(after)
        runner = reader(info).runner
        while True:
            rows = await asyncio.to_thread(_feed_since, runner, position, FEED_BATCH)
            if rows:
                # Each batch is answered with a fresh reader: "now" (the default knownAt of
                # the events' nested fields) moves on with the stream.
                info.context["reader"] = Reader(runner)
            for row in rows:
                position = row.position
                yield ChangeEdge(cursor=encode_cursor([row.position]), node=Event(row=row))
            if len(rows) < FEED_BATCH:
                await asyncio.sleep(FEED_POLL_SECONDS)


class RegistrySchema(strawberry.Schema):
    """strawberry's Schema without its per-field directive hook.

    strawberry adds `DirectivesExtension` to every request of a schema that declares custom
    directives. It has a `resolve` hook, so every field of every answer, even a plain
    attribute, is resolved through an extra coroutine and task: it doubled the time of a
    nested query. It only runs field-level directives; the registry's only directive,
    `@atLeastPosition`, sits on the operation (ReadYourWrites acts on it), so when no custom
    directive may stand on a field the hook has nothing to do and is left out."""

    def get_extensions(self, sync: bool = False) -> list[SchemaExtension]:
        extensions = super().get_extensions(sync)
        if self._field_directives():
            return extensions
        return [e for e in extensions if not isinstance(e, _FIELD_DIRECTIVE_HOOKS)]

    def _field_directives(self) -> bool:
        """Whether a custom directive may stand on a field (looked at once)."""
        found = self.__dict__.get("_on_fields")
        if found is None:
            found = self.__dict__["_on_fields"] = any(_on_fields(d) for d in self.directives)
        return found


_FIELD_DIRECTIVE_HOOKS = (DirectivesExtension, DirectivesExtensionSync)
_EXECUTABLE_FIELD_LOCATIONS = {
    DirectiveLocation.FIELD,
    DirectiveLocation.FRAGMENT_SPREAD,
    DirectiveLocation.INLINE_FRAGMENT,
}


def _on_fields(directive: Any) -> bool:
    return bool(_EXECUTABLE_FIELD_LOCATIONS.intersection(directive.locations))


schema = RegistrySchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    directives=[at_least_position],
    extensions=[*graphql_extensions(), ReadYourWrites],
)
