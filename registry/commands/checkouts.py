"""Aggregates for commands without deep-copying them: check-out from the aggregate cache.

The library's repository keeps recently used aggregates in a cache and deep-copies one on
every `get`, so that a command that changes it and is then refused cannot leave the change
in the cache; and before each use it asks the store for events written since it was cached
(one query per aggregate). The copy grows with the aggregate (a body's whole membership
history) and was half of a command's time. (Reads outside a unit of work still get a copy, made under the
lock; the library's own `get`, which fast-forwards the cached instance in place, is not
used while the cache is shared this way.)

Here a writing unit of work instead *takes* the instance out of the cache: while the unit
runs nobody else can see it (another thread that asks for the same aggregate meets a miss
and rebuilds it from the stored events), and the unit gives it back only after its events
are saved, when the instance is exactly the stored state. A refused or failed unit does not
give its aggregates back. Nothing unsaved ever reaches the cache.

Freshness: instead of one query per aggregate, a unit asks once for the log's last position
and, when other writers (processes) have written since this process last looked, reads those
events' notifications (ids and versions only matter) to learn which aggregates they changed.
`latest` holds, for every aggregate changed since this registry started, the last version
known to be stored; a cached instance older than that is brought up to date from the store
before use, exactly as the library's fast-forward does. This relies on positions becoming
visible in order, which both stores guarantee for the events table (PostgreSQL inserts take
an exclusive table lock, SQLite has one writer). The save itself still refuses a stale
change: (aggregate, version) is unique in the events table.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository, project_aggregate

#: Behind by more than this many positions, the cache is dropped rather than caught up.
CATCH_UP_LIMIT = 5_000
#: Aggregates whose last version is remembered; past it, the cache starts over.
LATEST_LIMIT = 200_000


class AggregateCheckouts:
    """Take aggregates out of a repository's cache for one unit of work, and give them back
    once their events are stored."""

    def __init__(self, repository: Repository[Any], recorder: Any) -> None:
        self.repository = repository
        self.recorder = recorder
        cache = repository.cache
        # Without a cache, or with snapshots to start from, the library's own get is used.
        self.cache: Any = cache if cache and repository.snapshot_store is None else None
        self._lock = threading.Lock()
        self.latest: dict[UUID, int] = {}
        # Every event at or below this position is accounted for in `latest`.
        self.synced = (recorder.max_notification_id() or 0) if self.cache is not None else 0

    # -- freshness --------------------------------------------------------------------------

    def catch_up(self) -> None:
        """Learn which aggregates other writers changed since this registry last looked
        (one query when none did). Called when a unit of work first needs an aggregate."""
        if self.cache is None:
            return
        changes_after = getattr(self.recorder, "changes_after", None)
        if changes_after is not None:
            self._catch_up_narrow(changes_after)
            return
        top = self.recorder.max_notification_id() or 0
        with self._lock:
            start = self.synced
        if top <= start:
            return
        if top - start > CATCH_UP_LIMIT:
            self._start_over(top)
            return
        changed: dict[UUID, int] = {}
        position = start
        while position < top:
            page = self.recorder.select_notifications(
                position + 1, 1_000, stop=top, inclusive_of_start=True
            )
            if not page:
                break
            for n in page:
                if n.originator_version > changed.get(n.originator_id, -1):
                    changed[n.originator_id] = n.originator_version
            position = page[-1].id
        with self._lock:
            self._note(changed.items())
            self.synced = max(self.synced, top)

    def _catch_up_narrow(self, changes_after: Any) -> None:
        """One query for the positions after `synced` (ids and versions only): empty when
        no other writer wrote, and the same answer as reading the new events otherwise."""
        with self._lock:
            start = self.synced
        rows = changes_after(start, CATCH_UP_LIMIT + 1)
        if not rows:
            return
        if len(rows) > CATCH_UP_LIMIT:
            self._start_over(rows[-1][0])
            return
        changed: dict[UUID, int] = {}
        for _, aggregate_id, version in rows:
            if version > changed.get(aggregate_id, -1):
                changed[aggregate_id] = version
        with self._lock:
            self._note(changed.items())
            self.synced = max(self.synced, rows[-1][0])

    def _start_over(self, top: int) -> None:
        with self._lock:
            for key in list(self.cache.cache):
                with contextlib.suppress(KeyError):
                    self.cache.get(key, evict=True)
            self.latest.clear()
            self.synced = top

    def _note(self, versions: Iterable[tuple[UUID, int]]) -> None:
        latest = self.latest
        for aggregate_id, version in versions:
            if version > latest.get(aggregate_id, -1):
                latest[aggregate_id] = version

    # -- check-out --------------------------------------------------------------------------

    def take(self, aggregate_id: UUID) -> Any:
        """The current state of the aggregate, the caller's alone; AggregateNotFoundError if
        there is none."""
        if self.cache is None:
            return self.repository.get(aggregate_id)
        with self._lock:
            try:
                aggregate = self.cache.get(aggregate_id, evict=True)
            except KeyError:
                aggregate = None
            known = self.latest.get(aggregate_id)
        if aggregate is None:
            found = project_aggregate(
                None, self.repository.event_store.get(originator_id=aggregate_id)
            )
        elif known is not None and aggregate.version < known:
            newer = self.repository.event_store.get(
                originator_id=aggregate_id, gt=aggregate.version
            )
            found = project_aggregate(aggregate, newer)
        else:
            found = aggregate
        if found is None:
            raise AggregateNotFoundError(aggregate_id)
        return found

    def read(self, aggregate_id: UUID) -> Any:
        """A copy of the aggregate's current state for reading (outside a unit of work): the
        cached instance is copied under the lock, so a unit taking it meanwhile cannot change
        it mid-copy; the cache itself is left as it is."""
        if self.cache is None:
            return self.repository.get(aggregate_id)
        self.catch_up()
        with self._lock:
            try:
                cached = self.cache.get(aggregate_id)
            except KeyError:
                cached = None
            known = self.latest.get(aggregate_id)
            if cached is not None and (known is None or cached.version >= known):
                return copy.deepcopy(cached)
        found = project_aggregate(None, self.repository.event_store.get(originator_id=aggregate_id))
        if found is None:
            raise AggregateNotFoundError(aggregate_id)
        return found

    def give_back(self, aggregates: Iterable[Any], recordings: Sequence[Any] = ()) -> None:
        """Return aggregates whose every event is stored (none pending) to the cache, after
        a unit that saved `recordings` (or nothing)."""
        if self.cache is None:
            return
        with self._lock:
            if recordings:
                self._note(
                    (r.domain_event.originator_id, r.domain_event.originator_version)
                    for r in recordings
                )
                positions = [r.notification.id for r in recordings]
                if (
                    None not in positions
                    and min(positions) == self.synced + 1
                    and max(positions) == self.synced + len(positions)
                ):
                    self.synced += len(positions)  # only this unit's events since
            for aggregate in aggregates:
                if aggregate.pending_events:
                    continue
                if aggregate.version < self.latest.get(aggregate.id, -1):
                    continue  # changed meanwhile by another unit: not the stored state
                self.cache.put(aggregate.id, aggregate)
            if len(self.latest) > LATEST_LIMIT:
                top = self.synced
                self.latest.clear()
                for key in list(self.cache.cache):
                    with contextlib.suppress(KeyError):
                        self.cache.get(key, evict=True)
                self.synced = top

    def known(self, aggregate_id: UUID) -> bool:
        """Whether this registry knows, without asking the store, that the aggregate has
        events (it is cached, or was changed since the registry started)."""
        if self.cache is None:
            return False
        with self._lock:
            return aggregate_id in self.latest or aggregate_id in self.cache.cache

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether any event of this aggregate is stored (cached or known means stored)."""
        if self.cache is not None:
            with self._lock:
                if aggregate_id in self.latest or aggregate_id in self.cache.cache:
                    return True
        return bool(self.recorder.select_events(aggregate_id, limit=1))
