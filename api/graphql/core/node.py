"""The Relay `Node` interface: an object with a global id, the source it was recorded from and
its events. The entity types implement it, and `node(id)` (api/graphql/nodes/) finds any of
them by its id.

`EntityNode` holds what every type read from the entities read model shares: its row, the
`knownAt` it was read as of, and `id`, `source` and `events` taken from the row. It is never
served itself (no field returns it), so the schema names only its subclasses. The `*_field`
helpers declare a field read from the row in one line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from api.graphql.core.ids import gid
from api.graphql.core.refs import EventRef
from api.graphql.core.source import Source, source_of
from projections.entities import EntityRow

T = TypeVar("T", bound=type)


@strawberry.interface(
    description="An object with a global id, where it comes from and its audit trail. "
    "`node(id)` answers any of them by its id."
)
class Node:
    id: strawberry.ID
    source: Source
    events: list[EventRef]


def _entity_id(self: EntityNode) -> strawberry.ID:
    return gid(self.row.entity_id)


def _entity_source(self: EntityNode) -> Source:
    return source_of(self.row.get("origin"))


async def _entity_events(self: EntityNode, info: Info) -> list[EventRef]:
    # Imported here: core/events.py names every concept's types, and those concepts import
    # this module, so a module-level import would read one of them half-built.
    from api.graphql.core import events as trail

    return await trail.events_of(info, self.row.entity_id)


def source_field(description: str | None = None) -> Any:
    """The `source` field of an entity: the source its origin was recorded from."""
    return strawberry.field(resolver=_entity_source, description=description)


def events_field(description: str | None = None) -> Any:
    """The `events` field of an entity: every event about it, oldest first."""
    return strawberry.field(resolver=_entity_events, description=description)


def text_field(key: str, description: str | None = None) -> Any:
    """A field that serves the row's text under `key`, null when the row has none."""

    def resolve(self: Any) -> str | None:
        return self.row.get(key)

    return strawberry.field(resolver=resolve, description=description)


@strawberry.type(description="Never served: the members every entity type shares.")
class EntityNode(Node):
    """An entity read from the entities read model as known at `known_at` (None: now). A
    subclass that serves `source` or `events` with a description, or elsewhere than last,
    declares it again with `source_field(...)` / `events_field(...)`."""

    row: strawberry.Private[EntityRow]
    known_at: strawberry.Private[datetime | None]

    id = strawberry.field(resolver=_entity_id)
    source = source_field()
    events = events_field()


def node_type(description: str) -> Callable[[T], T]:
    """`strawberry.type` for a type that implements `Node`, its fields served in the order its
    class declares them, an inherited `id` first and the other inherited fields (`source`,
    `events`) last. (Strawberry would serve inherited fields first: `source` and `events`
    would move to the top of every entity, and the served schema would change.)"""

    def wrap(cls: T) -> T:
        declared = {name: n for n, name in enumerate(cls.__dict__)}

        def place(name: str) -> tuple[int, int]:
            if name in declared:
                return (1, declared[name])
            return (0, 0) if name == "id" else (2, 0)

        served = strawberry.type(cls, description=description)
        served.__strawberry_definition__.fields.sort(key=lambda f: place(f.python_name))
        return served

    return wrap
