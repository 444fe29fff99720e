"""Run the API with uvicorn, alone or beside the scheduler, in the current event loop."""

from __future__ import annotations

import uvicorn

from collectors.parsing import close_default_pool
from monitor.runtime import Runtime
from monitor.scheduler import build_scheduler


def _server(runtime: Runtime, host: str | None, port: int | None) -> uvicorn.Server:
    from api.app import create_app

    settings = runtime.settings
    config = uvicorn.Config(
        create_app(settings, runtime), host=host or settings.api.host,
        port=port or settings.api.port, log_level="warning", access_log=False,
    )
    return uvicorn.Server(config)


async def serve_api(runtime: Runtime, *, host: str | None, port: int | None) -> None:
    try:
        await _server(runtime, host, port).serve()
    finally:
        close_default_pool()
        runtime.dispose()


async def serve_api_with_scheduler(
    runtime: Runtime, *, host: str | None, port: int | None
) -> None:
    runtime.keep_claims_alive()
    scheduler = build_scheduler(runtime)
    scheduler.start()
    try:
        await _server(runtime, host, port).serve()
    finally:
        scheduler.shutdown(wait=False)
        close_default_pool()
        runtime.dispose()
