"""api/position_wait.py: a waiter is woken by the runner's commit, answers from the position
the runner committed only on the primary and in the generation read, and otherwise reads the
store's position."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from api.position_wait import wait_for_position


class FakeRunner:
    def __init__(self) -> None:
        self.generation = 0
        self.committed = (-1, 0)
        self.callbacks: list[Any] = []
        self.stored = 0
        self.reads = 0

    def on_advanced(self, callback: Any) -> None:
        self.callbacks.append(callback)

    def position(self) -> int:
        self.reads += 1
        return self.stored

    def commit(self, position: int) -> None:
        self.stored = position
        self.committed = (self.generation, position)
        for callback in self.callbacks:
            callback()


class FakeReadSide:
    def __init__(self, runner: FakeRunner, replica: bool, generation: int = 0) -> None:
        self.runner = runner
        self.replica = replica
        self.generation = generation
        self.stored = 0

    def position(self) -> int:
        return self.stored if self.replica else self.runner.stored


def test_a_committed_position_answers_without_reading_the_store() -> None:
    runner = FakeRunner()
    runner.commit(7)
    runner.reads = 0
    assert asyncio.run(wait_for_position(runner, 7, 1.0)) == 7
    assert runner.reads == 0


def test_the_runners_commit_wakes_the_waiter() -> None:
    runner = FakeRunner()

    async def scenario() -> tuple[int, float]:
        began = time.monotonic()
        threading.Timer(0.05, runner.commit, args=(3,)).start()
        return await wait_for_position(runner, 3, 5.0), time.monotonic() - began

    reached, took = asyncio.run(scenario())
    assert reached == 3
    assert took < 1.0


def test_a_replica_is_asked_not_the_runners_memory() -> None:
    runner = FakeRunner()
    runner.commit(5)
    replica = FakeReadSide(runner, replica=True)
    # The primary has 5, the replica not yet: not reached within the timeout.
    assert asyncio.run(wait_for_position(replica, 5, 0.1)) == 0
    replica.stored = 5
    assert asyncio.run(wait_for_position(replica, 5, 0.1)) == 5


def test_another_generation_is_asked_not_the_runners_memory() -> None:
    runner = FakeRunner()
    runner.commit(5)
    runner.stored = 2  # what the other generation's tracking table says
    other = FakeReadSide(runner, replica=False, generation=1)
    assert asyncio.run(wait_for_position(other, 5, 0.1)) == 2
