"""The page routes: each runs one GraphQL document (api/pages/queries.py) in-process against
the served schema with the app's own context, and renders a template with the answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.pages import pictures, queries
from api.pages.text import choose_language, translator

TEMPLATES = resources.files("api.pages") / "templates"
environment = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

ContextGetter = Callable[[], Awaitable[dict[str, Any]]]


class Refused(ValueError):
    """A request the pages cannot answer, with a message naming what is wrong."""


class BadParameter(Refused):
    """A query parameter the pages cannot read, with its name."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name


@dataclass
class View:
    """What every page knows about its request: language, the day shown (`asOf`, default
    today) and the recorded time (`knownAt`, default now), and how to keep them in links."""

    request: Request
    lang: str
    as_of: date
    as_of_given: str | None
    known_at: datetime | None
    known_at_given: str | None
    lang_given: str | None

    def url(self, path: str, **extra: str) -> str:
        params = {
            key: value
            for key, value in (
                ("asOf", self.as_of_given),
                ("knownAt", self.known_at_given),
                ("lang", self.lang_given),
                *extra.items(),
            )
            if value
        }
        return path + ("?" + urlencode(params) if params else "")

    def other_language_url(self) -> str:
        params = dict(self.request.query_params)
        params["lang"] = "en" if self.lang == "sv" else "sv"
        return self.request.url.path + "?" + urlencode(params)

    def variables(self, **extra: Any) -> dict[str, Any]:
        return {
            "asOf": self.as_of.isoformat(),
            "knownAt": self.known_at.isoformat() if self.known_at else None,
            **extra,
        }

    def known(self, recorded_at: str) -> bool:
        """True when a recorded time is at or before knownAt (always without knownAt)."""
        return self.known_at is None or datetime.fromisoformat(recorded_at) <= self.known_at


def read_view(request: Request) -> View:
    params = request.query_params
    lang_given = params.get("lang") or None
    lang = choose_language(lang_given, request.headers.get("accept-language"))
    as_of_given = (params.get("asOf") or "").strip() or None
    known_at_given = (params.get("knownAt") or "").strip() or None
    as_of = date.today()
    if as_of_given:
        try:
            as_of = date.fromisoformat(as_of_given)
        except ValueError:
            raise BadParameter("asOf", f"not a date (YYYY-MM-DD): {as_of_given!r}") from None
    known_at = None
    if known_at_given:
        known_at = parse_known_at(known_at_given)
    return View(request, lang, as_of, as_of_given, known_at, known_at_given, lang_given)


def parse_known_at(value: str) -> datetime:
    """A date-time (UTC unless it says otherwise), or a date meaning the end of that day."""
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time.max, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadParameter(
            "knownAt", f"not a date or date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM): {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def render(view: View, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    page = environment.get_template(template).render(
        view=view, t=translator(view.lang), lang=view.lang, **values
    )
    return HTMLResponse(page, status_code=status)


def create_router(schema: Any, context: ContextGetter) -> APIRouter:
    """The pages, reading through `schema` with the context `context()` builds (the same as
    /graphql's)."""
    router = APIRouter(include_in_schema=False)

    async def ask(document: str, variables: dict[str, Any], request: Request) -> dict[str, Any]:
        # The request goes with the query: what a caller may read (actors, contact details)
        # follows its credentials (api/access.py), as over GraphQL.
        result = await schema.execute(
            document,
            variable_values=variables,
            context_value={**await context(), "request": request},
        )
        if result.errors:
            # GraphQL's messages name the argument already ("id: 'x' is not a valid id").
            raise Refused("; ".join(sorted({error.message for error in result.errors})))
        return result.data

    async def page(
        request: Request,
        template: str,
        document: str,
        root: str | None,
        shape: Callable[[View, dict[str, Any]], dict[str, Any]] | None = None,
        **variables: Any,
    ) -> HTMLResponse:
        try:
            view = read_view(request)
            data = await ask(document, view.variables(**variables), request)
            if root == "person" and data["person"] is not None:
                data["histories"] = await person_histories(view, data["person"], request)
        except Refused as error:
            return render(view_or_default(request), "error.html", 400, message=str(error))
        if root is not None and data.get(root) is None:
            return render(view, "error.html", 404, message=None)
        extra = shape(view, data) if shape else {}
        return render(view, template, data=data, **extra)

    async def person_histories(
        view: View, person: dict[str, Any], request: Request
    ) -> list[dict[str, Any]]:
        """The composition histories of every body the person's events or mandates name."""
        bodies = sorted(
            {e["entityId"] for e in person["events"] if e["entityType"] == "body"}
            | {m["body"]["id"] for m in person["mandates"] if m["body"]}
        )
        if not bodies:
            return []
        answer = await ask(
            queries.composition_histories(len(bodies)),
            {"knownAt": view.variables()["knownAt"], **{f"b{i}": b for i, b in enumerate(bodies)}},
            request,
        )
        return [body for body in answer.values() if body is not None]

    @router.get("/", response_class=HTMLResponse)
    async def start(request: Request) -> HTMLResponse:
        return await page(request, "start.html", queries.START, None, shape_start)

    @router.get("/search", response_class=HTMLResponse)
    async def search(request: Request, q: str = "") -> HTMLResponse:
        if not q.strip():
            return await page(request, "start.html", queries.START, None, shape_start)
        return await page(
            request,
            "search.html",
            queries.SEARCH,
            None,
            lambda _v, _d: {"query": q.strip()},
            query=q.strip(),
        )

    @router.get("/bodies/{id}", response_class=HTMLResponse)
    async def body(request: Request, id: str) -> HTMLResponse:
        return await page(request, "body.html", queries.BODY, "body", shape_body, id=id)

    @router.get("/persons/{id}", response_class=HTMLResponse)
    async def person(request: Request, id: str) -> HTMLResponse:
        return await page(request, "person.html", queries.PERSON, "person", shape_person, id=id)

    @router.get("/agreements/{id}", response_class=HTMLResponse)
    async def agreement(request: Request, id: str) -> HTMLResponse:
        return await page(
            request, "agreement.html", queries.AGREEMENT, "agreement", shape_agreement, id=id
        )

    @router.get("/decisions/{id}", response_class=HTMLResponse)
    async def decision(request: Request, id: str) -> HTMLResponse:
        return await page(request, "decision.html", queries.DECISION, "decision", None, id=id)

    @router.get("/meetings/{id}", response_class=HTMLResponse)
    async def meeting(request: Request, id: str) -> HTMLResponse:
        return await page(request, "meeting.html", queries.MEETING, "meeting", None, id=id)

    @router.get("/projects/{id}", response_class=HTMLResponse)
    async def project(request: Request, id: str) -> HTMLResponse:
        return await page(request, "project.html", queries.PROJECT, "project", None, id=id)

    @router.get("/consultations/{id}", response_class=HTMLResponse)
    async def consultation(request: Request, id: str) -> HTMLResponse:
        return await page(
            request, "consultation.html", queries.CONSULTATION, "consultation", None, id=id
        )

    @router.get("/funds/{id}", response_class=HTMLResponse)
    async def fund(request: Request, id: str) -> HTMLResponse:
        return await page(request, "fund.html", queries.FUND, "fund", shape_fund, id=id)

    @router.get("/audit/{id}", response_class=HTMLResponse)
    async def audit(request: Request, id: str) -> HTMLResponse:
        return await page(request, "audit.html", queries.AUDIT, None, shape_audit, id=id)

    return router


def view_or_default(request: Request) -> View:
    """The request's view, or one without asOf/knownAt when those are what is wrong."""
    try:
        return read_view(request)
    except BadParameter:
        lang = choose_language(
            request.query_params.get("lang"), request.headers.get("accept-language")
        )
        return View(request, lang, date.today(), None, None, None, request.query_params.get("lang"))


# -- shaping answers for the templates ------------------------------------------------------


def shape_start(view: View, data: dict[str, Any]) -> dict[str, Any]:
    groups: dict[str, dict[str, Any]] = {}
    for body in data["bodies"]["nodes"]:
        for owner in body["owners"] or [{"id": "", "name": "", "kind": ""}]:
            group = groups.setdefault(owner["id"], {"owner": owner, "bodies": []})
            group["bodies"].append(body)
    ordered = sorted(groups.values(), key=lambda g: (g["owner"]["id"] == "", g["owner"]["name"]))
    latest = sorted(
        data["decisions"]["nodes"], key=lambda d: (d["decidedOn"], d["item"]), reverse=True
    )[:10]
    by_status: dict[str, list[dict[str, Any]]] = {}
    for agreement in data["byStatus"]["nodes"]:
        by_status.setdefault(agreement["status"], []).append(agreement)
    agreement_groups = [
        {"status": status, "agreements": by_status[status]}
        for status in AGREEMENT_STATUS_ORDER
        if status in by_status
    ]
    return {"groups": ordered, "latest": latest, "agreement_groups": agreement_groups}


# The order the start page lists agreements not in force in: what waits first.
AGREEMENT_STATUS_ORDER = (
    "PENDING_ADOPTION",
    "NOT_YET_IN_FORCE",
    "START_UNKNOWN",
    "EXPIRED",
    "TERMINATED",
)


def memberships_over_time(
    view: View, history: list[dict[str, Any]], keep: Callable[[dict[str, Any]], bool]
) -> list[dict[str, Any]]:
    """Every membership the composition events left (known at knownAt), each as its latest
    version: the rows GraphQL answers for those events."""
    latest: dict[str, dict[str, Any]] = {}
    for event in history:
        if not view.known(event["recordedAt"]):
            continue
        for membership in event["memberships"]:
            if keep(membership):
                latest[membership["id"]] = membership
    return list(latest.values())


def shape_body(view: View, data: dict[str, Any]) -> dict[str, Any]:
    history = [e for e in data["body"]["compositionHistory"] if view.known(e["recordedAt"])]
    memberships = memberships_over_time(view, history, lambda _m: True)
    timeline = pictures.membership_timeline(memberships, history, view.as_of)
    seats = data["body"]["seats"]
    groups = [
        {
            **group,
            "seats": [
                s for s in seats if (s["label"], s["role"]) == (group["label"], group["role"])
            ],
        }
        for group in data["body"]["composition"]["groups"]
    ]
    return {"history": history, "timeline": timeline if memberships else None, "groups": groups}


def shape_person(view: View, data: dict[str, Any]) -> dict[str, Any]:
    person = data["person"]
    ids = {person["id"], *person["mergedIds"]}
    events = [e for body in data["histories"] for e in body["compositionHistory"]]
    memberships = memberships_over_time(view, events, lambda m: m["personId"] in ids)
    timeline = pictures.membership_timeline(memberships, [], view.as_of, label="body")
    return {"memberships": memberships, "timeline": timeline if memberships else None}


def shape_agreement(view: View, data: dict[str, Any]) -> dict[str, Any]:
    return {"picture": pictures.agreement_validity(data["agreement"], view.as_of)}


def shape_fund(view: View, data: dict[str, Any]) -> dict[str, Any]:
    return {"bars": pictures.fund_bars(data["fund"])}


def shape_audit(view: View, data: dict[str, Any]) -> dict[str, Any]:
    nodes = data["auditTrail"]["nodes"]
    first = nodes[0] if nodes else None
    return {"events": nodes, "subject": first}
