"""Aggregates for commands without deep-copying them: check-out from the aggregate cache.

The library's repository keeps recently used aggregates in a cache and deep-copies one on
every `get`, so that a command that changes it and is then refused cannot leave the change
in the cache. The copy grows with the aggregate (a body's whole membership history) and was
half of a command's time. Here a writing unit of work instead *takes* the instance out of
the cache: while the unit runs nobody else can see it (another thread that asks for the same
aggregate meets a miss and rebuilds it from the stored events), and the unit gives it back
only after its events are saved, when the instance is exactly the stored state. A refused or
failed unit simply does not give its aggregates back.

What the deep copy guarded stays guarded: nothing unsaved ever reaches the cache. The cached
instance is brought up to date from the store before use (events other processes wrote since
it was cached), as the library's fast-forward does, and the save itself is still refused if
another writer got there first (the (aggregate, version) uniqueness in the events table).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository, project_aggregate


class AggregateCheckouts:
    """Take aggregates out of a repository's cache for one unit of work, and give them back
    once their events are stored."""

    def __init__(self, repository: Repository[Any]) -> None:
        self.repository = repository
        cache = repository.cache
        # Without a cache, or with snapshots to start from, the library's own get is used.
        self.cache = cache if cache and repository.snapshot_store is None else None

    def take(self, aggregate_id: UUID) -> Any:
        """The current state of the aggregate, the caller's alone; AggregateNotFoundError if
        there is none."""
        if self.cache is None:
            return self.repository.get(aggregate_id)
        try:
            aggregate = self.cache.get(aggregate_id, evict=True)
        except KeyError:
            aggregate = None
        if aggregate is None:
            found = project_aggregate(
                None, self.repository.event_store.get(originator_id=aggregate_id)
            )
        else:
            newer = self.repository.event_store.get(
                originator_id=aggregate_id, gt=aggregate.version
            )
            found = project_aggregate(aggregate, newer)
        if found is None:
            raise AggregateNotFoundError(aggregate_id)
        return found

    def give_back(self, aggregates: Iterable[Any]) -> None:
        """Return aggregates whose every event is stored (none pending) to the cache."""
        if self.cache is None:
            return
        for aggregate in aggregates:
            if not aggregate.pending_events:
                self.cache.put(aggregate.id, aggregate)

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether any event of this aggregate is stored (cached means stored)."""
        if self.cache is not None:
            try:
                self.cache.get(aggregate_id)
            except KeyError:
                pass
            else:
                return True
        recorder = self.repository.event_store.recorder
        return bool(recorder.select_events(aggregate_id, limit=1))
