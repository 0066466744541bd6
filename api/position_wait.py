"""Waiting, on the event loop, for the read side to reach a log position (read your writes:
`@atLeastPosition`, api/read_your_writes.py, and `X-Registry-Min-Position`,
api/consistency.py).

The position is always read from the store (the tracking record of the generation this
process reads, on the primary or on a replica), so a request is never answered before its
position is projected. What decides how soon the next look comes:

- the projection runner of this process, when it commits a batch, wakes every waiting
  request at once (`ProjectionRunner.on_advanced`): the look follows the commit by one event
  loop turn instead of by a poll interval;
- the position this process's runner last committed, kept in memory, answers without a
  read when it is already far enough (never on a replica, which may lag the primary);
- otherwise (a runner in another process, a replica behind the primary) a poll, often at
  first and then backing off, as before.

A waiter registers for the wake-up before it reads the position, so a batch committed
between the read and the wait is not missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import weakref
from typing import Any

FIRST_DELAY = 0.001  # seconds before the first poll (the runner applies a write within ms)
MAX_DELAY = 0.05
BACKOFF = 1.25


class Advances:
    """Wakes the asyncio waiters of one projection runner when it commits a batch."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def waiter(self) -> asyncio.Future[None]:
        """A future completed at the runner's next commit (call on the event loop)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            self._waiters.append((loop, future))
        return future

    def forget(self, future: asyncio.Future[None]) -> None:
        with self._lock:
            self._waiters = [(lp, f) for lp, f in self._waiters if f is not future]

    def notify(self) -> None:
        """Called in the runner's thread after a commit."""
        with self._lock:
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # the loop was closed meanwhile
                loop.call_soon_threadsafe(_complete, future)


def _complete(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


_advances: weakref.WeakKeyDictionary[Any, Advances] = weakref.WeakKeyDictionary()
_advances_lock = threading.Lock()


def advances_of(read_side: Any) -> Advances | None:
    """The wake-ups of the projection runner in this process behind `read_side` (a
    ReadSide or the runner itself), or None when there is none to listen to."""
    runner = read_side if hasattr(read_side, "on_advanced") else getattr(read_side, "runner", None)
    if runner is None or not hasattr(runner, "on_advanced"):
        return None
    with _advances_lock:
        advances = _advances.get(runner)
        if advances is None:
            advances = Advances()
            runner.on_advanced(advances.notify)
            _advances[runner] = advances
    return advances


async def wait_for_position(read_side: Any, wanted: int, timeout: float) -> int:
    """Look at the read side's position until it reaches `wanted` or `timeout` seconds pass;
    the position reached."""
    deadline = time.monotonic() + timeout
    advances = advances_of(read_side)
    # When this process's runner leads and the read side is the primary, its commit wakes
    # the waiter: polling in between would only compete with it for the CPU.
    quiet = advances is not None and _leads(read_side)
    delay = MAX_DELAY if quiet else FIRST_DELAY
    # Quiet, the store is asked only after a wait the runner's commit did not end: until
    # then the position it committed is the store's (it alone writes it).
    ask = not quiet
    while True:
        woken = advances.waiter() if advances is not None else None
        try:
            reached = _committed(read_side)
            if reached < wanted and (ask or reached == 0):
                reached = max(reached, await asyncio.to_thread(read_side.position))
            remaining = deadline - time.monotonic()
            if reached >= wanted or remaining <= 0:
                return reached
            if woken is None:
                await asyncio.sleep(min(delay, remaining))
            else:
                done, _ = await asyncio.wait({woken}, timeout=min(delay, remaining))
                ask = not (quiet and done)
        finally:
            if woken is not None and not woken.done():
                advances.forget(woken)  # type: ignore[union-attr]
        delay = min(delay * BACKOFF, MAX_DELAY)


def _leads(read_side: Any) -> bool:
    if getattr(read_side, "replica", False):
        return False
    runner = read_side if hasattr(read_side, "on_advanced") else getattr(read_side, "runner", None)
    leadership = getattr(runner, "leadership", None)
    running = getattr(runner, "_thread", None)
    return (
        bool(getattr(leadership, "leading", False)) and running is not None and running.is_alive()
    )


def _committed(read_side: Any) -> int:
    """The position this process's runner has committed in the generation `read_side`
    reads (on the primary: a replica may not have it yet), else 0. Committed means visible
    to every later read, so a position at least this is reached without asking the store."""
    if getattr(read_side, "replica", False):
        return 0
    runner = read_side if hasattr(read_side, "on_advanced") else getattr(read_side, "runner", None)
    committed = getattr(runner, "committed", None)
    if not isinstance(committed, tuple):
        return 0
    generation, position = committed
    return position if generation == getattr(read_side, "generation", None) else 0
