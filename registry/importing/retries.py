"""Retrying an import that lost a race: two files imported at the same time that both create
the same new organisation (or person, or body) cannot both save it; the one that saves second
is refused at commit with CONCURRENT_CHANGE (or, if it looked after the first saved, with
ALREADY_EXISTS). Run again, it finds what the first created and refers to it. The server does
that itself, a bounded number of times, instead of handing the race to the user."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from registry.errors import AlreadyExists, ConcurrentChange, VersionConflict
from registry.importing.problems import ImportRefused

T = TypeVar("T")

ATTEMPTS = 5
RACE_CODES = frozenset({ConcurrentChange.code, AlreadyExists.code})


def lost_a_race(error: Exception) -> bool:
    """Whether `error` is a refusal that running the import again can overcome."""
    if isinstance(error, VersionConflict):
        return False
    if isinstance(error, ConcurrentChange | AlreadyExists):
        return True
    return (
        isinstance(error, ImportRefused)
        and bool(error.problems)
        and all(p.code in RACE_CODES for p in error.problems)
    )


def retrying(attempt: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """`attempt()`, run again (after a short random pause, growing) while it loses a race to
    another writer, at most `attempts` times in all; then its last refusal."""
    for n in range(attempts):
        try:
            return attempt()
        except (ImportRefused, ConcurrentChange, AlreadyExists) as error:
            if n == attempts - 1 or not lost_a_race(error):
                raise
        time.sleep(random.uniform(0.0, 0.02 * 2**n))
    raise AssertionError("unreachable")  # pragma: no cover
