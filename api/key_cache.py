"""Valid API keys seen lately, kept in the process for a few seconds.

Looking a key up is a database transaction of its own on every request, a good part of what a
small read costs. A key found valid is remembered here, by its hash, for ``ttl``: a key revoked
through this process stops working at once (the revoking route forgets it), one revoked
elsewhere (another API worker, the CLI) within ``ttl``. Failed keys are never remembered: they
go to the throttle every time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

KEY_CACHE_TTL = 5.0  # seconds a revocation made elsewhere may take to reach this process
MAX_CACHED = 1024


@dataclass(frozen=True, slots=True)
class CachedKey:
    id: int
    name: str
    scopes: tuple[str, ...]
    last_used_at: datetime | None
    expires: float  # on the monotonic clock


class KeyCache:
    def __init__(self, ttl: float = KEY_CACHE_TTL, size: int = MAX_CACHED) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: OrderedDict[str, CachedKey] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str) -> CachedKey | None:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(digest)
            if entry is not None and entry.expires <= now:
                del self._entries[digest]
                return None
            return entry

    def put(self, digest: str, key_id: int, name: str, scopes: list[str],
            last_used_at: datetime | None) -> None:
        entry = CachedKey(key_id, name, tuple(scopes), last_used_at, time.monotonic() + self.ttl)
        with self._lock:
            self._entries[digest] = entry
            self._entries.move_to_end(digest)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def touched(self, digest: str, at: datetime) -> None:
        """Remember that the key's last use was recorded at ``at``."""
        with self._lock:
            entry = self._entries.get(digest)
            if entry is not None:
                self._entries[digest] = CachedKey(entry.id, entry.name, entry.scopes, at,
                                                  entry.expires)

    def forget(self, key_id: int) -> None:
        with self._lock:
            for digest in [d for d, e in self._entries.items() if e.id == key_id]:
                del self._entries[digest]
