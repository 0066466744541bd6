"""What one GraphQL request may ask for, checked before anything is executed.

| limit | value | refused with |
|---|---|---|
| request body (POST) or query string (GET) | 256 KiB | HTTP 413 / 414 (`api.http`) |
| tokens in the document | 8,000 | TOO_MANY_TOKENS (parsing stops there) |
| nesting of the schema's own fields | 12 | QUERY_TOO_DEEP |
| nesting counting introspection fields | 20 | QUERY_TOO_DEEP |
| lists nested inside introspection | graphql-core's rule | QUERY_TOO_DEEP |
| aliases, every fragment spread expanded | 30 | TOO_MANY_ALIASES |

The standard introspection query (GraphiQL's, graphql-core's) nests 14 levels, so it passes.
Introspection can be switched off: REGISTRY_GRAPHQL_INTROSPECTION=false.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)

from api.errors import QUERY_TOO_DEEP, TOO_MANY_ALIASES, ErrorCodes

MAX_BODY_BYTES = 256 * 1024
MAX_TOKENS = 8000
MAX_DEPTH = 12
MAX_INTROSPECTION_DEPTH = 20
MAX_ALIASES = 30
# Parsed documents and validation results kept for repeated queries (each up to MAX_TOKENS).
CACHE_SIZE = 128

ExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]


@dataclass(frozen=True)
class Shape:
    """How a selection set nests: `depth` counts the schema's own fields (as strawberry's
    QueryDepthLimiter does: introspection subtrees are not counted), `total_depth` counts every
    field, and `aliases` every alias with each fragment spread expanded."""

    depth: int = 0
    total_depth: int = 0
    aliases: int = 0

    def beside(self, other: Shape) -> Shape:
        return Shape(
            max(self.depth, other.depth),
            max(self.total_depth, other.total_depth),
            self.aliases + other.aliases,
        )


def shape_of(selection_set: SelectionSetNode, fragments: Mapping[str, Shape]) -> Shape:
    """The shape of `selection_set`, given the shapes of the fragments it spreads (a fragment
    that is unknown or part of a cycle counts as empty: validation reports those)."""
    shape = Shape()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            alias = 1 if selection.alias else 0
            if selection.selection_set is None:
                part = Shape(aliases=alias)
            else:
                inner = shape_of(selection.selection_set, fragments)
                own = 0 if selection.name.value.startswith("__") else inner.depth + 1
                part = Shape(own, inner.total_depth + 1, inner.aliases + alias)
        elif isinstance(selection, InlineFragmentNode):
            part = shape_of(selection.selection_set, fragments)
        else:
            part = fragments.get(selection.name.value, Shape())
        shape = shape.beside(part)
    return shape


def fragment_shapes(fragments: Mapping[str, FragmentDefinitionNode]) -> dict[str, Shape]:
    """The shape of every fragment, each computed once, dependencies first.

    strawberry's depth and alias limiters walk a fragment again at every spread, so a chain of
    fragments each spreading the next twice takes 2^n steps: a few hundred bytes of query would
    hold the server for hours. Here each fragment is walked once; the walk over the spread graph
    keeps its own stack, so a long chain of fragments cannot exhaust Python's.
    """
    shapes: dict[str, Shape] = {}
    for root in fragments:
        if root in shapes:
            continue
        entered = {root}
        stack = [(root, iter(_spreads(fragments[root].selection_set)))]
        while stack:
            name, pending = stack[-1]
            spread = next(pending, None)
            if spread is None:
                stack.pop()
                shapes[name] = shape_of(fragments[name].selection_set, shapes)
            elif spread in fragments and spread not in shapes and spread not in entered:
                entered.add(spread)
                stack.append((spread, iter(_spreads(fragments[spread].selection_set))))
    return shapes


def _spreads(selection_set: SelectionSetNode) -> Iterator[str]:
    for selection in selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            yield selection.name.value
        elif selection.selection_set is not None:
            yield from _spreads(selection.selection_set)


class SelectionLimits(ValidationRule):
    """Refuses a document whose operations nest deeper than MAX_DEPTH (MAX_INTROSPECTION_DEPTH
    counting introspection fields) or use more than MAX_ALIASES aliases in all."""

    max_depth = MAX_DEPTH
    max_introspection_depth = MAX_INTROSPECTION_DEPTH
    max_aliases = MAX_ALIASES

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        definitions = context.document.definitions
        fragments = fragment_shapes(
            {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
        )
        aliases = 0
        for operation in definitions:
            if not isinstance(operation, OperationDefinitionNode):
                continue
            shape = shape_of(operation.selection_set, fragments)
            aliases += shape.aliases
            name = f"Operation '{operation.name.value}'" if operation.name else "The operation"
            if shape.depth > self.max_depth:
                self._refuse(
                    f"{name} nests {shape.depth} levels deep; at most {self.max_depth} are "
                    "allowed.",
                    QUERY_TOO_DEEP,
                    operation,
                )
            elif shape.total_depth > self.max_introspection_depth:
                self._refuse(
                    f"{name} nests {shape.total_depth} levels deep counting introspection "
                    f"fields; at most {self.max_introspection_depth} are allowed.",
                    QUERY_TOO_DEEP,
                    operation,
                )
        if aliases > self.max_aliases:
            # "aliases found" is the wording of strawberry's limiter, which clients may match.
            self._refuse(
                f"{aliases} aliases found (fragments expanded); at most {self.max_aliases} "
                "are allowed in one request.",
                TOO_MANY_ALIASES,
            )

    def _refuse(self, message: str, code: str, node: Any = None) -> None:
        self.report_error(GraphQLError(message, node, extensions={"code": code}))


def graphql_extensions(introspection: bool = True) -> list[ExtensionFactory]:
    """The extensions every schema of the registry is built with: error codes and masking,
    the limits above, caches of parsed and validated documents, and, unless `introspection`,
    DisableIntrospection."""
    extensions: list[ExtensionFactory] = [
        ErrorCodes,  # first, so that its after-hooks see what all the others did
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        # The same rule class on every request, so that ValidationCache can find it again.
        lambda: AddValidationRules([SelectionLimits]),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return extensions


def without_introspection(schema: strawberry.Schema) -> strawberry.Schema:
    """`schema` with introspection disabled: the same types (converted once, when `schema` was
    built) with DisableIntrospection added to its extensions, which strawberry instantiates
    per request."""
    variant = copy.copy(schema)
    variant.extensions = (*schema.extensions, DisableIntrospection)
    return variant


def introspection_from_environment(environ: Mapping[str, str] = os.environ) -> bool:
    """REGISTRY_GRAPHQL_INTROSPECTION: true (the default) or false."""
    value = environ.get("REGISTRY_GRAPHQL_INTROSPECTION", "true").strip().lower()
    if value in ("1", "true", "yes", "on", ""):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"REGISTRY_GRAPHQL_INTROSPECTION must be true or false, not {value!r}")
