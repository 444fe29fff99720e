"""Request dependencies: one unit of work per request, and who is asking with which scopes.

A caller is known by an API key (``Authorization: Bearer``) or by the dashboard's session
cookie. Scopes nest: ``admin`` includes ``write``, which includes ``read``. A change made with
the session cookie must carry the session's CSRF token in ``X-CSRF-Token``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from monitor.config import Settings
from monitor.db.engine import unit_of_work
from monitor.db.models import ApiKey
from monitor.db.repositories import ApiKeyRepository
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


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Iterator[Session]:
    with unit_of_work(runtime.sessions) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a write that fails to
# commit is an error to the client, never a 200 for something not saved.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def _unauthorized() -> HTTPException:
    return HTTPException(
        status_code=401, detail="a valid API key is required: Authorization: Bearer <key>",
        headers={"WWW-Authenticate": "Bearer"},
    )


def key_principal(session: Session, key: str) -> Principal | None:
    row = ApiKeyRepository(session).find_valid(key)
    if row is None:
        return None
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        ApiKeyRepository(session).touch(row, now)
    return _from_key(row, "key")


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


def authenticate(
    request: Request,
    session: SessionDep,
    settings: Annotated[Settings, Depends(get_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    if credentials is not None:
        principal = key_principal(session, credentials.credentials)
        if principal is None or credentials.scheme.lower() != "bearer":
            raise _unauthorized()
        return principal
    if request.headers.get("authorization"):
        raise _unauthorized()
    token = request.cookies.get(SESSION_COOKIE)
    principal = session_principal(session, token, settings) if token else None
    if principal is None:
        raise _unauthorized()
    if request.method not in SAFE_METHODS and not _csrf_ok(request, principal):
        raise HTTPException(status_code=403, detail=f"missing or wrong {CSRF_HEADER} header")
    return principal


def _csrf_ok(request: Request, principal: Principal) -> bool:
    sent = request.headers.get(CSRF_HEADER, "")
    return bool(principal.csrf_token) and hmac.compare_digest(
        sent.encode(), (principal.csrf_token or "").encode())


def require(scope: Scope) -> Callable[[Principal], Principal]:
    def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not principal.can(scope):
            raise HTTPException(status_code=403, detail=f"this needs the {scope!r} scope")
        return principal

    return check


ReadDep = Annotated[Principal, Depends(require("read"))]
WriteDep = Annotated[Principal, Depends(require("write"))]
AdminDep = Annotated[Principal, Depends(require("admin"))]
KeyDep = ReadDep
