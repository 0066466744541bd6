"""POST /import: one minutes or statement file (YAML or JSON) as the request body.

The answer is 200 with a summary ("imported", "unchanged" or "corrected") and `position`,
the event log position that includes the import (for `X-Registry-Min-Position`), 400 when the body
cannot be read as a file at all, or 422 when the file is refused; refusals are
`{"errors": [{"path", "message", "code"}], "diff": ...}`, and nothing of a refused file is
written. Never a 500: an unexpected failure is reported as a refusal too.

Who may import (api/identity.py, docs/security.md): a request without credentials gets 401
(except from loopback while no identity is configured), one whose token may not write, or
not for every body and organisation the file writes for, 403, and nothing is written. The
events record the token's identity as their actor; the file's `recorded_by` is kept apart
as who the minutes say recorded them.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.identity import PUBLIC, Forbidden, Unauthenticated, authorise_write, identify
from api.observability import record_import
from registry.importing import ImportRefused, import_text
from registry.importing.loading import format_for
from registry.importing.retries import retrying

router = APIRouter(tags=["import"])
log = logging.getLogger(__name__)

MAX_BYTES = 5_000_000
_UNREADABLE = {"SYNTAX_ERROR", "UNREADABLE", "MISSING_REASON", "TOO_LARGE"}


# The types the endpoint documents. Anything else, above all `text/plain`,
# `application/x-www-form-urlencoded` and `multipart/form-data` (what another web site may
# send cross-site without a preflight), is refused with 415. No Content-Type reads as YAML.
ACCEPTED_TYPES = frozenset(
    {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json"}
)


def _own_origin(request: Request) -> bool:
    """True without an `Origin` header (not a browser, or same-origin navigation), or when it
    names this server as the request reached it (scheme, host and port of the Host header)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return origin.rstrip("/").lower() in {
        f"{scheme}://{host}".lower() for scheme in ("http", "https")
    }


def _unauthenticated(message: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"path": "", "message": message, "code": "UNAUTHENTICATED"}]},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


def _refusal(status: int, errors: list[dict[str, str]], diff: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"errors": errors}
    if diff:
        body["diff"] = diff
    return JSONResponse(body, status_code=status)


@router.post(
    "/import",
    summary="Import one meeting's minutes or one body's statement",
    responses={
        400: {"description": "Not a readable file"},
        401: {"description": "No or wrong token"},
        403: {
            "description": "The token may not write for a body or organisation of the file, "
            "or the request was sent from another web site (Origin)"
        },
        415: {"description": "Not a YAML or JSON content type"},
        422: {"description": "Refused"},
    },
)
async def import_minutes(
    request: Request,
    correct: bool = Query(False, description="Record differences as corrections."),
    reason: str | None = Query(None, description="Why (needed with correct=true)."),
    name: str = Query("upload", description="The file's name, used in messages."),
) -> JSONResponse:
    """The body is the file: `Content-Type: application/yaml` (default) or
    `application/json`. See docs/minutes-format.md. The request carries
    `Authorization: Bearer <token>`: a recorder token granted every body and organisation
    the file writes for, or an admin token (docs/security.md)."""
    registry = request.app.state.registry
    try:
        identity = await run_in_threadpool(identify, request, registry)
    except Unauthenticated as error:
        return _unauthenticated(str(error))
    if identity is PUBLIC:
        return _unauthenticated(
            "importing needs `Authorization: Bearer <token>`: an API token (`registry token "
            "create`), a JWT from the configured issuer, or REGISTRY_IMPORT_TOKEN"
        )
    if not identity.may_write:
        try:
            authorise_write(registry, identity)
        except Forbidden as error:
            return _refusal(403, [{"path": "", "message": str(error), "code": "FORBIDDEN"}])
    content_type = request.headers.get("content-type")
    media_type = (content_type or "").partition(";")[0].strip().lower()
    if content_type is not None and media_type not in ACCEPTED_TYPES:
        accepted = ", ".join(sorted(ACCEPTED_TYPES))
        message = (
            f"Content-Type {media_type or '(empty)'!r} is not accepted; send one of {accepted}"
        )
        return _refusal(415, [{"path": "", "message": message, "code": "UNSUPPORTED_MEDIA_TYPE"}])
    if not _own_origin(request):
        message = "a request from another web site (Origin header) may not import"
        return _refusal(403, [{"path": "", "message": message, "code": "FORBIDDEN_ORIGIN"}])
    raw = await request.body()
    if len(raw) > MAX_BYTES:
        message = f"the file has {len(raw)} bytes; at most {MAX_BYTES} are accepted"
        return _refusal(400, [{"path": "", "message": message, "code": "TOO_LARGE"}])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        message = "the file is not UTF-8 text"
        return _refusal(400, [{"path": "", "message": message, "code": "UNREADABLE"}])
    fmt = format_for(name, content_type)

    def authorise(bodies: frozenset, organisations: frozenset) -> None:
        authorise_write(registry, identity, bodies=bodies, organisations=organisations)

    try:
        # Two imports creating the same new organisation at once: the loser runs again.
        result = await run_in_threadpool(
            retrying,
            lambda: import_text(
                registry,
                text,
                name,
                fmt,
                correct=correct,
                reason=reason,
                actor=identity.actor,
                authorise=authorise,
            ),
        )
    except Forbidden as error:
        record_import("refused")
        log.info("import of %s refused for %s: %s", name, identity.subject, error)
        return _refusal(403, [{"path": "", "message": str(error), "code": "FORBIDDEN"}])
    except ImportRefused as refused:
        record_import("refused")
        codes = ", ".join(sorted({p.code for p in refused.problems}))
        log.info("import of %s refused: %s", name, codes)  # the client has the details
        status = 400 if {p.code for p in refused.problems} & _UNREADABLE else 422
        return _refusal(status, [p.as_dict() for p in refused.problems], refused.diff)
    except Exception:  # a refusal, not a 500; the unit of work saves all or nothing
        log.exception("import of %s failed", name)
        record_import("failed")
        message = "the import failed unexpectedly; the error is logged on the server"
        return _refusal(422, [{"path": "", "message": message, "code": "IMPORT_FAILED"}])
    record_import(result.status)
    # The log position the import's events are at or before: send it back as
    # `X-Registry-Min-Position` to read this write's effect (api/consistency.py).
    position = await run_in_threadpool(registry.max_position)
    return JSONResponse({**result.as_dict(), "position": position})
