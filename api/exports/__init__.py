"""The registry in standard shapes: Popolo and OParl 1.1 (docs/exports.md).

`export_popolo` and `export_oparl` give the whole document as a dict; `popolo_export` and
`oparl_export` give an `Export` that `json_chunks` writes piece by piece (the HTTP routes
stream it; `write_export` writes it to a file). All read the projections through the GraphQL
schema in process (api/exports/source.py), never by replaying events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime
from typing import IO, Any

from api.exports.document import Export, json_chunks, to_dict
from api.exports.oparl import oparl_export
from api.exports.popolo import popolo_export
from api.exports.source import ExportError, ExportSource
from projections.runner import ProjectionRunner
from registry.application import Registry

FORMATS = ("popolo", "oparl")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"

__all__ = [
    "DEFAULT_BASE_URL",
    "FORMATS",
    "Export",
    "ExportError",
    "ExportSource",
    "build_export",
    "export_oparl",
    "export_popolo",
    "json_chunks",
    "oparl_export",
    "popolo_export",
    "to_dict",
    "write_export",
]


def build_export(
    fmt: str, source: ExportSource, as_of: date, base_url: str = DEFAULT_BASE_URL
) -> Export:
    """The export of format `fmt` ("popolo" or "oparl")."""
    if fmt == "popolo":
        return popolo_export(source, as_of)
    if fmt == "oparl":
        return oparl_export(source, as_of, base_url)
    raise ValueError(f"format: must be one of {', '.join(FORMATS)}, got {fmt!r}")


def export_popolo(
    runner: ProjectionRunner, registry: Registry, as_of: date, known_at: datetime | None = None
) -> dict[str, Any]:
    """The registry on `as_of` as one Popolo document (persons, organizations, memberships,
    posts, events, motions, speeches)."""
    source = ExportSource(runner, registry, known_at)
    return asyncio.run(to_dict(popolo_export(source, as_of)))


def export_oparl(
    runner: ProjectionRunner,
    registry: Registry,
    as_of: date,
    base_url: str = DEFAULT_BASE_URL,
    known_at: datetime | None = None,
) -> dict[str, Any]:
    """The registry on `as_of` as one OParl 1.1 dump (System, Body, and the Body's lists)."""
    source = ExportSource(runner, registry, known_at)
    return asyncio.run(to_dict(oparl_export(source, as_of, base_url)))


def write_export(export: Export, out: IO[str], progress: Callable[[], None] | None = None) -> None:
    """Write the export's JSON to `out` as it is read; `progress` is called per chunk."""

    async def run() -> None:
        async for chunk in json_chunks(export):
            out.write(chunk)
            if progress:
                progress()

    asyncio.run(run())
