"""Keeps the read models current: a catch-up loop over the event log, on both stores.

SQLite has no subscription in the library, so the runner polls `select_notifications` after
its tracked position; in one process, a write also wakes it at once (`Registry.on_recorded`).
Each batch of events is applied with its last position in one transaction (see views.py).
Skipped event types still advance the position, so `wait_for` always returns.

On PostgreSQL several processes may run a runner; one leads and applies events, the others
stand by and take over when it dies (projections/leadership.py). Every process reads the
position from the tracking table, so `wait_for` works in a standby too.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, Notification, Tracking
from eventsourcing.utils import Environment

from projections.agreements import AgreementsReadModel
from projections.entities import EntitiesReadModel
from projections.heartbeat import beat
from projections.leadership import Leadership, leadership_for
from projections.ledger import LedgerReadModel
from projections.memberships import MembershipsReadModel
from projections.search import SearchReadModel
from projections.views import PositionMoved, PostgresViews, SQLiteViews
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
        leadership: Leadership | None = None,
    ):
        self.registry = registry
        # poll_interval is also how often a standby tries to take the lead.
        self.leadership = leadership or leadership_for(registry.settings, self.name)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        # As the library's Application does: the process environment (POSTGRES_POOL_SIZE and
        # the like), overridden by the store settings.
        factory = InfrastructureFactory.construct(
            env=Environment(self.name, {**os.environ, **registry.settings.eventsourcing_env()})
        )
        view_class = PostgresViews if registry.settings.is_postgres else SQLiteViews
        self.memberships = MembershipsReadModel()
        self.agreements = AgreementsReadModel(registry.mapper)
        self.entities = EntitiesReadModel(registry.mapper)
        self.ledger = LedgerReadModel()
        self.search = SearchReadModel()
        # The tracking table and the read models' tables are created here: processes
        # started together take turns (registry/store_setup.py).
        with setup_lock(registry.settings):
            self.views: Any = factory.tracking_recorder(view_class)
            # Order matters: search reads the views the entities and agreements models write.
            self.views.attach(
                [
                    self.memberships,
                    self.agreements,
                    self.entities,
                    self.ledger,
                    self.search,
                ]
            )
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._advanced = threading.Condition()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        registry.on_recorded(lambda _position: self._wake.set())

    def position(self) -> int:
        return self.views.max_tracking_id(self.registry.name) or 0

    def catch_up(self, limit_batches: int | None = None) -> int:
        """Apply every event recorded after the tracked position; returns how many."""
        applied = 0
        batches = 0
        while limit_batches is None or batches < limit_batches:
            start = self.position()
            notifications = self.registry.recorder.select_notifications(
                start=start, limit=self.batch_size, inclusive_of_start=False
            )
            if not notifications:
                break
            notifications, broken = self._verified(start, notifications)
            events = [(self.registry.mapper.to_domain_event(n), n.id) for n in notifications]
            if broken is not None:
                # Apply what verifies, then stop: never project around a broken link.
                if events:
                    self.views.process_batch(
                        events, Tracking(self.registry.name, events[-1][1]), after=start
                    )
                log.error("projections stopped: %s", broken)
                raise broken
            self.views.process_batch(
                events, Tracking(self.registry.name, notifications[-1].id), after=start
            )
            applied += len(events)
            batches += 1
            with self._advanced:
                self._advanced.notify_all()
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

    def _run(self) -> None:
        while not self._stopping.is_set():
            if not self._lead():
                # A standby: try again after the poll interval (not at every write).
                self._stopping.wait(self.poll_interval)
                continue
            try:
                self.catch_up()
                beat(self)  # tells processes behind the same store that a runner is alive
            except PositionMoved:
                # Another runner recorded these events (this one lost the lead unaware):
                # nothing of the batch was written; look at the leadership again.
                continue
            except BaseException as error:  # keep serving reads; report on wait_for
                self.error = error
                self.leadership.release()  # a standby process may do better
                raise
            self._wake.wait(self.poll_interval)
            self._wake.clear()
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
