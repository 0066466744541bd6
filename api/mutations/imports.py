"""The import mutation: one meeting's minutes or one body's statement, as POST /import takes
it, with the importer's refusal as one GraphQL error."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from api.identity import Identity
from api.mutations.core import Change, Scope, anywhere, authorise, perform
from api.mutations.fields import IdempotencyKey
from api.mutations.types import DocumentFormat, ImportWrite
from registry.application import Registry
from registry.importing import ImportRefused, import_text


@strawberry.mutation(
    description="Import one meeting's minutes or one body's statement (the text of a YAML "
    "or JSON file, docs/minutes-format.md), as POST /import does."
)
async def import_minutes(
    info: Info,
    document: str,
    format: DocumentFormat = DocumentFormat.YAML,
    name: str = "upload",
    correct: bool = False,
    reason: str | None = None,
    idempotency_key: IdempotencyKey = None,
) -> ImportWrite:
    given = dict(locals())

    def run(registry: Registry, identity: Identity) -> dict[str, Any]:
        # The file says which bodies and organisations it touches: each is authorised as met.
        def authorise_import(bodies: frozenset[UUID], organisations: frozenset[UUID]) -> None:
            authorise(registry, identity, Scope(set(bodies), set(organisations)))

        result = import_text(
            registry,
            document,
            name,
            format.value,
            correct=correct,
            reason=reason,
            actor=identity.actor,
            authorise=authorise_import,
        )
        return {
            "entityId": str(result.document_id),
            "extra": {
                "status": result.status,
                "file": result.file,
                "facts": result.facts,
                "changes": result.changes,
            },
        }

    try:
        return await perform(info, ImportWrite, Change(run, anywhere, attempts=5), given)
    except ImportRefused as refused:
        raise _refusal(refused) from None


def _refusal(refused: ImportRefused) -> GraphQLError:
    """A refused import as one GraphQL error: the first problem's code, every problem (path,
    message, code) and the difference from the version imported before, if any."""
    problems = [p.as_dict() for p in refused.problems]
    extensions: dict[str, Any] = {
        "code": problems[0]["code"] if problems else "IMPORT_REFUSED",
        "problems": problems,
    }
    if refused.diff:
        extensions["diff"] = refused.diff
    return GraphQLError(str(refused), extensions=extensions)
