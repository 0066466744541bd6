"""Keeps the read models current: a catch-up loop over the event log, on both stores.

SQLite has no subscription in the library, so the runner polls `select_notifications` after
its tracked position; in one process, a write also wakes it at once (`Registry.on_recorded`).
Each batch of events is applied with its last position in one transaction (see views.py).
Skipped event types still advance the position, so `wait_for` always returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, Notification, Tracking
from eventsourcing.utils import Environment

from projections.agreements import AgreementsReadModel
from projections.entities import EntitiesReadModel
from projections.heartbeat import beat
from projections.ledger import LedgerReadModel
from projections.memberships import MembershipsReadModel
from projections.search import SearchReadModel
from projections.views import PostgresViews, SQLiteViews
from registry.application import Registry
from registry.chain import ChainBroken, RawEvent, canonical_id

log = logging.getLogger("registry.projections")


class ProjectionRunner:
    """Applies the registry's events to its read models, exactly once, in batches."""

    name = "RegistryViews"

    def __init__(self, registry: Registry, batch_size: int = 500, poll_interval: float = 0.5):
        self.registry = registry
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        factory = InfrastructureFactory.construct(
            env=Environment(self.name, registry.settings.eventsourcing_env())
        )
        view_class = PostgresViews if registry.settings.is_postgres else SQLiteViews
        self.views: Any = factory.tracking_recorder(view_class)
        self.memberships = MembershipsReadModel()
        self.agreements = AgreementsReadModel(registry.mapper)
        self.entities = EntitiesReadModel(registry.mapper)
        self.ledger = LedgerReadModel()
        self.search = SearchReadModel()
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
                    self.views.process_batch(events, Tracking(self.registry.name, events[-1][1]))
                log.error("projections stopped: %s", broken)
                raise broken
            self.views.process_batch(events, Tracking(self.registry.name, notifications[-1].id))
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
            try:
                self.catch_up()
                beat(self)  # tells processes behind the same store that a runner is alive
            except BaseException as error:  # keep serving reads; report on wait_for
                self.error = error
                raise
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def close(self) -> None:
        """Stop and release the read models' connections."""
        self.stop()
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
