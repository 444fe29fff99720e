"""Request bodies cost nothing until the caller is known, and never more than a small cap.

A request that carries a body is refused before any of it is read when it names no valid API key
or dashboard session (401), or announces more than ``max_bytes`` (413). Otherwise the body is
received here, counted as it arrives (413 as soon as it passes the cap) and within
``read_timeout`` (408), and only then handed to the application, which parses it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body
from api.throttle import Throttled, retry_seconds

# Bodies anyone may send: the login form (it has its own throttle).
PUBLIC_BODY_PATHS = frozenset({"/login"})
API_PATHS = ("/api/", "/metrics")
Identify = Callable[[Scope], Awaitable[bool]]


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    pass


class BodyGuard:
    """Pure ASGI middleware: authentication, then a capped and timed read, then the app."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, read_timeout: float,
                 identify: Identify) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout = read_timeout
        self.identify = identify

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        refusal = await self._refusal(scope)
        if refusal is not None:
            await refusal(scope, _no_body, send)
            return
        try:
            body = await asyncio.wait_for(self._read(receive), timeout=self.read_timeout)
        except TimeoutError:
            await _refuse(408, "request_timeout", "the request body arrived too slowly")(
                scope, _no_body, send)
            return
        except BodyTooLarge:
            await self._too_large()(scope, _no_body, send)
            return
        except ClientGone:
            return  # nobody is waiting for an answer
        await self.app(scope, _replay(body, receive), send)

    async def _refusal(self, scope: Scope) -> Response | None:
        length = _content_length(scope)
        if length is not None and length > self.max_bytes:
            return self._too_large()
        try:
            if scope.get("path") in PUBLIC_BODY_PATHS or await self.identify(scope):
                return None
        except Throttled as exc:
            return _refuse(429, "too_many_attempts", str(exc),
                           {"Retry-After": str(retry_seconds(exc.retry_after))})
        if not str(scope.get("path", "")).startswith(API_PATHS):
            # A dashboard form sent after its login expired: back to the login page.
            return RedirectResponse("/login", status_code=303, headers={"Connection": "close"})
        return _refuse(401, "unauthorized",
                       "a valid API key is required: Authorization: Bearer <key>",
                       {"WWW-Authenticate": "Bearer"})

    def _too_large(self) -> JSONResponse:
        return _refuse(413, "payload_too_large",
                       f"the request body is larger than {self.max_bytes} bytes")

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _has_body(scope: Scope) -> bool:
    headers = dict(scope.get("headers", []))
    if b"transfer-encoding" in headers:
        return True
    return (_content_length(scope) or 0) > 0 or (
        b"content-length" not in headers and scope.get("method") in ("POST", "PUT", "PATCH"))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # the disconnect, when the client goes away
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


def _refuse(status: int, code: str, message: str,
            headers: dict[str, str] | None = None) -> JSONResponse:
    # Connection: close, since the unread body would otherwise be taken for the next request.
    return JSONResponse(error_body(code, message), status_code=status,
                        headers={"Connection": "close", **(headers or {})})
