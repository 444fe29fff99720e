"""This process's identity as a claim holder, and the heartbeat that keeps its claims alive.

A holder is ``host:pid:token``. While the process works, a thread renews its claims every
quarter of the lease (a thread, not a task: a busy event loop must not let claims lapse). At
start the keeper frees the claims of earlier processes on the same host that are gone (their
pid no longer runs, or it is this pid reused, e.g. PID 1 in a restarted container), so a
restarted worker does not wait out their lease. On stop it frees its own claims, so a clean
shutdown hands the work over at once.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from monitor.db.engine import unit_of_work
from monitor.db.repositories.claims import ClaimRepository

log = logging.getLogger(__name__)
MIN_BEAT = timedelta(milliseconds=500)
_LIVE_HOLDERS: set[str] = set()  # holders of keepers running in this process


def host_name() -> str:
    return socket.gethostname().replace(":", "_") or "localhost"


def make_holder() -> str:
    return f"{host_name()}:{os.getpid()}:{secrets.token_hex(4)}"


def is_holder_gone(holder: str, *, host: str, pid: int, live: set[str]) -> bool:
    """Whether ``holder`` names a process on ``host`` that no longer runs."""
    parts = holder.split(":")
    if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
        return False
    if int(parts[1]) == pid:
        return holder not in live
    return not _pid_runs(int(parts[1]))


def _pid_runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    return True


class ClaimKeeper:
    """One holder identity; ``start`` runs its heartbeat, ``stop`` ends it and frees claims."""

    def __init__(self) -> None:
        self.holder = make_holder()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._beats: list[Callable[[], None]] = []

    def start(self, sessions: sessionmaker[Session], lease: timedelta,
              on_beat: Callable[[], None] | None = None) -> None:
        """Free the claims of dead processes of this host, then renew ours until ``stop``."""
        if on_beat is not None:
            self._beats.append(on_beat)
        if self._thread is not None:
            return
        _LIVE_HOLDERS.add(self.holder)
        self.reclaim_stale(sessions)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(sessions, lease),
                                        name="claim-heartbeat", daemon=True)
        self._thread.start()

    def reclaim_stale(self, sessions: sessionmaker[Session]) -> int:
        host, pid, live = host_name(), os.getpid(), set(_LIVE_HOLDERS)
        with unit_of_work(sessions) as session:
            repo = ClaimRepository(session)
            gone = [h for h in repo.holders_on(host)
                    if is_holder_gone(h, host=host, pid=pid, live=live)]
            released = repo.release(gone)
        if released:
            log.info("took back claims of stopped processes",
                     extra={"holders": ",".join(sorted(gone)), "claims": released})
        return released

    def stop(self, sessions: sessionmaker[Session]) -> None:
        """End the heartbeat and free what this holder still claims."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join(timeout=10)
        _LIVE_HOLDERS.discard(self.holder)
        try:
            with unit_of_work(sessions) as session:
                ClaimRepository(session).release([self.holder])
        except Exception:
            log.warning("could not free claims on stop; they expire with their lease",
                        exc_info=True)

    def _run(self, sessions: sessionmaker[Session], lease: timedelta) -> None:
        interval = max(lease / 4, MIN_BEAT).total_seconds()
        while not self._stop.wait(interval):
            self.beat(sessions, lease)

    def beat(self, sessions: sessionmaker[Session], lease: timedelta) -> None:
        try:
            with unit_of_work(sessions) as session:
                ClaimRepository(session).extend(self.holder, datetime.now(UTC) + lease)
        except Exception:
            log.warning("claim heartbeat failed", exc_info=True)
            return
        for on_beat in self._beats:
            on_beat()
