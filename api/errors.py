"""Every error leaves the API as JSON of one shape: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from monitor.errors import (
    ConflictError,
    DatabaseError,
    InvalidInputError,
    MonitorError,
    NotFoundError,
)

_STATUS_BY_ERROR: dict[type[MonitorError], tuple[int, str]] = {
    NotFoundError: (404, "not_found"),
    ConflictError: (409, "conflict"),
    InvalidInputError: (422, "invalid_input"),
    DatabaseError: (503, "database_unavailable"),
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MonitorError, _monitor_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]


async def _monitor_error(_request: Request, exc: MonitorError) -> JSONResponse:
    status, code = next(
        (v for k, v in _STATUS_BY_ERROR.items() if isinstance(exc, k)), (400, "bad_request")
    )
    return JSONResponse(error_body(code, str(exc)), status_code=status)


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    details = [
        {"loc": [str(p) for p in e.get("loc", ())], "message": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
    return JSONResponse(
        error_body("invalid_request", "the request is not valid", details), status_code=422
    )


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    return JSONResponse(
        error_body(code.get(exc.status_code, "http_error"), str(exc.detail)),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )
