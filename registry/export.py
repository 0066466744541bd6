"""Export formats for `registry export --format NAME`: one writer per format name.

A writer gets the registry, an open text output and the options, writes the whole export
and returns a one-line summary for the terminal. Add a format by adding a writer to
`EXPORT_FORMATS` (the CLI's --format choices come from this dict).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from registry.application import Registry


@dataclass(frozen=True)
class ExportOptions:
    """What the command line passes to every writer (a writer ignores what it has no use
    for). `progress(n)` advances the progress bar by n units of `total(registry)`."""

    as_of: date | None = None
    progress: Callable[[int], None] | None = None


@dataclass(frozen=True)
class ExportFormat:
    """A writer, and how much work it will report to the progress bar (None: unknown)."""

    write: Callable[[Registry, TextIO, ExportOptions], str]
    total: Callable[[Registry], int | None] = lambda _registry: None
    description: str = ""


def _write_ndjson(registry: Registry, out: TextIO, options: ExportOptions) -> str:
    from registry.audit import write_ndjson

    count, (position, hash_hex) = write_ndjson(registry.chain, out, options.progress)
    return f"{count} events, head at position {position} ({hash_hex})"


EXPORT_FORMATS: dict[str, ExportFormat] = {
    "ndjson": ExportFormat(
        write=_write_ndjson,
        total=lambda registry: registry.chain.count_events(),
        description="the whole event log with its hash chain and signed checkpoints "
        "(`registry verify --file`, `registry restore`)",
    ),
}
