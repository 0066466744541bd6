"""The Relay `Node` interface: an object with a global id, the source it was recorded from and
its events. The entity types implement it, and `node(id)` (api/graphql/nodes/) finds any of
them by its id."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry

from api.graphql.core.refs import EventRef
from api.graphql.core.source import Source

T = TypeVar("T", bound=type)


@strawberry.interface(
    description="An object with a global id, where it comes from and its audit trail. "
    "`node(id)` answers any of them by its id."
)
class Node:
    id: strawberry.ID
    source: Source
    events: list[EventRef]


def node_type(description: str) -> Callable[[T], T]:
    """`strawberry.type` for a type that implements `Node`, its fields served in the order its
    class declares them. (A subclass's fields come after its interface's: `id`, `source` and
    `events` would move to the top of every entity, and the served schema would change.)"""

    def wrap(cls: T) -> T:
        declared = {name: n for n, name in enumerate(cls.__dict__)}
        served = strawberry.type(cls, description=description)
        served.__strawberry_definition__.fields.sort(key=lambda f: declared.get(f.python_name, -1))
        return served

    return wrap
