"""The exports over HTTP.

GET /export/popolo.json and /export/oparl.json give the whole document, streamed object by
object as it is read (a chunked response), so a large registry is never built in memory.

OParl's own endpoints serve the same objects as an OParl client walks them: /oparl/v1.1/system,
/oparl/v1.1/body (the list of bodies: the registry), /oparl/v1.1/body/registry, and its lists
/oparl/v1.1/body/registry/{organization,person,membership,meeting,paper}, each paged
(`limit` objects a page, default 100) with a `next` link while more follow. The `next` link
pins `asOf` and `knownAt`, so a client walking the pages sees one consistent state.

`asOf` (YYYY-MM-DD, default today) and `knownAt` (an ISO 8601 date-time, default now) are
checked before anything is read: a bad value is a 400 whose error names the parameter.
OParl ids are URLs under this server's address.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse

from api.exports import ExportError, ExportSource, build_export, json_chunks
from api.exports.oparl import LISTS, Urls, oparl_body, oparl_list, oparl_system
from api.exports.source import PAGE, Window
from api.identity import Identity, Unauthenticated, identify

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


SEND_AT = 64 * 1024  # characters gathered before a piece is sent (fewer, larger writes)


async def _logged(chunks: AsyncIterator[str], what: str) -> AsyncIterator[str]:
    # Once the first chunk is sent the status is 200; a failure later can only end the
    # stream early (the client sees JSON that does not parse), so it is logged here.
    gathered: list[str] = []
    size = 0
    try:
        async for chunk in chunks:
            gathered.append(chunk)
            size += len(chunk)
            if size >= SEND_AT:
                yield "".join(gathered)
                gathered, size = [], 0
        yield "".join(gathered)
    except Exception:
        log.exception("%s export failed while streaming", what)
        raise


def _refused(bad: BadParameter) -> JSONResponse:
    error = {"message": str(bad), "code": "BAD_USER_INPUT", "field": bad.field}
    return JSONResponse({"errors": [error]}, status_code=400)


async def _viewer(request: Request) -> Identity | JSONResponse:
    """Who asks (contact details are exported to auditors only, docs/security.md), or the
    401 for bad credentials, answered before anything is streamed."""
    try:
        return await run_in_threadpool(identify, request, request.app.state.registry)
    except Unauthenticated as error:
        return JSONResponse(
            {"errors": [{"message": str(error), "code": Unauthenticated.code}]},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )


async def _export(request: Request, fmt: str, as_of: str | None, known_at: str | None) -> Response:
    try:
        day, moment = _day(as_of), _moment(known_at)
    except BadParameter as bad:
        return _refused(bad)
    viewer = await _viewer(request)
    if isinstance(viewer, Response):
        return viewer
    state = request.app.state
    source = ExportSource(state.runner, state.registry, moment, viewer=viewer)
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
    return await _export(request, "popolo", as_of, known_at)


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
    return await _export(request, "oparl", as_of, known_at)


# -- OParl's endpoints ------------------------------------------------------------------------


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _urls(request: Request, as_of: str | None) -> Urls:
    """The URLs of the objects; list URLs keep the day the client asked about."""
    return Urls(_base(request), _day(as_of) if as_of is not None else None)


def _page_token(value: str | None) -> tuple[str, str | None] | None:
    if value is None:
        return None
    try:
        field, cursor = json.loads(base64.urlsafe_b64decode(value.encode()))
        if not isinstance(field, str) or not (cursor is None or isinstance(cursor, str)):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadParameter("page", "is not a page of this list (use the `next` link)") from None
    return field, cursor


def _token(start: tuple[str, str | None]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(start)).encode()).decode()


@router.get("/oparl/v1.1/system", summary="OParl: the System", tags=["oparl"])
async def oparl_system_endpoint(request: Request, as_of: str | None = AS_OF) -> Response:
    """The OParl System: this registry, with the URL of its list of bodies."""
    try:
        return JSONResponse(oparl_system(_urls(request, as_of)))
    except BadParameter as bad:
        return _refused(bad)


@router.get("/oparl/v1.1/body", summary="OParl: the list of bodies", tags=["oparl"])
async def oparl_bodies_endpoint(request: Request, as_of: str | None = AS_OF) -> Response:
    """The System's bodies: one, the registry."""
    try:
        body = oparl_body(_urls(request, as_of))
    except BadParameter as bad:
        return _refused(bad)
    return JSONResponse({"data": [body], "pagination": {"totalElements": 1}, "links": {}})


@router.get("/oparl/v1.1/body/registry", summary="OParl: the Body", tags=["oparl"])
async def oparl_body_endpoint(request: Request, as_of: str | None = AS_OF) -> Response:
    """The Body with the URLs of its lists (on `asOf`, when given)."""
    try:
        return JSONResponse(oparl_body(_urls(request, as_of)))
    except BadParameter as bad:
        return _refused(bad)


@router.get(
    "/oparl/v1.1/body/registry/{name}",
    summary="OParl: one of the Body's lists, paged",
    tags=["oparl"],
    responses={400: {"description": "A bad parameter"}, 404: {"description": "No such list"}},
)
async def oparl_list_endpoint(
    request: Request,
    name: str,
    as_of: str | None = AS_OF,
    known_at: str | None = KNOWN_AT,
    limit: str | None = Query(None, description=f"Objects a page, 1 to {PAGE} (default 100)."),
    page: str | None = Query(None, description="Where the page starts (from a `next` link)."),
) -> Response:
    """`organization`, `person`, `membership`, `meeting` or `paper`: `{"data": [...],
    "pagination": {...}, "links": {"next": ...}}`; `next` is there while more pages follow."""
    if name not in LISTS:
        message = f"no list {name!r}; the lists are {', '.join(LISTS)}"
        return JSONResponse({"errors": [{"message": message, "code": "NOT_FOUND"}]}, 404)
    try:
        day, moment = _day(as_of), _moment(known_at)
        size = 100 if limit is None else int(limit) if limit.isdigit() else -1
        if not 1 <= size <= PAGE:
            raise BadParameter("limit", f"must be a whole number from 1 to {PAGE}, got {limit!r}")
        window = Window(size, _page_token(page))
    except BadParameter as bad:
        return _refused(bad)
    viewer = await _viewer(request)
    if isinstance(viewer, Response):
        return viewer
    state = request.app.state
    source = ExportSource(state.runner, state.registry, moment, window, viewer=viewer)
    wrong_page = BadParameter("page", "is not a page of this list (use the `next` link)")
    try:
        data = await oparl_list(source, name, day, Urls(_base(request), day))
    except ExportError:
        return _refused(wrong_page)
    if not window.entered:  # a page of another list
        return _refused(wrong_page)
    links: dict[str, str] = {}
    if window.next is not None:
        query = {
            "asOf": day.isoformat(),
            "knownAt": source.known_at.isoformat(),
            "limit": size,
            "page": _token(window.next),
        }
        links["next"] = f"{_base(request)}{request.url.path}?{urlencode(query)}"
    return JSONResponse({"data": data, "pagination": {"elementsPerPage": size}, "links": links})
