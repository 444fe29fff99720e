"""A TCP proxy a test controls: it forwards, or it accepts and swallows everything (a stalled
server that neither answers nor refuses), or it stops listening (a server that refuses), and
it can drop every connection it holds."""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class StallProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.stalled = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> StallProxy:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def stall(self) -> None:
        """From now on nothing goes through, in either direction, on old or new connections."""
        self.stalled.set()

    def refuse(self) -> None:
        """Stop listening and drop every connection: new connections are refused."""
        _close(self.listener)
        self.drop_all()

    def resume(self) -> None:
        """Listen again on the same port and forward."""
        self.stalled.clear()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def drop_all(self) -> None:
        """Close every connection held, so that clients stuck on them see an error."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _close(sock)

    def close(self) -> None:
        _close(self.listener)
        self.drop_all()

    def _keep(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self._keep(client)
            if self.stalled.is_set():
                threading.Thread(target=self._swallow, args=(client,), daemon=True).start()
                continue
            server = socket.create_connection(self.upstream)
            self._keep(server)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                break
            if not data:
                break
            if self.stalled.is_set():
                continue  # swallowed: read so the sender never sees back-pressure
            try:
                target.sendall(data)
            except OSError:
                break
        _close(source)
        _close(target)

    def _swallow(self, sock: socket.socket) -> None:
        while True:
            try:
                if not sock.recv(65536):
                    break
            except OSError:
                break
        _close(sock)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
