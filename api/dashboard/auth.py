"""Logging in to the desk with an API key or a configured user; the session cookie; CSRF.

The session cookie is HttpOnly, SameSite=Lax and Secure when the desk is served over HTTPS.
Forms carry the session's synchronizer token; the login form, before any session exists,
carries a token that must equal a short-lived SameSite=Strict cookie.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime
from functools import cache
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from api.dashboard.render import render_page
from api.deps import (
    SESSION_COOKIE,
    Principal,
    SessionDep,
    get_settings,
    session_principal,
)
from api.throttle import AuthThrottle, Throttled, retry_seconds
from monitor.config import ApiUserSettings, Settings
from monitor.db.repositories import ApiKeyRepository
from monitor.db.repositories.users import DeskUserRepository, hash_password, verify_password

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "bm_login_csrf"


@cache
def _decoy_hash() -> str:
    """Checked when the user name is unknown, so a wrong name costs as long as a wrong
    password and does not reveal which names exist."""
    return hash_password(secrets.token_urlsafe(16))


class LoginRequired(Exception):
    """The page needs a logged-in person; carries where to come back to."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


async def login_redirect(_request: Request, exc: Exception) -> Response:
    back_to = exc.back_to if isinstance(exc, LoginRequired) else "/"
    return RedirectResponse(f"/login?next={quote(back_to, safe='')}", status_code=303)


def desk_principal(request: Request, session: SessionDep) -> Principal:
    token = request.cookies.get(SESSION_COOKIE)
    principal = session_principal(session, token, get_settings(request)) if token else None
    if principal is None:
        back_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(back_to)
    return principal


DeskDep = Annotated[Principal, Depends(desk_principal)]


def check_csrf(principal: Principal, token: str) -> None:
    expected = principal.csrf_token or ""
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(status_code=403, detail="this form has expired: reload the page")


def local_path(target: str | None) -> str:
    """``target`` when it is a path on this site, else ``/`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _is_https(request: Request) -> bool:
    public_url = get_settings(request).api.public_url
    return request.url.scheme == "https" or public_url.startswith("https:")


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return _login_form(request, next, error=None)


def _login_form(request: Request, back_to: str, error: str | None, status: int = 401
                ) -> Response:
    token = secrets.token_urlsafe(24)
    response = render_page(request, "login.html", None, status_code=status if error else 200,
                           back_to=local_path(back_to), error=error, login_token=token)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True,
                        secure=_is_https(request), samesite="strict", path="/login")
    return response


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    login_token: Annotated[str, Form(max_length=100)] = "",
    api_key: Annotated[str, Form(max_length=200)] = "",
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), login_token.encode()):
        return _login_form(request, next, "The form expired. Please try again.")
    settings = get_settings(request)
    throttle: AuthThrottle = request.app.state.auth_throttle
    subjects = _login_subjects(request, api_key.strip(), username.strip())
    try:
        throttle.check(subjects, datetime.now(UTC), read_shared=True)
    except Throttled as exc:
        return _throttled_form(request, next, exc)
    opened = _open_session(session, settings, api_key.strip(), username.strip(), password)
    if opened is None:
        throttle.fail(subjects, datetime.now(UTC), "login", client=_client(request),
                      account=username.strip() if not api_key.strip() else "(api key)")
        return _login_form(request, next, "Wrong API key, or wrong name or password.")
    throttle.succeed([s for s in subjects if s.startswith("account:")], session)
    response = RedirectResponse(local_path(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, opened, httponly=True, secure=_is_https(request),
                        samesite="lax", path="/",
                        max_age=int(settings.api.session_lifetime.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login_subjects(request: Request, api_key: str, username: str) -> list[str]:
    """Failures count against the client address, and against the account named."""
    subjects = [f"address:{_client(request)}"]
    if username and not api_key:
        subjects.append(f"account:{username}")
    return subjects


def _throttled_form(request: Request, back_to: str, exc: Throttled) -> Response:
    seconds = retry_seconds(exc.retry_after)
    response = _login_form(
        request, back_to, f"Too many failed attempts. Try again in {seconds} seconds.", 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _open_session(session: Session, settings: Settings, api_key: str, username: str,
                  password: str) -> str | None:
    now, lifetime = datetime.now(UTC), settings.api.session_lifetime
    users = DeskUserRepository(session)
    if api_key:
        row = ApiKeyRepository(session).find_valid(api_key)
        if row is None:
            return None
        return users.open_session(f"key:{row.id}", list(row.scopes), row.id, now, lifetime).token
    user = _configured_user(settings.api.users, username)
    encoded = user.password_hash.get_secret_value() if user else _decoy_hash()
    if not verify_password(password, encoded) or user is None:
        return None
    return users.open_session(f"user:{user.name}", list(user.scopes), None, now, lifetime).token


def _configured_user(users: list[ApiUserSettings], name: str) -> ApiUserSettings | None:
    return next((u for u in users if hmac.compare_digest(u.name.encode(), name.encode())), None)


@router.post("/logout")
def logout(request: Request, session: SessionDep, principal: DeskDep,
           csrf_token: Annotated[str, Form(max_length=100)] = "") -> Response:
    check_csrf(principal, csrf_token)
    DeskUserRepository(session).close_session(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
