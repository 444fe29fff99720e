"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.routes import catalog, health, mentions
from monitor.config import Settings
from monitor.runtime import Runtime, open_runtime


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    """The API for ``settings``; pass ``runtime`` to share an already open database."""
    owned = runtime is None
    active = runtime or open_runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            active.dispose()

    app = FastAPI(
        title="brand-monitor",
        version="0.1.0",
        description="Brand mentions collected from feeds, blogs, forums and comment threads.",
        lifespan=lifespan,
    )
    app.state.runtime = active
    install_error_handlers(app)
    for router in (health.router, mentions.router, catalog.router):
        app.include_router(router)
    return app
