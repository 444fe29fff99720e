"""API keys: only a SHA-256 of each key is stored; the key itself is shown once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.db.models import ApiKey
from monitor.errors import NotFoundError

KEY_PREFIX = "bm_"
ALL_SCOPES = ("read", "write", "admin")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class NewKey:
    id: int
    key: str


class ApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create(self, name: str, scopes: list[str], now: datetime) -> NewKey:
        key = KEY_PREFIX + secrets.token_urlsafe(32)  # 256 bits of randomness
        row = ApiKey(
            name=name, prefix=key[:10], key_hash=hash_key(key), scopes=scopes, created_at=now
        )
        self.session.add(row)
        self.session.flush()
        return NewKey(id=row.id, key=key)

    def find_valid(self, key: str) -> ApiKey | None:
        row = self.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
        if row is None or row.revoked_at is not None:
            return None
        return row

    def touch(self, row: ApiKey, now: datetime) -> None:
        row.last_used_at = now
        self.session.flush()

    def touch_by_id(self, key_id: int, now: datetime) -> None:
        self.session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))

    def list_all(self) -> list[ApiKey]:
        return list(self.session.scalars(select(ApiKey).order_by(ApiKey.id)))

    def revoke(self, key_id: int, now: datetime) -> ApiKey:
        row = self.session.get(ApiKey, key_id)
        if row is None:
            raise NotFoundError(f"no API key with id {key_id}")
        row.revoked_at = row.revoked_at or now
        self.session.flush()
        return row
