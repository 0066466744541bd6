"""Where a fact comes from: the `Source` of every entity and event."""

from __future__ import annotations

from typing import Any

import strawberry


@strawberry.type(description="Where a fact comes from.")
class Source:
    document: str | None
    item: str | None = strawberry.field(description='Item in the document, such as "§ 9".')
    url: str | None
    note: str | None = strawberry.field(
        default=None, description="A note the recorder attached (ambiguities in the source)."
    )


def source_of(origin: dict[str, Any] | None) -> Source:
    origin = origin or {}
    src = origin.get("source") or {}
    return Source(
        document=src.get("document"),
        item=src.get("item"),
        url=src.get("url"),
        note=origin.get("note"),
    )
