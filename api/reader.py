"""Per-request reading: batched loaders over the read models, so a query asks the store once
per kind of thing and level of nesting, never once per row (no N+1).

A `Reader` lives for one request. Each loader collects the keys asked for while the query
executes and reads them in one statement, in a worker thread (strawberry runs resolvers on
the event loop; a blocking read there would stall every other request). Reads come from the
projections only: nothing here loads an aggregate or replays events. In the API, `runner` is
the process's `ReadSide`: the current generation of the read models, on the primary or on a
streaming replica (REGISTRY_READ_DATABASE).
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID

from strawberry.dataloader import DataLoader

from projections.entities import DECISION, EntityRow
from projections.generations import ReadSide
from projections.ledger import EventRow
from projections.memberships import MembershipRow
from projections.personal_data import ContactValue, contact_values
from projections.runner import ProjectionRunner
from projections.sql import Db

T = TypeVar("T")


class _Loader:
    """A Reader's DataLoader over its batch method `batch`, made at first use and then kept
    in the instance (a non-data descriptor: the instance's own attribute wins after that)."""

    def __init__(self, batch: str) -> None:
        self.batch = batch
        self.name = batch

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, reader: Any, owner: type | None = None) -> Any:
        if reader is None:
            return self
        loader = DataLoader(getattr(reader, self.batch))
        reader.__dict__[self.name] = loader
        return loader


class Reader:
    """Batched, read-only access to the projections for one GraphQL request."""

    def __init__(self, runner: ProjectionRunner | ReadSide, now: datetime | None = None) -> None:
        self.runner = runner
        # One generation of the read models for the whole request, even if `registry
        # rebuild` switches to the next one meanwhile (projections/generations.py): chosen
        # at the first read, in a worker thread (looking at the pointer may query the store).
        self._views: Any = None
        self._choosing = threading.Lock()
        self.now = now or datetime.now(UTC)
        self.today = self.now.date()

    # One loader per kind of read, made when a resolver first asks for it: most requests use
    # a few of them, and an answer served from the answer cache none.
    entity = _Loader("_entities")
    events_about = _Loader("_events_about")
    effects = _Loader("_effects")
    members = _Loader("_members")
    mandates = _Loader("_mandates")
    seats = _Loader("_seats")
    decisions_of_meeting = _Loader("_decisions_of_meeting")
    agreement = _Loader("_agreements")
    all_of_type = _Loader("_all_of_type")
    entity_written_by = _Loader("_entity_written_by")
    agreement_written_by = _Loader("_agreement_written_by")
    memberships_written_by = _Loader("_memberships_written_by")
    contact_values = _Loader("_contact_values")
    pending_effects = _Loader("_pending_effects")
    pending_on = _Loader("_pending_on")

    async def read(self, work: Callable[[Db], T]) -> T:
        """Run `work` on a reading connection in a worker thread (SQLite: one read
        transaction; PostgreSQL: autocommit, a snapshot per statement, projections/views.py)."""

        def run() -> T:
            with self.views().reading() as db:
                return work(db)

        return await asyncio.to_thread(run)

    def views(self) -> Any:
        """The views this request reads (the same for all its reads)."""
        with self._choosing:
            if self._views is None:
                self._views = self.runner.views
            return self._views

    def known_at(self, value: datetime | None) -> datetime:
        if value is None:
            return self.now
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def as_of(self, value: date | None) -> date:
        return value or self.today

    # -- batch functions: keys carry every argument, grouped into one read per group ------

    async def _entities(self, keys: Sequence[tuple[UUID, datetime]]) -> list[EntityRow | None]:
        groups = _group(keys, lambda k: k[1])

        def work(db: Db) -> dict[tuple[UUID, datetime], EntityRow | None]:
            found: dict[tuple[UUID, datetime], EntityRow | None] = {}
            for known_at, members in groups.items():
                rows = self.runner.entities.get_many(db, [k[0] for k in members], known_at)
                for k in members:
                    found[k] = rows.get(k[0])
            return found

        found = await self.read(work)
        return [found[k] for k in keys]

    async def _events_about(self, keys: Sequence[UUID]) -> list[list[EventRow]]:
        found = await self.read(lambda db: self.runner.ledger.about_many(db, keys))
        return [found.get(k, []) for k in keys]

    async def _effects(self, keys: Sequence[UUID]) -> list[list[EventRow]]:
        found = await self.read(lambda db: self.runner.ledger.authorised_by(db, keys))
        return [found.get(k, []) for k in keys]

    async def _members(
        self, keys: Sequence[tuple[UUID, date, datetime]]
    ) -> list[list[MembershipRow]]:
        groups = _group(keys, lambda k: (k[1], k[2]))

        def work(db: Db) -> dict[tuple, list[MembershipRow]]:
            found: dict[tuple, list[MembershipRow]] = {}
            for (as_of, known_at), members in groups.items():
                rows = self.runner.memberships.members_of_many(
                    db, [k[0] for k in members], as_of, known_at
                )
                for k in members:
                    found[k] = rows.get(k[0], [])
            return found

        found = await self.read(work)
        return [found[k] for k in keys]

    async def _mandates(
        self, keys: Sequence[tuple[tuple[UUID, ...], date, datetime]]
    ) -> list[list[MembershipRow]]:
        """Key: (the person's ids, itself first and then records merged into it), date, time."""
        groups = _group(keys, lambda k: (k[1], k[2]))

        def work(db: Db) -> dict[tuple, list[MembershipRow]]:
            found: dict[tuple, list[MembershipRow]] = {}
            for (as_of, known_at), members in groups.items():
                ids = [i for k in members for i in k[0]]
                by_person: dict[UUID, list[MembershipRow]] = defaultdict(list)
                for row in self.runner.memberships.mandates(db, ids, as_of, known_at):
                    by_person[row.person_id].append(row)
                for k in members:
                    found[k] = [r for i in k[0] for r in by_person.get(i, [])]
            return found

        found = await self.read(work)
        return [found[k] for k in keys]

    async def _seats(self, keys: Sequence[UUID]) -> list[list[dict]]:
        found = await self.read(lambda db: self.runner.memberships.seats(db, list(keys)))
        return [found.get(k, []) for k in keys]

    async def _decisions_of_meeting(
        self, keys: Sequence[tuple[UUID, UUID, date, datetime]]
    ) -> list[list[EntityRow]]:
        """Key: (meeting id, body id, held on, known at)."""
        groups = _group(keys, lambda k: k[3])

        def work(db: Db) -> dict[tuple, list[EntityRow]]:
            found: dict[tuple, list[EntityRow]] = {}
            for known_at, members in groups.items():
                rows = self.runner.entities.list(
                    db,
                    DECISION,
                    known_at,
                    body_ids=[k[1] for k in members],
                    date_from=min(k[2] for k in members),
                    date_to=max(k[2] for k in members),
                )
                by_meeting: dict[str, list[EntityRow]] = defaultdict(list)
                for row in rows:
                    by_meeting[row.get("meeting_id")].append(row)
                for k in members:
                    found[k] = by_meeting.get(str(k[0]), [])
            return found

        found = await self.read(work)
        return [found[k] for k in keys]

    # Key: an event's log position; value: what the event wrote (the state right after it).

    async def _entity_written_by(self, keys: Sequence[int]) -> list[EntityRow | None]:
        found = await self.read(lambda db: self.runner.entities.written_by(db, keys))
        return [found.get(k) for k in keys]

    async def _agreement_written_by(self, keys: Sequence[int]) -> list[Any]:
        found = await self.read(lambda db: self.runner.agreements.written_by(db, keys))
        return [found.get(k) for k in keys]

    async def _memberships_written_by(self, keys: Sequence[int]) -> list[list[MembershipRow]]:
        found = await self.read(lambda db: self.runner.memberships.written_by(db, list(keys)))
        return [found.get(k, []) for k in keys]

    async def _pending_effects(self, keys: Sequence[tuple[UUID, datetime]]) -> list[list[Any]]:
        """Key: (decision id, known at): the effects the decision held back."""
        groups = _group(keys, lambda k: k[1])

        def work(db: Db) -> dict[tuple[UUID, datetime], list[Any]]:
            found: dict[tuple[UUID, datetime], list[Any]] = {}
            for known_at, wanted in groups.items():
                rows = self.runner.pending.of_decisions(db, [k[0] for k in wanted], known_at)
                for k in wanted:
                    found[k] = rows.get(k[0], [])
            return found

        found = await self.read(work)
        return [found[k] for k in keys]

    async def _pending_on(self, keys: Sequence[tuple[UUID, datetime]]) -> list[list[Any]]:
        """Key: (body, agreement, fund or assignment id, known at): effects held on it."""
        groups = _group(keys, lambda k: k[1])

        def work(db: Db) -> dict[tuple[UUID, datetime], list[Any]]:
            found: dict[tuple[UUID, datetime], list[Any]] = {}
            for known_at, wanted in groups.items():
                rows = self.runner.pending.of_subjects(db, [k[0] for k in wanted], known_at)
                for k in wanted:
                    found[k] = rows.get(k[0], [])
            return found

        found = await self.read(work)
        return [found[k] for k in keys]

    async def _contact_values(self, keys: Sequence[UUID]) -> list[ContactValue | None]:
        """Key: the ref of a contact detail; the value is read from personal_data."""
        # personal_data is written with the events, in the event store's schema, not in a
        # generation of the read models: read it there (same connection and snapshot).
        schema = self.runner.registry.settings.postgres_schema
        found = await self.read(lambda db: contact_values(Db(db.cursor, db.dialect, schema), keys))
        return [found.get(k) for k in keys]

    async def _all_of_type(self, keys: Sequence[tuple[str, datetime]]) -> list[list[EntityRow]]:
        """Key: (entity type, known at): every entity of the type, for filtering in memory."""

        def work(db: Db) -> dict[tuple[str, datetime], list[EntityRow]]:
            return {k: self.runner.entities.list(db, k[0], k[1]) for k in set(keys)}

        found = await self.read(work)
        return [found[k] for k in keys]

    async def _agreements(self, keys: Sequence[tuple[UUID, datetime]]) -> list[Any]:
        groups = _group(keys, lambda k: k[1])

        def work(db: Db) -> dict[tuple[UUID, datetime], Any]:
            found: dict[tuple[UUID, datetime], Any] = {}
            for known_at, members in groups.items():
                rows = self.runner.agreements.as_known_at_many(
                    db, [k[0] for k in members], known_at
                )
                for k in members:
                    found[k] = rows.get(k[0])
            return found

        found = await self.read(work)
        return [found[k] for k in keys]


def _group(keys: Sequence[Any], by: Callable[[Any], Any]) -> dict[Any, list[Any]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for key in dict.fromkeys(keys):
        groups[by(key)].append(key)
    return groups
