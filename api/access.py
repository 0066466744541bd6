"""What a GraphQL request may read, by its identity (api/identity.py, docs/security.md).

Public data is for everyone. Two things are for auditors and administrators only, and are
null for everyone else: personal contact details (`Person.contactDetails.value` and `salt`;
the commitment, the kind and whether a value was redacted stay public) and who wrote each
event (`Event.actor`, `actorSubject`, `actorTokenId`, a membership's or agreement's
`recordedBy`, a redaction's `actor`). Who the minutes say recorded a fact (`statedBy`) is
public, as the minutes are.

A request's identity is worked out once (`resolve_viewer`, before the answer cache is asked,
so that a cached answer is only served to the same class of reader) and kept in the GraphQL
context. Bad credentials are an UNAUTHENTICATED error on the fields that need an identity;
public fields are still answered.
"""

from __future__ import annotations

import asyncio
from typing import Any

from graphql import GraphQLError

from api.identity import PUBLIC, Identity, Unauthenticated, authorise_write, identify
from registry.values import Context

IDENTITY = "identity"  # the context's key of the identity
_KEY = IDENTITY


def _identify(context: dict[str, Any]) -> Identity | Unauthenticated:
    request = context.get("request")
    registry = context.get("registry")
    if request is None or registry is None:  # an export or other internal query: public
        return PUBLIC
    try:
        return identify(request, registry)
    except Unauthenticated as error:
        return error


async def resolve_viewer(context: Any) -> Identity | Unauthenticated:
    """Work out the request's identity once, off the event loop (a token is looked up in
    the store), and keep it in the context."""
    if not isinstance(context, dict):
        return PUBLIC
    if _KEY not in context:
        context[_KEY] = await asyncio.to_thread(_identify, context)
    return context[_KEY]


def audience(found: Identity | Unauthenticated) -> str | None:
    """The class of reader an answer was computed for (part of the answer cache's key), or
    None for bad credentials (never answered from the cache)."""
    if isinstance(found, Unauthenticated):
        return None
    return "personal" if found.sees_personal_data else "public"


def viewer(info: Any) -> Identity:
    """The identity of the request a resolver answers; raises an UNAUTHENTICATED GraphQL
    error when it came with bad credentials."""
    context = info.context
    if not isinstance(context, dict):
        return PUBLIC
    found = context.get(_KEY)
    if found is None:
        found = context[_KEY] = _identify(context)
    if isinstance(found, Unauthenticated):
        raise GraphQLError(str(found), extensions={"code": Unauthenticated.code})
    return found


def sees_personal_data(info: Any) -> bool:
    return viewer(info).sees_personal_data


async def stored_context(info: Any, position: int) -> Context | None:
    """The provenance of the event at `position`, as stored (the read models keep only the
    actor's name): read from the event store, remembered for the request."""
    context = info.context
    cache: dict[int, Context | None] = context.setdefault("stored_contexts", {})
    if position in cache:
        return cache[position]
    registry = context.get("registry")
    if registry is None:
        return None

    def read() -> Context | None:
        found = registry.recorder.select_notifications(start=position, limit=1)
        if not found or found[0].id != position:
            return None
        return getattr(registry.mapper.to_domain_event(found[0]), "context", None)

    cache[position] = await asyncio.to_thread(read)
    return cache[position]


def require_writer(info: Any) -> Identity:
    """The identity of a request that means to write (a GraphQL mutation): raises
    Unauthenticated without credentials (unless the loopback default holds) or with bad
    ones, Forbidden for a role that never writes. Which bodies it may write for is
    `authorise_write`'s to say."""
    context = info.context if isinstance(info.context, dict) else {}
    found = context.get(_KEY)
    if found is None:
        found = context[_KEY] = _identify(context)
    if isinstance(found, Unauthenticated):
        raise found
    if found is PUBLIC:
        raise Unauthenticated(
            "writing needs `Authorization: Bearer <token>`: an API token (`registry token "
            "create`), a JWT from the configured issuer, or REGISTRY_IMPORT_TOKEN"
        )
    if not found.may_write:
        authorise_write(context["registry"], found)  # raises Forbidden, saying why
    return found
