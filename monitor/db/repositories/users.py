"""Dashboard logins: password hashes, sessions (only token hashes stored) and visits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.db.models_desk import DeskSession, DeskVisit

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
VISIT_GAP = timedelta(minutes=30)  # a pause this long ends a visit
MAX_SCRYPT_N = 2**20  # refuse hashes that would cost more than ~1 GiB of memory to check


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
                  ) -> str:
    """An ``scrypt$n$r$p$salt$hash`` string for the config file's ``api.users``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_maxmem(n, r))
    return "$".join(["scrypt", str(n), str(r), str(p), _b64(salt), _b64(digest)])


def verify_password(password: str, encoded: str) -> bool:
    """True when ``password`` produces ``encoded``; False for any malformed hash."""
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        cost = (int(n), int(r), int(p))
        if scheme != "scrypt" or not 1 < cost[0] <= MAX_SCRYPT_N:
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=cost[0], r=cost[1],
                                p=cost[2], maxmem=_maxmem(cost[0], cost[1]), dklen=len(expected))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)


def _maxmem(n: int, r: int) -> int:
    return 128 * n * r * 2


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str  # goes in the cookie, never stored
    csrf_token: str


def compute_visit(last_seen_at: datetime | None, previous_visit_at: datetime | None,
                  now: datetime) -> tuple[datetime | None, datetime]:
    """(previous visit's end, last seen) after a page view at ``now``.

    Within a visit the "previous visit" mark stays put, so what was new when the visit began
    stays marked new until the next visit.
    """
    if last_seen_at is None:
        return None, now
    if now - last_seen_at > VISIT_GAP:
        return last_seen_at, now
    return previous_visit_at, now


class DeskUserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open_session(self, principal: str, scopes: list[str], api_key_id: int | None,
                     now: datetime, lifetime: timedelta) -> NewSession:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.session.add(DeskSession(
            token_hash=hash_token(token), principal=principal, api_key_id=api_key_id,
            scopes=scopes, csrf_token=csrf, created_at=now, expires_at=now + lifetime))
        self.session.execute(delete(DeskSession).where(DeskSession.expires_at <= now))
        self.session.flush()
        return NewSession(token, csrf)

    def find_session(self, token: str, now: datetime) -> DeskSession | None:
        row = self.session.scalar(
            select(DeskSession).where(DeskSession.token_hash == hash_token(token)))
        if row is None or row.expires_at <= now:
            return None
        return row

    def close_session(self, token: str) -> None:
        self.session.execute(delete(DeskSession).where(DeskSession.token_hash == hash_token(token)))
        self.session.flush()

    def visit_mark(self, principal: str) -> datetime | None:
        """When the previous visit ended, without counting this as a page view."""
        row = self.session.get(DeskVisit, principal)
        return row.previous_visit_at if row else None

    def record_visit(self, principal: str, now: datetime) -> datetime | None:
        """Note a page view; returns when the previous visit ended (None on a first visit)."""
        row = self.session.get(DeskVisit, principal)
        if row is None:
            try:
                with self.session.begin_nested():  # two tabs may arrive at once
                    self.session.add(DeskVisit(principal=principal, last_seen_at=now,
                                               previous_visit_at=None))
                return None
            except IntegrityError:
                row = self.session.get(DeskVisit, principal, populate_existing=True)
                if row is None:
                    raise
        row.previous_visit_at, row.last_seen_at = compute_visit(
            row.last_seen_at, row.previous_visit_at, now)
        self.session.flush()
        return row.previous_visit_at
