"""GET /export/popolo.json and /export/oparl.json: the exports over HTTP, streamed.

The answer is written object by object as it is read (a chunked response), so a large
registry is never built in memory. `asOf` (YYYY-MM-DD, default today) and `knownAt` (an ISO
8601 date-time, default now) are checked before anything is read: a bad value is a 400 whose
error names the parameter. OParl ids are URLs under this server's address.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from api.exports import ExportSource, build_export, json_chunks

router = APIRouter(tags=["export"])
log = logging.getLogger(__name__)


class BadParameter(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _day(value: str | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadParameter("asOf", f"must be a date YYYY-MM-DD, got {value!r}") from None


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        message = f"must be a date-time such as 2020-03-01T12:00:00Z, got {value!r}"
        raise BadParameter("knownAt", message) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _logged(chunks: AsyncIterator[str], what: str) -> AsyncIterator[str]:
    # Once the first chunk is sent the status is 200; a failure later can only end the
    # stream early (the client sees JSON that does not parse), so it is logged here.
    try:
        async for chunk in chunks:
            yield chunk
    except Exception:
        log.exception("%s export failed while streaming", what)
        raise


def _export(request: Request, fmt: str, as_of: str | None, known_at: str | None) -> Response:
    try:
        day, moment = _day(as_of), _moment(known_at)
    except BadParameter as bad:
        error = {"message": str(bad), "code": "BAD_USER_INPUT", "field": bad.field}
        return JSONResponse({"errors": [error]}, status_code=400)
    state = request.app.state
    source = ExportSource(state.runner, state.registry, moment)
    base_url = str(request.base_url).rstrip("/")
    export = build_export(fmt, source, day, base_url)
    return StreamingResponse(_logged(json_chunks(export), fmt), media_type="application/json")


AS_OF = Query(None, alias="asOf", description="The day, YYYY-MM-DD (default today).")
KNOWN_AT = Query(None, alias="knownAt", description="As known at this moment (default now).")


@router.get(
    "/export/popolo.json",
    summary="The registry on a day as a Popolo document",
    responses={400: {"description": "A bad asOf or knownAt"}},
)
async def popolo(
    request: Request, as_of: str | None = AS_OF, known_at: str | None = KNOWN_AT
) -> Response:
    """Persons, organizations (organisations and bodies), memberships valid on `asOf`, posts
    (seats), events (meetings and agenda items), motions (decisions) and speeches
    (reservations and statements). See docs/exports.md."""
    return _export(request, "popolo", as_of, known_at)


@router.get(
    "/export/oparl.json",
    summary="The registry on a day as an OParl 1.1 dump",
    responses={400: {"description": "A bad asOf or knownAt"}},
)
async def oparl(
    request: Request, as_of: str | None = AS_OF, known_at: str | None = KNOWN_AT
) -> Response:
    """The System, its Body, and the Body's lists (organization, person, membership,
    meeting, paper) as arrays of objects, on `asOf`. See docs/exports.md."""
    return _export(request, "oparl", as_of, known_at)
