"""The FastAPI application: GraphQL (and GraphiQL in a browser) at /graphql, /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from api.cache import AnswerCache
from api.exports.routes import router as exports_router
from api.http import GraphQLHTTPRouter
from api.importing import router as import_router
from api.limits import introspection_from_environment, without_introspection
from api.reader import Reader
from api.schema import schema
from projections.runner import ProjectionRunner
from registry.application import Registry
from registry.config import StoreSettings, settings_from_environment


def create_app(
    settings: StoreSettings | None = None,
    run_projections: bool = True,
    introspection: bool | None = None,
    answer_cache: bool = True,
) -> FastAPI:
    """Build the app. With `run_projections` the projection runner runs in this process
    (the embedded default); without, another process (`registry project`) keeps the read
    models current and this one only reads. `introspection` (default: the environment's
    REGISTRY_GRAPHQL_INTROSPECTION, else on) lets clients ask for the schema. `answer_cache`
    answers a repeated query from memory while no new event has been projected
    (api/cache.py)."""
    settings = settings or settings_from_environment()
    if introspection is None:
        introspection = introspection_from_environment()
    registry = Registry(settings)
    runner = ProjectionRunner(registry)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_projections:
            runner.start()
        try:
            yield
        finally:
            runner.close()
            registry.close()

    async def context() -> dict[str, Any]:
        return {"runner": runner, "registry": registry, "reader": Reader(runner)}

    app = FastAPI(title="Decision and mandate registry", lifespan=lifespan)
    app.state.registry = registry
    app.state.runner = runner
    graphql_schema = schema if introspection else without_introspection(schema)
    cache = AnswerCache() if answer_cache else None
    app.state.answer_cache = cache
    app.include_router(
        GraphQLHTTPRouter(graphql_schema, context_getter=context, cache=cache), prefix="/graphql"
    )
    app.include_router(import_router)
    app.include_router(exports_router)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        """200 while the read models can keep up; 503 when this process's projection runner
        has stopped on an error (reads would go stale), with the error's type."""
        failed = runner.error
        body = {
            "status": "projection runner stopped" if failed else "ok",
            "store": settings.describe(),
            "events": registry.max_position(),
            "projected": runner.position(),
            "answer_cache": {"hits": cache.hits, "misses": cache.misses} if cache else None,
        }
        if failed is not None:
            body["error"] = type(failed).__name__
        return JSONResponse(body, status_code=503 if failed else 200)

    return app
