"""Request dependencies: one unit of work per request, and the API key check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from monitor.db.engine import unit_of_work
from monitor.db.models import ApiKey
from monitor.db.repositories import ApiKeyRepository
from monitor.runtime import Runtime

TOUCH_EVERY = timedelta(minutes=10)  # last-use time is coarse: no write on every request
_bearer = HTTPBearer(auto_error=False, description="An API key from `monitor apikey create`.")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_session(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Iterator[Session]:
    with unit_of_work(runtime.sessions) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def require_key(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiKey:
    unauthorized = HTTPException(
        status_code=401, detail="a valid API key is required: Authorization: Bearer <key>",
        headers={"WWW-Authenticate": "Bearer"},
    )
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized
    key = ApiKeyRepository(session).find_valid(credentials.credentials)
    if key is None:
        raise unauthorized
    now = datetime.now(UTC)
    if key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY:
        ApiKeyRepository(session).touch(key, now)
    return key


KeyDep = Annotated[ApiKey, Depends(require_key)]
