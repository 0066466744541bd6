"""Read your writes inside GraphQL: the operation directive `@atLeastPosition(position: N)`.

    query Members @atLeastPosition(position: 1234) { members(bodyId: "...") { person { name } } }

A write answers with the log position of its last event (`position` on every mutation's
answer, `position` of POST /import). A query carrying that position is executed only once the
read models it reads have reached it, for at most REGISTRY_READ_WAIT_SECONDS (default 5);
then it is answered with the error `POSITION_NOT_REACHED` (extensions `position` and
`reached`) and nothing is executed. The read side's position is the store's own tracking
record, so this holds also when the projections run in another process (`registry serve
--no-projections` with `registry project`). It is the in-document form of the
`X-Registry-Min-Position` header (api/consistency.py), for clients that cannot set headers.

The answer cache (api/cache.py) keys on the raw request, whose query text includes the
directive: an answer stored for it was computed at a position at least N, and positions only
grow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import strawberry
from graphql import (
    GraphQLError,
    IntValueNode,
    OperationDefinitionNode,
    VariableNode,
    get_operation_ast,
)
from strawberry.directive import DirectiveLocation
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from api.consistency import wait_seconds_from_environment
from api.position_wait import wait_for_position

POSITION_NOT_REACHED = "POSITION_NOT_REACHED"
DIRECTIVE = "atLeastPosition"


@strawberry.directive(
    locations=[DirectiveLocation.QUERY],
    name=DIRECTIVE,
    description="Answer this query only once the read models include the event log position "
    "`position` (a write's answer gives it); waits at most REGISTRY_READ_WAIT_SECONDS "
    "(default 5), then the error POSITION_NOT_REACHED.",
)
def at_least_position(position: int) -> None:  # declared only; ReadYourWrites acts on it
    return None


def not_reached(wanted: int, reached: int, timeout: float) -> GraphQLError:
    return GraphQLError(
        f"the read models have not reached position {wanted} within {timeout:g} s (they are "
        f"at {reached}); try again shortly",
        extensions={"code": POSITION_NOT_REACHED, "position": wanted, "reached": reached},
    )


class ReadYourWrites(SchemaExtension):
    """Holds an operation with `@atLeastPosition` until the read side reaches the position."""

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        context = self.execution_context
        wanted = self._wanted()
        read_side = context.context.get("runner") if isinstance(context.context, dict) else None
        if wanted is not None and read_side is not None:
            if wanted < 0:
                context.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"@{DIRECTIVE}(position:) must be 0 or more, got {wanted}",
                            extensions={"code": "BAD_USER_INPUT", "field": "position"},
                        )
                    ],
                )
            else:
                timeout = wait_seconds_from_environment()
                reached = await wait_for_position(read_side, wanted, timeout)
                if reached < wanted:
                    context.result = ExecutionResult(
                        data=None, errors=[not_reached(wanted, reached, timeout)]
                    )
        yield

    def _wanted(self) -> int | None:
        context = self.execution_context
        document = context.graphql_document
        if document is None:
            return None
        operation = get_operation_ast(document, context.operation_name)
        if not isinstance(operation, OperationDefinitionNode) or not operation.directives:
            return None
        for directive in operation.directives:
            if directive.name.value != DIRECTIVE:
                continue
            for argument in directive.arguments:
                if argument.name.value != "position":
                    continue
                node = argument.value
                if isinstance(node, VariableNode):  # validated and coerced to an Int
                    value = (context.variables or {}).get(node.name.value)
                    return value if isinstance(value, int) else None
                return int(node.value) if isinstance(node, IntValueNode) else None
        return None
