"""Every error leaves the API as JSON of one shape: {"error": {"code", "message", "details"}}.

Pages of the dashboard, asked for by a browser, get the same message as an HTML page instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.security import header_pairs
from api.throttle import Throttled, retry_seconds
from monitor.errors import (
    ConflictError,
    DatabaseError,
    InvalidInputError,
    MonitorError,
    NotFoundError,
)

HtmlPage = Callable[[Request, int, str], Response]
MACHINE_PATHS = ("/api/", "/healthz", "/metrics", "/openapi.json", "/docs", "/redoc", "/static/")
_STATUS_BY_ERROR: dict[type[MonitorError], tuple[int, str]] = {
    NotFoundError: (404, "not_found"),
    ConflictError: (409, "conflict"),
    InvalidInputError: (422, "invalid_input"),
    DatabaseError: (503, "database_unavailable"),
}
RETRY_AFTER = {"Retry-After": "5"}  # seconds; a busy or stalled database is worth a retry
log = logging.getLogger(__name__)
_HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed"}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def install_error_handlers(app: FastAPI, html_page: HtmlPage | None = None) -> None:
    app.state.html_error_page = html_page
    app.add_exception_handler(MonitorError, _monitor_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(OverflowError, _unstorable)
    app.add_exception_handler(OperationalError, _database_down)
    app.add_exception_handler(PoolTimeout, _database_busy)
    app.add_exception_handler(Throttled, _throttled)
    app.add_exception_handler(Exception, _unexpected)


def _html_page(request: Request) -> HtmlPage | None:
    page: HtmlPage | None = getattr(request.app.state, "html_error_page", None)
    if page is None or request.url.path.startswith(MACHINE_PATHS):
        return None
    return page if "text/html" in request.headers.get("accept", "") else None


def _respond(request: Request, status: int, code: str, message: str, details: Any = None,
             headers: dict[str, str] | None = None) -> Response:
    page = _html_page(request)
    if page is not None:
        response = page(request, status, message)
        response.headers.update(headers or {})
        return response
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


async def _monitor_error(request: Request, exc: MonitorError) -> Response:
    status, code = next(
        (v for k, v in _STATUS_BY_ERROR.items() if isinstance(exc, k)), (400, "bad_request")
    )
    return _respond(request, status, code, str(exc),
                    headers=RETRY_AFTER if status == 503 else None)


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    details = [
        {"loc": [str(p) for p in e.get("loc", ())], "message": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
    message = "the request is not valid"
    if _html_page(request) is not None and details:
        message = "; ".join(f"{d['loc'][-1]}: {d['message']}" for d in details[:3])
    return _respond(request, 422, "invalid_request", message, details)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    return _respond(request, exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error"),
                    str(exc.detail), headers=getattr(exc, "headers", None))


async def _unstorable(request: Request, exc: Exception) -> Response:
    # NUL characters, dates past year 9999, numbers beyond a column: the input, not the server.
    return _respond(request, 422, "invalid_input",
                    "a value in the request cannot be stored or compared (out of range or "
                    "holding characters such as NUL)")


async def _database_down(request: Request, exc: Exception) -> Response:
    log.warning("database error", exc_info=exc)
    return _respond(request, 503, "database_unavailable", "the database is not answering",
                    headers=RETRY_AFTER)


async def _database_busy(request: Request, exc: Exception) -> Response:
    log.warning("no database connection free", extra={"path": request.url.path})
    return _respond(request, 503, "database_busy",
                    "the database is busy: try again in a few seconds", headers=RETRY_AFTER)


async def _throttled(request: Request, exc: Exception) -> Response:
    wait = exc.retry_after if isinstance(exc, Throttled) else None
    seconds = retry_seconds(wait) if wait is not None else 60
    return _respond(request, 429, "too_many_attempts", str(exc),
                    headers={"Retry-After": str(seconds)})


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unexpected error", extra={"path": request.url.path}, exc_info=exc)
    response = _respond(request, 500, "internal_error", "something went wrong on our side")
    # This handler answers from outside the middleware: it adds the security headers itself.
    for name, value in header_pairs(request.url.path):
        response.headers[name.decode()] = value.decode()
    return response
