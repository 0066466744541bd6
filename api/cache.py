"""Answers cached by projection position.

Events only ever append, so an answer computed when the read models stood at position P stays
right until the next event is projected: the read models are the same, and "now" (the default
`knownAt`) sees the same versions, since every projected version was recorded before P's
event. Only the default `asOf` moves on its own, at midnight, so the day is part of the key.

A request is answered from the cache when the same query text, variables and operation name
were answered at the same position on the same day. Only answers to queries without errors are
kept (never a mutation's: api/http.py `is_query`), and every write in this process clears the
cache. Officials checking mandates ask the same few
questions over and over between rare writes: those are served without executing anything.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from datetime import date
from typing import Any

from strawberry.types import ExecutionResult


class AnswerCache:
    """A small least-recently-used map from (position, day, request) to a result."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, ExecutionResult] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(
        position: int, method: str, query: str | None, variables: Any, operation: Any
    ) -> Hashable | None:
        if query is None:
            return None
        try:
            encoded = json.dumps(variables, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            return None
        return (position, date.today().isoformat(), method, query, encoded, operation)

    def get(self, key: Hashable) -> ExecutionResult | None:
        with self._lock:
            result = self._entries.get(key)
            if result is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return result

    def put(self, key: Hashable, result: ExecutionResult) -> None:
        if result.errors:
            return
        with self._lock:
            position = key[0] if isinstance(key, tuple) else None
            if position is not None and any(
                isinstance(k, tuple) and k[0] < position for k in self._entries
            ):
                # Positions only grow: answers of older positions will never be served again.
                # Drop them now rather than when the LRU gets round to it (an answer may hold
                # a contact detail that a disposal decision has since destroyed).
                self._entries = OrderedDict(
                    (k, v)
                    for k, v in self._entries.items()
                    if not (isinstance(k, tuple) and k[0] < position)
                )
            self._entries[key] = result
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every answer (after a write in this process: until the write is projected
        the position does not move, yet a redaction must not be answered from memory)."""
        with self._lock:
            self._entries.clear()
