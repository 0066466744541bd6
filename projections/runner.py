"""Keeps the read models current: a catch-up loop over the event log, on both stores.

SQLite has no subscription in the library, so the runner polls `select_notifications` after
its tracked position; in one process, a write also wakes it at once (`Registry.on_recorded`),
and a write by another process wakes it within milliseconds (projections/wakeup.py: NOTIFY on
PostgreSQL, `PRAGMA data_version` on SQLite).
Each batch of events is applied with its last position in one transaction (see views.py).
Skipped event types still advance the position, so `wait_for` always returns.
At start the read models' schema versions are compared with the store's, and a changed one
rebuilds them from the event log (projections/versions.py).
On PostgreSQL the runner keeps the generation of read models the pointer names current and
follows it when `registry rebuild` switches (projections/generations.py).

On PostgreSQL several processes may run a runner; one leads and applies events, the others
stand by and take over when it dies (projections/leadership.py). Every process reads the
position from the tracking table, so `wait_for` works in a standby too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError, Notification, Tracking

from projections.agreements import AgreementsReadModel
from projections.decoding import reading_mapper
from projections.entities import EntitiesReadModel
from projections.generations import CHECK_INTERVAL, Generations, open_views
from projections.heartbeat import beat, ensure_table
from projections.leadership import Leadership, leadership_for
from projections.ledger import LedgerReadModel
from projections.list_keys import ListKeysReadModel
from projections.memberships import MembershipsReadModel
from projections.pending import PendingEffectsReadModel
from projections.search import SearchReadModel
from projections.status_ranges import StatusRangesReadModel
from projections.views import PositionMoved
from projections.wakeup import ExternalWrites
from registry.application import Registry
from registry.chain import ChainBroken, RawEvent, canonical_id
from registry.store_setup import setup_lock

log = logging.getLogger("registry.projections")


class ProjectionRunner:
    """Applies the registry's events to its read models, exactly once, in batches."""

    name = "RegistryViews"

    def __init__(
        self,
        registry: Registry,
        batch_size: int = 500,
        poll_interval: float = 0.5,
        generation: int | None = None,
        leadership: Leadership | None = None,
    ):
        self.registry = registry
        # poll_interval is also how often a standby tries to take the lead.
        self.leadership = leadership or leadership_for(registry.settings, self.name)
        self.batch_size = batch_size
        # Decodes the stored events it reads with orjson (the same events; see decoding.py).
        self._reader = reading_mapper(registry.mapper)
        self.poll_interval = poll_interval
        # Which generation of the read models to keep current (projections/generations.py):
        # the one the pointer names, followed when `registry rebuild` moves it, or a fixed one
        # (the rebuild's own runner). `_switch` keeps a switch out of the middle of a batch.
        self.generations = Generations(
            registry.settings.is_postgres, registry.settings.postgres_schema
        )
        self.pinned = generation is not None
        self._switch = threading.RLock()
        self._checked = time.monotonic()
        self._retired: Any = None
        self._open(
            generation
            if generation is not None
            else self.generations.current(registry.recorder.datastore)
        )
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._advanced = threading.Condition()
        self._thread: threading.Thread | None = None
        self._external: ExternalWrites | None = None
        self.error: BaseException | None = None
        self._on_advanced: list[Callable[[], None]] = []
        # (generation, position) of the last batch this process committed: a lower bound
        # of the generation's tracked position (another process may have gone further).
        self.committed: tuple[int, int] = (-1, 0)
        registry.on_recorded(lambda _position: self._wake.set())

    def _open(self, generation: int) -> None:
        """Keep `generation` current from now on, with fresh read-model instances."""
        self.pending = PendingEffectsReadModel(self.registry.mapper)
        self.memberships = MembershipsReadModel()
        self.agreements = AgreementsReadModel(self.registry.mapper)
        self.entities = EntitiesReadModel(self.registry.mapper)
        self.ledger = LedgerReadModel()
        self.search = SearchReadModel()
        self.status_ranges = StatusRangesReadModel()
        self.list_keys = ListKeysReadModel()
        # Processes started together take turns creating tables (registry/store_setup.py).
        with setup_lock(self.registry.settings):
            views: Any = open_views(self.registry.settings, generation)
            # Order matters: search reads the views the entities and agreements models write.
            views.attach(
                [
                    self.pending,  # first: it holds the effects of conditional decisions
                    self.memberships,
                    self.agreements,
                    self.entities,
                    self.ledger,
                    self.search,
                    self.status_ranges,  # after entities and agreements: it reads their versions
                    self.list_keys,  # after entities: it reads their versions
                ],
                self.registry,
            )
            # Each generation has its own heartbeat table (projections/heartbeat.py reads and
            # writes the one beside the runner's views).
            ensure_table(views)
        # A thread may still be reading the previous views: close them at the next switch.
        if self._retired is not None:
            self._retired.datastore.close()
        self._retired = getattr(self, "views", None)
        self.views: Any = views
        self.generation = generation

    def follow_generation(self) -> None:
        """Switch to the generation the pointer names, if it moved (looked at, at most every
        CHECK_INTERVAL seconds)."""
        if self.pinned or not self.generations.is_postgres:
            return
        if time.monotonic() - self._checked < CHECK_INTERVAL:
            return
        self._checked = time.monotonic()
        latest = self.generations.current(self.registry.recorder.datastore, self.generation)
        if latest != self.generation:
            with self._switch:
                if latest != self.generation:
                    self._open(latest)

    def position(self) -> int:
        self.follow_generation()
        return self.views.max_tracking_id(self.registry.name) or 0

    def catch_up(self, limit_batches: int | None = None) -> int:
        """Apply every event recorded after the tracked position; returns how many."""
        applied = 0
        batches = 0
        while limit_batches is None or batches < limit_batches:
            with self._switch:
                start = self.position()
                if start > self.committed[1] or self.committed[0] != self.generation:
                    self.committed = (self.generation, start)
                notifications = self.registry.recorder.select_notifications(
                    start=start, limit=self.batch_size, inclusive_of_start=False
                )
                if not notifications:
                    break
                notifications, broken = self._verified(start, notifications)
                events = [(self._reader.to_domain_event(n), n.id) for n in notifications]
                if broken is not None:
                    # Apply what verifies, then stop: never project around a broken link.
                    if events:
                        self.views.process_batch(
                            events, Tracking(self.registry.name, events[-1][1]), after=start
                        )
                    log.error("projections stopped: %s", broken)
                    raise broken
                last = notifications[-1].id
                try:
                    self.views.process_batch(
                        events, Tracking(self.registry.name, last), after=start
                    )
                except IntegrityError:
                    # Someone else applied these events first (a SQLite rebuild in place
                    # while this batch waited for the write lock): read the position again.
                    if (self.views.max_tracking_id(self.registry.name) or 0) < last:
                        raise
                    continue
                self.committed = (self.generation, last)
            applied += len(events)
            batches += 1
            with self._advanced:
                self._advanced.notify_all()
            for callback in list(self._on_advanced):
                callback()
            if len(notifications) < self.batch_size:
                # Caught up: a write since then wakes the runner again (no need to ask).
                break
        return applied

    def _verified(
        self, start: int, notifications: Sequence[Notification]
    ) -> tuple[Sequence[Notification], ChainBroken | None]:
        """The notifications whose hash-chain links verify, and the break after them."""
        raw = [
            RawEvent(n.id, canonical_id(n.originator_id), n.originator_version, n.topic, n.state)
            for n in notifications
        ]
        good, broken = self.registry.chain.check_batch(start, raw)
        return notifications[:good], broken

    def on_advanced(self, callback: Callable[[], None]) -> None:
        """Call `callback()` (in the runner's thread, quickly) after each batch this process
        commits: a waiting reader looks at the position again at once instead of at its
        next poll (api/read_your_writes.py). Only a hint: positions are read from the store."""
        self._on_advanced.append(callback)

    def wait_for(self, position: int, timeout: float = 5.0) -> None:
        """Block until the read models include `position` (read-your-writes)."""
        deadline = time.monotonic() + timeout
        self._wake.set()
        with self._advanced:
            while self.position() < position:
                if self.error is not None:
                    raise RuntimeError("the projection runner stopped") from self.error
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"read models did not reach position {position}")
                self._advanced.wait(min(remaining, 0.05))

    def start(self) -> ProjectionRunner:
        self._thread = threading.Thread(target=self._run, name="projection-runner", daemon=True)
        self._thread.start()
        return self

    def _listen(self, on: bool) -> None:
        """While leading, writes by other processes wake the runner at once too
        (projections/wakeup.py; a standby needs no wake-up, nor the connection it takes)."""
        if on and self._external is None:
            self._external = ExternalWrites(self.registry.settings, self._wake.set).start()
        elif not on and self._external is not None:
            self._external.stop()
            self._external = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            if not self._lead():
                self._listen(False)
                # A standby: try again after the poll interval (not at every write).
                self._stopping.wait(self.poll_interval)
                continue
            self._listen(True)
            try:
                self.catch_up()
                beat(self)  # tells processes behind the same store that a runner is alive
            except PositionMoved:
                # Another runner recorded these events (this one lost the lead unaware):
                # nothing of the batch was written; look at the leadership again.
                continue
            except BaseException as error:  # keep serving reads; report on wait_for
                self.error = error
                self._listen(False)
                self.leadership.release()  # a standby process may do better
                raise
            self._wake.wait(self.poll_interval)
            self._wake.clear()
        self._listen(False)
        self.leadership.release()

    def _lead(self) -> bool:
        was_leading = self.leadership.leading
        leading = self.leadership.lead()
        if leading and not was_leading:
            # Taking over: resume from the tracked position (catch_up reads it), with
            # nothing that the read models remember from before.
            for model in self.views.read_models:
                if (discard := getattr(model, "discard", None)) is not None:
                    discard()
        return leading

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def close(self) -> None:
        """Stop and release the read models' connections."""
        self.stop()
        self.leadership.release()
        self.views.datastore.close()

    def run_forever(self) -> None:
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=1.0)
        finally:
            self.stop()
        if self.error is not None:
            raise self.error
