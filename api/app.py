"""The FastAPI application: GraphQL (and GraphiQL in a browser) at /graphql, /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from strawberry.fastapi import GraphQLRouter

from api.reader import Reader
from api.schema import schema
from projections.runner import ProjectionRunner
from registry.application import Registry
from registry.config import StoreSettings, settings_from_environment


def create_app(settings: StoreSettings | None = None, run_projections: bool = True) -> FastAPI:
    """Build the app. With `run_projections` the projection runner runs in this process
    (the embedded default); without, another process (`registry project`) keeps the read
    models current and this one only reads."""
    settings = settings or settings_from_environment()
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
    app.include_router(GraphQLRouter(schema, context_getter=context), prefix="/graphql")

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {
            "status": "ok",
            "store": settings.describe(),
            "events": registry.max_position(),
            "projected": runner.position(),
        }

    return app
