"""The FastAPI application: GraphQL (and GraphiQL in a browser) at /graphql, /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from api.cache import AnswerCache
from api.consistency import MinimumPosition, wait_seconds_from_environment
from api.http import GraphQLHTTPRouter
from api.importing import router as import_router
from api.ledger_http import router as ledger_router
from api.limits import introspection_from_environment, without_introspection
from api.reader import Reader
from api.schema import schema
from projections.generations import ReadSide
from projections.runner import ProjectionRunner
from registry.application import Registry
from registry.config import StoreSettings, read_settings_from_environment, settings_from_environment


def create_app(
    settings: StoreSettings | None = None,
    run_projections: bool = True,
    introspection: bool | None = None,
    answer_cache: bool = True,
    read_settings: StoreSettings | None = None,
) -> FastAPI:
    """Build the app. With `run_projections` the projection runner runs in this process
    (the embedded default); without, another process (`registry project`) keeps the read
    models current and this one only reads. `introspection` (default: the environment's
    REGISTRY_GRAPHQL_INTROSPECTION, else on) lets clients ask for the schema. `answer_cache`
    answers a repeated query from memory while no new event has been projected
    (api/cache.py). Queries read from `read_settings` (default: REGISTRY_READ_DATABASE, a
    streaming replica; else the primary), always the current generation of the read models
    (projections/generations.py)."""
    settings = settings or settings_from_environment()
    if introspection is None:
        introspection = introspection_from_environment()
    registry = Registry(settings)
    runner = ProjectionRunner(registry)
    reads = ReadSide(runner, read_settings or read_settings_from_environment())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_projections:
            runner.start()
        try:
            yield
        finally:
            runner.close()
            reads.close()
            registry.close()

    async def context() -> dict[str, Any]:
        # Readers see the read side as "runner": its views and position are what they read.
        return {"runner": reads, "registry": registry, "reader": Reader(reads)}

    app = FastAPI(title="Decision and mandate registry", lifespan=lifespan)
    app.state.registry = registry
    app.state.runner = runner
    app.state.read_side = reads
    app.add_middleware(  # X-Registry-Min-Position
        MinimumPosition, read_side=reads, timeout=wait_seconds_from_environment()
    )
    graphql_schema = schema if introspection else without_introspection(schema)
    cache = AnswerCache() if answer_cache else None
    app.state.answer_cache = cache
    app.include_router(
        GraphQLHTTPRouter(graphql_schema, context_getter=context, cache=cache), prefix="/graphql"
    )
    app.include_router(import_router)
    app.include_router(ledger_router)

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
