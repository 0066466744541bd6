"""Web pages for officials and auditors (server-rendered, Swedish with English), GraphiQL and
Swagger UI served with their assets from this package, so everything works offline.

The pages read through the GraphQL schema in-process with the app's own context: a page shows
what /graphql answers for the same ids. `include_pages(app, schema, context)` mounts them."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.observability import ObservedGraphQLRouter
from api.pages.routes import ContextGetter, create_router, environment, view_or_default
from api.pages.text import translator

STATIC = resources.files("api.pages") / "static"


class OfflineGraphiQLRouter(ObservedGraphQLRouter):
    """The GraphQL router whose GraphiQL page loads React and GraphiQL from /static/vendor/
    instead of a CDN."""

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        view = view_or_default(request)
        page = environment.get_template("graphiql.html").render(
            view=view, t=translator(view.lang), lang=view.lang
        )
        return HTMLResponse(page)


def include_pages(app: FastAPI, schema: Any, context: ContextGetter) -> None:
    """Mount the pages, their static files and the offline Swagger UI at /docs (create the app
    with docs_url=None and redoc_url=None, whose defaults load from a CDN)."""
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(create_router(schema, context))

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI for the OpenAPI description, from the package's vendored files."""
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )
