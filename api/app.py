"""The FastAPI application factory: the HTTP API under /api/v1 and the desk at /."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

from api.body_guard import BodyGuard, Identify
from api.dashboard import alerts as desk_alerts
from api.dashboard import auth as desk_auth
from api.dashboard import inbox as desk_inbox
from api.dashboard import sources as desk_sources
from api.dashboard import threads as desk_threads
from api.dashboard import trends as desk_trends
from api.dashboard.render import STATIC_DIR, render_error
from api.deps import SESSION_COOKIE, has_valid_credentials
from api.docs_ui import install_docs
from api.errors import install_error_handlers
from api.gate import DatabaseGate
from api.key_cache import KeyCache
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
from api.throttle import AuthThrottle, SharedStrikes
from monitor.config import Settings
from monitor.domain.throttle import BackoffPolicy
from monitor.runtime import Runtime, open_runtime

SPARE_THREADS = 20
DESCRIPTION = """Brand mentions collected from feeds, blogs, forums and comment threads.

Authenticate with `Authorization: Bearer <key>` (`monitor apikey create`). Scopes nest:
`read` lists, `write` triages (`PATCH`, bulk, mute), `admin` also manages brands, sources
and keys. Errors always have the shape `{"error": {"code", "message", "details"}}`.
"""


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    """The API and the desk for ``settings``; pass ``runtime`` to share an open database."""
    owned = runtime is None
    active = runtime or open_runtime(settings)

    # Requests admitted to the database at once: the connections the pool keeps. Admitting
    # more would use the overflow, whose connections are closed as soon as they are returned;
    # under a steady stream each new Postgres connection (a server process started, the
    # handshake) costs more than the request, and latency fed on itself. Further requests
    # wait at the gate; the overflow stays for work outside requests.
    admitted = active.settings.database.pool_size

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Threads beyond the database's share keep pages that need no database answering.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, admitted + SPARE_THREADS)
        yield
        if owned:
            active.dispose()

    app = FastAPI(title="brand-monitor", version="0.1.0", description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = active
    app.state.settings = settings
    app.state.auth_throttle = build_throttle(settings, active)
    app.state.key_cache = KeyCache()
    install_error_handlers(app, render_error)
    app.add_exception_handler(desk_auth.LoginRequired, desk_auth.login_redirect)
    for router in (health.router, metrics.router, exports.router, mentions.router, items.router,
                   threads.router, exclusions.router,
                   alerts.router, trends.router, catalog.router, views.router, keys.router):
        app.include_router(router)
    for router in (desk_auth.router, desk_inbox.router, desk_alerts.router, desk_trends.router,
                   desk_sources.router, desk_threads.router):
        app.include_router(router)
    install_docs(app)
    app.mount("/static", SafeStaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(BodyGuard, max_bytes=settings.api.max_body_bytes,
                       read_timeout=settings.api.body_timeout.total_seconds(),
                       identify=_identifier(settings, active))
    app.add_middleware(DatabaseGate, capacity=admitted,
                       queue_timeout=settings.database.pool_timeout.total_seconds(),
                       deadline=settings.api.request_timeout.total_seconds())
    app.add_middleware(SecurityHeaders)
    return app


class SafeStaticFiles(StaticFiles):
    """Static files where a path the file system cannot hold (NUL, control characters) is
    simply not found, instead of an error from deep inside the path lookup."""

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        if any(ord(c) < 32 or c == "\x7f" for c in path):
            return "", None
        return super().lookup_path(path)


def build_throttle(settings: Settings, runtime: Runtime) -> AuthThrottle:
    account = BackoffPolicy(free=settings.api.login_attempts, cap=settings.api.login_max_backoff)
    address = BackoffPolicy(free=4 * settings.api.login_attempts,
                            cap=settings.api.login_max_backoff)
    # Failures are recorded whatever the lock's state, in a write of their own; on SQLite one
    # that cannot have the lock at once is skipped (the process's count still holds).
    return AuthThrottle(account, address, SharedStrikes(runtime.optional_writes))


def _identifier(settings: Settings, runtime: Runtime) -> Identify:
    async def identify(scope: Scope) -> bool:
        request = Request(scope)
        return await run_in_threadpool(
            has_valid_credentials, runtime, settings, request.headers.get("authorization"),
            request.cookies.get(SESSION_COOKIE), request)

    return identify
