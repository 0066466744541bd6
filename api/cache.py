"""Answers cached by projection position.

Events only ever append, so an answer computed when the read models stood at position P stays
right until the next event is projected: the read models are the same, and "now" (the default
`knownAt`) sees the same versions, since every projected version was recorded before P's
event. Only the default `asOf` moves on its own, at midnight, so the day is part of the key.

A request is answered from the cache when the same raw request (method, body or query
string, content type) from the same class of reader (public or personal data, api/access.py)
was answered at the same position on the same day. Only answers to queries without errors
are kept (never a mutation's: api/http.py `is_query`), and every write in this process clears
the cache. Officials checking mandates ask the same few questions over and over between rare
writes: those are served as stored bytes, before FastAPI, strawberry or the store see the
request (api/answers.py), except for one read of the position that many concurrent requests
share (`SharedRead`).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass
class Answer:
    """One cached answer: the response body as sent, and the operation's metrics label."""

    body: bytes
    operation: str = "anonymous"
    timer: Any = field(default=None, repr=False)  # the operation's execution-time histogram
    errors: Any = None  # never set: only answers without errors are kept

    @property
    def data(self) -> Any:
        """The answer's `data`, decoded (for inspection; serving uses `body`)."""
        return json.loads(self.body).get("data")


@dataclass
class Pending:
    """A request the cache did not hold, on its way through the GraphQL router, which says
    whether its answer may be kept and with which bytes (api/answers.py, api/http.py)."""

    key: Hashable
    epoch: int
    identity: Any = None  # the request's identity, worked out already (api/access.py)
    cacheable: bool = False  # a query's answer without errors
    body: bytes | None = None  # the bytes sent, when cacheable and answered 200


pending_note: ContextVar[Pending | None] = ContextVar("answer_cache_pending", default=None)


class AnswerCache:
    """A small least-recently-used map from (position, day, request) to an answer."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        # Bumped by every clear: an answer computed before a clear is not put after it.
        self.epoch = 0
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._position: int | None = None  # the position of every answer kept
        self._lock = threading.Lock()

    @staticmethod
    def key(position: int, *request: Hashable) -> Hashable:
        """The key of `request` (whatever, besides the position, determines the answer)
        answered at `position` today."""
        return (position, date.today().isoformat(), *request)

    def get(self, key: Hashable) -> Any:
        with self._lock:
            result = self._entries.get(key)
            if result is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return result

    def put(self, key: Hashable, result: Any, epoch: int | None = None) -> None:
        """Keep `result` (an Answer) under `key`, unless it has errors or the cache was
        cleared since `epoch` (when the request began)."""
        if getattr(result, "errors", None):
            return
        position = key[0] if isinstance(key, tuple) else None
        with self._lock:
            if epoch is not None and epoch != self.epoch:
                return
            if isinstance(position, int):
                if self._position is not None and position < self._position:
                    return  # positions only grow: an answer of an older one is never asked for
                if self._position is not None and position > self._position:
                    # Every answer kept is of an older position: none will be served again.
                    # Drop them now rather than when the LRU gets round to it (an answer may
                    # hold a contact detail that a disposal decision has since destroyed).
                    self._entries.clear()
                self._position = position
            self._entries[key] = result
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every answer (after a write in this process: until the write is projected
        the position does not move, yet a redaction must not be answered from memory)."""
        with self._lock:
            self.epoch += 1
            self._entries.clear()
            self._position = None


class SharedRead(Generic[T]):
    """A blocking read (the read side's position) shared by the requests waiting for it.

    Every caller gets the value of a read that began after it called: a caller joins the read
    that has not started yet, or, while one is under way, the next one, which starts when the
    current one ends. So a position is never older than the request that asks for it, yet
    under load one read in a worker thread serves every request that arrived meanwhile
    instead of one thread hop and one query per request. With `in_thread=False` (a local
    SQLite file, where the read takes about as long as a hop to a worker thread) each caller
    reads on the event loop itself."""

    def __init__(self, read: Callable[[], T], in_thread: bool = True) -> None:
        self._read = read
        self.in_thread = in_thread
        self._loop: asyncio.AbstractEventLoop | None = None
        self._next: asyncio.Future[T] | None = None  # the read not started yet
        self._running = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def get(self) -> T:
        if not self.in_thread:
            return self._read()
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (a test's client): start afresh
            self._loop, self._next, self._running = loop, None, False
        future = self._next
        if future is None:
            future = self._next = loop.create_future()
            if not self._running:
                self._start()
        return await asyncio.shield(future)

    def _start(self) -> None:
        future, self._next = self._next, None
        assert future is not None and self._loop is not None
        self._running = True
        task = self._loop.create_task(self._run(future))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, future: asyncio.Future[T]) -> None:
        try:
            value = await asyncio.to_thread(self._read)
        except BaseException as error:  # handed to every waiting caller
            if not future.done():
                if isinstance(error, asyncio.CancelledError):
                    future.cancel()
                else:
                    future.set_exception(error)
        else:
            if not future.done():
                future.set_result(value)
        finally:
            self._running = False
            if self._next is not None:
                self._start()
