"""One demo per directory and port: a second `monitor demo` leaves a running one alone."""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from monitor.errors import ConfigError

LOCK_NAME = "demo.lock"


@contextmanager
def holding_demo_lock(directory: Path, port: int) -> Iterator[None]:
    """Refuse (before anything is deleted) when a demo runs here or the port is taken."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / LOCK_NAME).open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise ConfigError(
                f"a demo is already running from {directory} (pid {lock.read().strip() or '?'})"
                "; use it, stop it first (Ctrl-C), or start another with --directory and --port"
            ) from None
        check_port_free(port)
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        yield


def check_port_free(port: int, host: str = "127.0.0.1") -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise ConfigError(
                f"port {port} on {host} is already in use (is a demo or another service "
                f"running?); stop it, or pick another port: `monitor demo --port {port + 1}` "
                f"or `make run DEMO_ARGS='--port {port + 1} --directory demo-{port + 1}'`"
            ) from None
