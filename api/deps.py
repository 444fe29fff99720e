"""Request dependencies: one unit of work per request, and who is asking with which scopes.

A caller is known by an API key (``Authorization: Bearer``) or by the dashboard's session
cookie. Scopes nest: ``admin`` includes ``write``, which includes ``read``. A change made with
the session cookie must carry the session's CSRF token in ``X-CSRF-Token``.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

import anyio
from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from api.key_cache import KeyCache
from api.throttle import AuthThrottle
from monitor.config import Settings
from monitor.db.engine import unit_of_work
from monitor.db.models import ApiKey
from monitor.db.repositories import ApiKeyRepository
from monitor.db.repositories.api_keys import hash_key
from monitor.db.repositories.users import DeskUserRepository
from monitor.runtime import Runtime

Scope = Literal["read", "write", "admin"]
SESSION_COOKIE = "bm_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOUCH_EVERY = timedelta(minutes=10)  # last-use time is coarse: no write on every request
_IMPLIED: dict[str, tuple[str, ...]] = {
    "admin": ("admin", "write", "read"), "write": ("write", "read"), "read": ("read",),
}
log = logging.getLogger(__name__)
bearer_scheme = HTTPBearer(auto_error=False, description="An API key from `monitor apikey create`.")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: ``key:<id>`` or ``user:<name>``, with the scopes they hold."""

    id: str
    display_name: str
    scopes: frozenset[str]
    via: Literal["key", "session"]
    csrf_token: str | None = None

    def can(self, scope: Scope) -> bool:
        return scope in self.scopes


def expand_scopes(scopes: list[str]) -> frozenset[str]:
    return frozenset(s for scope in scopes for s in _IMPLIED.get(scope, ()))


# The cheap dependencies are coroutines: FastAPI runs a plain function in the thread pool, and
# each such hand-off costs more CPU than these functions themselves.
async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def settings_dependency(request: Request) -> Settings:
    return get_settings(request)


SettingsDep = Annotated[Settings, Depends(settings_dependency)]


async def get_session(request: Request, runtime: Annotated[Runtime, Depends(get_runtime)]
                      ) -> AsyncIterator[Session]:
    """The request's unit of work: reading only for GET and HEAD, so that on SQLite they never
    take or wait for the write lock; a change takes the lock at its first statement."""
    factory = runtime.reads if request.method in SAFE_METHODS else runtime.sessions
    async with request_unit(factory) as session:
        yield session


async def get_write_session(runtime: Annotated[Runtime, Depends(get_runtime)]
                            ) -> AsyncIterator[Session]:
    async with request_unit(runtime.sessions) as session:
        yield session


@asynccontextmanager
async def request_unit(factory: sessionmaker[Session]) -> AsyncIterator[Session]:
    """One transaction for a request. Opening the session touches no database (it connects at
    its first statement, in the endpoint's thread); its end does, in one trip to the thread
    pool, shielded so that a client that went away still gets its connection returned."""
    session = factory()
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_abandon, session)
        raise
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(_finish, session)


def _finish(session: Session) -> None:
    """Commit and close; a failed commit is rolled back and raised to the client."""
    with session:
        try:
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _abandon(session: Session) -> None:
    with session:
        session.rollback()


# scope="function": the commit happens before the response is sent, so a write that fails to
# commit is an error to the client, never a 200 for something not saved.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def _unauthorized() -> HTTPException:
    return HTTPException(
        status_code=401, detail="a valid API key is required: Authorization: Bearer <key>",
        headers={"WWW-Authenticate": "Bearer"},
    )


def key_principal(session: Session, key: str, runtime: Runtime | None = None,
                  cache: KeyCache | None = None) -> Principal | None:
    """The principal of an API key; with ``runtime``, its last-use time is kept (coarsely);
    with ``cache``, a valid key is remembered there."""
    row = ApiKeyRepository(session).find_valid(key)
    if row is None:
        return None
    last_used = row.last_used_at
    if cache is not None:
        cache.put(hash_key(key), row.id, row.name, list(row.scopes), last_used)
    if runtime is not None:
        _touch_if_due(runtime, cache, hash_key(key), row.id, last_used)
    return _from_key(row, "key")


def _touch_if_due(runtime: Runtime, cache: KeyCache | None, digest: str, key_id: int,
                  last_used: datetime | None) -> None:
    now = datetime.now(UTC)
    if _touch_due(last_used, now):
        touch_key(runtime, key_id, now)
        if cache is not None:
            cache.touched(digest, now)


def _touch_due(last_used: datetime | None, now: datetime | None = None) -> bool:
    return last_used is None or (now or datetime.now(UTC)) - last_used > TOUCH_EVERY


def touch_key(runtime: Runtime, key_id: int, now: datetime) -> None:
    """Record a key's use when the database can take it at once; a busy database skips it
    rather than holding a read request behind a writer."""
    try:
        with unit_of_work(runtime.optional_writes) as session:
            ApiKeyRepository(session).touch_by_id(key_id, now)
    except (OperationalError, PoolTimeout):
        log.info("key use not recorded: the database is busy", extra={"key_id": key_id})


def _from_key(row: ApiKey, via: Literal["key", "session"], csrf: str | None = None
              ) -> Principal:
    return Principal(f"key:{row.id}", row.name, expand_scopes(list(row.scopes)), via, csrf)


def session_principal(session: Session, token: str, settings: Settings | None = None
                      ) -> Principal | None:
    """The principal of a dashboard session cookie; None when expired, when its key is revoked,
    or when its configured user is gone; a user's scopes are capped by the config's today."""
    row = DeskUserRepository(session).find_session(token, datetime.now(UTC))
    if row is None:
        return None
    if row.api_key_id is not None:
        key = session.get(ApiKey, row.api_key_id)
        if key is None or key.revoked_at is not None:
            return None
        return _from_key(key, "session", row.csrf_token)
    name = row.principal.removeprefix("user:")
    scopes = expand_scopes(list(row.scopes))
    if settings is not None:
        user = next((u for u in settings.api.users if u.name == name), None)
        if user is None:
            return None
        scopes &= expand_scopes(list(user.scopes))
    return Principal(row.principal, name, scopes, "session", row.csrf_token)


async def authenticate(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """Who is asking. A key validated lately is answered from memory, on the event loop; only
    a lookup or a due last-use write goes to the thread pool."""
    principal = None
    if credentials is not None:
        check_key_attempt(request)
        principal = await _remembered_key(runtime, key_cache(request), credentials.credentials)
    if principal is None:
        principal = await run_in_threadpool(_looked_up, request, runtime, settings, credentials)
    if principal is None:
        raise _unauthorized()
    if principal.via == "session" and request.method not in SAFE_METHODS \
            and not _csrf_ok(request, principal):
        raise HTTPException(status_code=403, detail=f"missing or wrong {CSRF_HEADER} header")
    return principal


async def _remembered_key(runtime: Runtime, cache: KeyCache, key: str) -> Principal | None:
    entry = cache.get(hash_key(key))
    if entry is None:
        return None
    if _touch_due(entry.last_used_at):
        await run_in_threadpool(_touch_if_due, runtime, cache, hash_key(key), entry.id,
                                entry.last_used_at)
    return Principal(f"key:{entry.id}", entry.name, expand_scopes(list(entry.scopes)), "key")


def _looked_up(request: Request, runtime: Runtime, settings: Settings,
               credentials: HTTPAuthorizationCredentials | None) -> Principal | None:
    # Its own short read: the request's unit of work, and any write lock, starts after it.
    with unit_of_work(runtime.reads) as session:
        return _identify(request, session, runtime, settings, credentials)


def _identify(request: Request, session: Session, runtime: Runtime, settings: Settings,
              credentials: HTTPAuthorizationCredentials | None) -> Principal | None:
    if credentials is not None:
        check_key_attempt(request)
        found = key_principal(session, credentials.credentials, runtime, key_cache(request))
        return found if found is not None or _key_failed(request) else None
    if request.headers.get("authorization"):
        return None
    token = request.cookies.get(SESSION_COOKIE)
    return session_principal(session, token, settings) if token else None


def has_valid_credentials(runtime: Runtime, settings: Settings, authorization: str | None,
                          cookie: str | None, request: Request) -> bool:
    """Whether a request names a valid key or session, looked at before its body is read; a
    database error is left for the request itself to meet (and answer 503)."""
    scheme, _, key = (authorization or "").partition(" ")
    bearer = scheme.lower() == "bearer"
    if authorization:
        check_key_attempt(request)
        if bearer and key_cache(request).get(hash_key(key.strip())) is not None:
            return True
    try:
        with unit_of_work(runtime.reads) as session:
            if authorization:
                valid = bearer and key_principal(session, key.strip(), None,
                                                 key_cache(request)) is not None
                return valid or _key_failed(request)
            return bool(cookie) and session_principal(session, cookie or "", settings) is not None
    except (OperationalError, PoolTimeout):
        return True


def key_cache(request: Request) -> KeyCache:
    cache: KeyCache = request.app.state.key_cache
    return cache


def _address(request: Request) -> str:
    return f"address:{request.client.host if request.client else 'unknown'}"


def check_key_attempt(request: Request) -> None:
    """Raise Throttled when this client address has failed too often of late."""
    throttle: AuthThrottle = request.app.state.auth_throttle
    throttle.check([_address(request)], datetime.now(UTC))


def _key_failed(request: Request) -> bool:
    throttle: AuthThrottle = request.app.state.auth_throttle
    throttle.fail([_address(request)], datetime.now(UTC), "API key",
                  client=_address(request).removeprefix("address:"), path=request.url.path)
    return False


def _csrf_ok(request: Request, principal: Principal) -> bool:
    sent = request.headers.get(CSRF_HEADER, "")
    return bool(principal.csrf_token) and hmac.compare_digest(
        sent.encode(), (principal.csrf_token or "").encode())


def require(scope: Scope) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not principal.can(scope):
            raise HTTPException(status_code=403, detail=f"this needs the {scope!r} scope")
        return principal

    return check


ReadDep = Annotated[Principal, Depends(require("read"))]
WriteDep = Annotated[Principal, Depends(require("write"))]
AdminDep = Annotated[Principal, Depends(require("admin"))]
KeyDep = ReadDep
