"""The FastAPI application: GraphQL (and GraphiQL in a browser) at /graphql, POST /import,
health at /livez and /readyz (/healthz is /readyz), Prometheus metrics at /metrics
(api/observability.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.answers import CachedAnswers
from api.cache import AnswerCache
from api.consistency import MinimumPosition, wait_seconds_from_environment
from api.errors import log_client_errors_on_one_line
from api.exports.routes import router as exports_router
from api.importing import router as import_router
from api.ledger_http import router as ledger_router
from api.limits import introspection_from_environment, without_introspection
from api.observability import (
    EVENT_WRITES,
    STORE_COLLECTOR,
    RequestObserver,
    readiness,
    time_root_resolvers,
)
from api.pages import OfflineGraphiQLRouter, include_pages
from api.reader import Reader
from api.schema import schema
from projections.generations import ReadSide
from projections.runner import ProjectionRunner
from registry.application import Registry
from registry.config import (
    StoreSettings,
    read_settings_from_environment,
    readiness_limits_from_environment,
    settings_from_environment,
)


def create_app(
    settings: StoreSettings | None = None,
    run_projections: bool = True,
    introspection: bool | None = None,
    answer_cache: bool = True,
    ready_max_lag: int | None = None,
    ready_heartbeat_age: int | None = None,
    resolver_timing: bool = True,
    read_settings: StoreSettings | None = None,
) -> FastAPI:
    """Build the app. With `run_projections` the projection runner runs in this process
    (the embedded default); without, another process (`registry project`) keeps the read
    models current and this one only reads. `introspection` (default: the environment's
    REGISTRY_GRAPHQL_INTROSPECTION, else on) lets clients ask for the schema. `answer_cache`
    answers a repeated query from memory while no new event has been projected
    (api/cache.py). `/readyz` answers 503 when the read models are more than
    `ready_max_lag` events behind or no runner's heartbeat is younger than
    `ready_heartbeat_age` seconds (defaults: REGISTRY_READY_MAX_LAG,
    REGISTRY_READY_HEARTBEAT_AGE; see docs/configuration.md). `resolver_timing` times root
    resolvers for /metrics (once on, it stays on for the process: the resolvers are shared).
    Queries read from `read_settings` (default: REGISTRY_READ_DATABASE, a streaming replica;
    else the primary), always the current generation of the read models
    (projections/generations.py)."""
    settings = settings or settings_from_environment()
    if introspection is None:
        introspection = introspection_from_environment()
    if ready_max_lag is None or ready_heartbeat_age is None:
        lag, age = readiness_limits_from_environment()
        ready_max_lag = lag if ready_max_lag is None else ready_max_lag
        ready_heartbeat_age = age if ready_heartbeat_age is None else ready_heartbeat_age
    registry = Registry(settings)
    runner = ProjectionRunner(registry)
    reads = ReadSide(runner, read_settings or read_settings_from_environment())
    registry.on_recorded(lambda _position: EVENT_WRITES.inc())

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
        # (strawberry adds "request" to it: identities and Idempotency-Key are read there.)
        return {"runner": reads, "registry": registry, "reader": Reader(reads)}

    app = FastAPI(
        title="Decision and mandate registry", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.registry = registry
    app.state.runner = runner
    app.state.read_side = reads
    cache = AnswerCache() if answer_cache else None
    app.state.answer_cache = cache
    if cache is not None:
        registry.on_recorded(lambda _position: cache.clear())
        # Innermost: inside the request log and metrics, after X-Registry-Min-Position.
        app.add_middleware(CachedAnswers, cache=cache, read_side=reads, registry=registry)
    app.add_middleware(  # X-Registry-Min-Position
        MinimumPosition, read_side=reads, timeout=wait_seconds_from_environment()
    )
    log_client_errors_on_one_line()
    graphql_schema = schema if introspection else without_introspection(schema)
    if resolver_timing:
        time_root_resolvers(graphql_schema)  # root fields' times for /metrics
    app.include_router(
        OfflineGraphiQLRouter(graphql_schema, context_getter=context),
        prefix="/graphql",
    )
    app.include_router(import_router)
    app.include_router(ledger_router)
    app.add_middleware(RequestObserver)
    STORE_COLLECTOR.watch(app.state)
    app.include_router(exports_router)
    include_pages(app, graphql_schema, context)  # web pages, /docs, /static (api/pages/)

    @app.get("/livez")
    def livez() -> JSONResponse:
        """200 while the process serves requests."""
        return JSONResponse({"status": "live"})

    async def ready() -> JSONResponse:
        """200 when the store answers, a projection runner is alive (here or in another
        process, by its heartbeat in the store) and the read models are at most the
        configured lag behind; else 503 with the reason. Nothing about where the store is."""
        reason = await run_in_threadpool(
            readiness, registry, runner, run_projections, ready_max_lag, ready_heartbeat_age
        )
        if reason is not None:
            return JSONResponse({"status": "not ready", "reason": reason}, status_code=503)
        return JSONResponse({"status": "ready"})

    app.add_api_route("/readyz", ready, methods=["GET"])
    # The older name, kept for existing probes (docker-compose.yml uses /readyz).
    app.add_api_route("/healthz", ready, methods=["GET"], include_in_schema=False)

    @app.get("/metrics")
    def metrics() -> Response:
        """Prometheus text exposition (api/observability.py lists the families)."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
