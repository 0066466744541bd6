"""Ids in the GraphQL layer: parsing an id argument, serving an id, and the error for bad input."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry
from graphql import GraphQLError


def parse_id(value: Any, field: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise GraphQLError(
            f"{field}: {value!r} is not a valid id",
            extensions={"code": "BAD_USER_INPUT", "field": field},
        ) from None


def gid(value: Any) -> strawberry.ID:
    return strawberry.ID(str(value))


def uuid_or_none(value: Any) -> UUID | None:
    return UUID(str(value)) if value else None


def bad_input(field: str, message: str) -> GraphQLError:
    return GraphQLError(
        f"{field}: {message}", extensions={"code": "BAD_USER_INPUT", "field": field}
    )
