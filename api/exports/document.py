"""An export as a JSON document that can be written whole or streamed.

An `Export` is a small head (metadata, single objects) and named lists whose items come from
an async generator, list after list, in the order `sections` gives. `to_dict` collects it;
`json_chunks` writes it piece by piece, so a large registry is never held in memory as one
document (the HTTP routes stream these chunks, the CLI writes them to a file).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

Items = AsyncIterator[tuple[str, dict[str, Any]]]


@dataclass
class Export:
    """A document: `head` first, then one array per name in `sections`, filled from
    `items`, which yields (section, object) pairs grouped by section in that order."""

    head: dict[str, Any]
    sections: list[str]
    items: Items


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def to_dict(export: Export) -> dict[str, Any]:
    """The whole document as one dict."""
    document: dict[str, Any] = dict(export.head)
    for section in export.sections:
        document[section] = []
    async for section, obj in export.items:
        document[section].append(obj)
    return document


async def json_chunks(export: Export) -> AsyncIterator[str]:
    """The document as JSON text in pieces: the head, then each object as it is read."""
    head = ",".join(f"{_dump(k)}:{_dump(v)}" for k, v in export.head.items())
    yield "{" + head + ("," if head and export.sections else "")
    pending = list(export.sections)
    current: str | None = None
    first = True
    async for section, obj in export.items:
        if section != current:
            if current is not None:
                yield "],"
            # sections without objects before this one are written as empty lists
            while pending and pending[0] != section:
                yield f"{_dump(pending.pop(0))}:[],"
            if not pending:
                raise ValueError(f"section {section!r} out of order or unknown")
            pending.pop(0)
            current = section
            first = True
            yield f"{_dump(section)}:["
        yield ("" if first else ",") + _dump(obj)
        first = False
    if current is not None:
        yield "]" + ("," if pending else "")
    yield ",".join(f"{_dump(s)}:[]" for s in pending) + "}\n"
