"""The FastAPI application factory: the HTTP API under /api/v1 and the desk at /."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.dashboard import alerts as desk_alerts
from api.dashboard import auth as desk_auth
from api.dashboard import inbox as desk_inbox
from api.dashboard import sources as desk_sources
from api.dashboard import threads as desk_threads
from api.dashboard import trends as desk_trends
from api.dashboard.render import STATIC_DIR, render_error
from api.errors import install_error_handlers
from api.routes import (
    alerts,
    catalog,
    exclusions,
    exports,
    health,
    items,
    keys,
    mentions,
    metrics,
    threads,
    trends,
    views,
)
from api.security import SecurityHeaders
from monitor.config import Settings
from monitor.runtime import Runtime, open_runtime

DESCRIPTION = """Brand mentions collected from feeds, blogs, forums and comment threads.

Authenticate with `Authorization: Bearer <key>` (`monitor apikey create`). Scopes nest:
`read` lists, `write` triages (`PATCH`, bulk, mute), `admin` also manages brands, sources
and keys. Errors always have the shape `{"error": {"code", "message", "details"}}`.
"""


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    """The API and the desk for ``settings``; pass ``runtime`` to share an open database."""
    owned = runtime is None
    active = runtime or open_runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            active.dispose()

    app = FastAPI(title="brand-monitor", version="0.1.0", description=DESCRIPTION,
                  lifespan=lifespan)
    app.state.runtime = active
    app.state.settings = settings
    install_error_handlers(app, render_error)
    app.add_exception_handler(desk_auth.LoginRequired, desk_auth.login_redirect)
    for router in (health.router, metrics.router, exports.router, mentions.router, items.router,
                   threads.router, exclusions.router,
                   alerts.router, trends.router, catalog.router, views.router, keys.router):
        app.include_router(router)
    for router in (desk_auth.router, desk_inbox.router, desk_alerts.router, desk_trends.router,
                   desk_sources.router, desk_threads.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders)
    return app
