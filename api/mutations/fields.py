"""How a mutation is declared: `write` makes a GraphQL mutation field of a command function.

The command function takes only the arguments that are its own and returns its `Change`;
`write` adds the arguments every mutation shares, in one order for all of them: the command's
required arguments, `source`, the command's optional ones, `note`, `authorisedBy`,
`expectedVersion` (on a mutation that changes one entity) and `idempotencyKey`. A command that
declares one of the shared arguments itself (a required `authorisedBy`, a `note` it uses) keeps
its own declaration.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any

import strawberry
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from api.mutations.core import Change, perform
from api.mutations.types import SourceInput, Write

SourceArgument = Annotated[
    SourceInput, strawberry.argument(description="The source document (minutes) of the fact.")
]
ExpectedVersion = Annotated[
    int | None,
    strawberry.argument(
        description="The entity's version as read; refused with CONFLICT if it has changed."
    ),
]
IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(
        description="Makes a retried request safe: the same key answers as the first time "
        "and writes nothing again (or send the Idempotency-Key header)."
    ),
]
AuthorisedBy = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="The decision that authorises the change."),
]


def _argument(
    name: str, annotation: Any, default: Any = inspect.Parameter.empty
) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


_INFO = _argument("info", Info)
_SOURCE = _argument("source", SourceArgument)
_SHARED = (
    _argument("note", str | None, None),
    _argument("authorised_by", AuthorisedBy, None),
    _argument("expected_version", ExpectedVersion, None),
    _argument("idempotency_key", IdempotencyKey, None),
)


def write(
    answer: type[Write], description: str, *, versioned: bool = True
) -> Callable[[Callable[..., Change]], StrawberryField]:
    """The mutation field (described by `description`, answered as `answer`) that runs the
    command the decorated function returns. `versioned`: the mutation changes one entity and
    takes `expectedVersion`."""

    def field(command: Callable[..., Change]) -> StrawberryField:
        signature = _signature(command, answer, versioned)
        own = list(inspect.signature(command).parameters)

        async def resolve(**given: Any) -> Write:
            bound = signature.bind(**given)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            change = command(**{name: arguments[name] for name in own})
            return await perform(arguments["info"], answer, change, arguments)

        resolve.__name__ = command.__name__
        resolve.__qualname__ = command.__qualname__
        resolve.__signature__ = signature  # type: ignore[attr-defined]
        return strawberry.mutation(resolver=resolve, description=description)

    return field


def _signature(
    command: Callable[..., Change], answer: type[Write], versioned: bool
) -> inspect.Signature:
    hints = typing.get_type_hints(command, include_extras=True)
    own = [
        _argument(p.name, hints[p.name], p.default)
        for p in inspect.signature(command).parameters.values()
    ]
    names = {p.name for p in own}
    shared = [
        p for p in _SHARED if p.name not in names and (versioned or p.name != "expected_version")
    ]
    return inspect.Signature(
        [
            _INFO,
            *(p for p in own if p.default is p.empty),
            _SOURCE,
            *(p for p in own if p.default is not p.empty),
            *shared,
        ],
        return_annotation=answer,
    )
