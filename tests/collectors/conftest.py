"""A real HTTP server on loopback for collector tests, plus the fixtures that start it.

``FixtureServer`` serves canned replies per path (``routes``), callables that build a reply
from the request, and/or a directory of fixture files. Text files may contain ``{{BASE}}``,
replaced by the server's base URL when served, so fixtures can hold absolute links. Every
request is logged (method, path, headers) so tests can assert what was and was not asked.
Static replies with an ``etag``/``last_modified`` (and all directory files) honour
conditional requests with 304. ``Reply.delay_s`` stalls before answering; ``Reply.drip_s``
sends the body one byte at a time.

Other test packages may import it: ``from tests.collectors.conftest import FixtureServer``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from collectors.parsing import set_default_pool

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SITES = FIXTURES / "sites"
FIXED_LAST_MODIFIED = "Mon, 06 May 2024 10:00:00 GMT"
TEXT_SUFFIXES = {".html", ".xml", ".rss", ".atom", ".txt", ".json"}
CONTENT_TYPES = {
    ".html": "text/html; charset=UTF-8",
    ".rss": "application/rss+xml; charset=UTF-8",
    ".atom": "application/atom+xml; charset=UTF-8",
    ".xml": "application/xml; charset=UTF-8",
    ".txt": "text/plain; charset=UTF-8",
    ".json": "application/json",
    ".gz": "application/gzip",
}


@dataclass(frozen=True)
class Reply:
    """What the server answers for one request."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay_s: float = 0.0
    drip_s: float | None = None


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # with query string
    headers: Mapping[str, str]  # lower-case names

    @property
    def path_only(self) -> str:
        return urlsplit(self.path).path


Handler = Callable[[RecordedRequest], Reply]
# A route answers with a Reply, a function of the request, or (status, headers, body).
Route = Reply | Handler | tuple[int, Mapping[str, str], bytes]


class FixtureServer:
    """Threaded loopback HTTP/1.1 server; use as a context manager or via ``fixture_server``."""

    def __init__(
        self,
        routes: Mapping[str, Route] | None = None,
        *,
        directory: Path | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.directory = directory
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def requested_paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def requests_for(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path or r.path_only == path]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def reply_for(self, request: RecordedRequest) -> Reply:
        found = self.routes.get(request.path) or self.routes.get(request.path_only)
        if found is None:
            return self._file_reply(request.path_only)
        if isinstance(found, tuple):
            status, headers, body = found
            return Reply(status, body, headers)
        return found(request) if callable(found) else found

    def _file_reply(self, path: str) -> Reply:
        file = _find_file(self.directory, path) if self.directory else None
        if file is None:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        body = file.read_bytes()
        if file.suffix in TEXT_SUFFIXES:
            body = body.replace(b"{{BASE}}", self.base_url.encode())
        content_type = CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        return Reply(
            200,
            body,
            {"Content-Type": content_type},
            etag='"' + hashlib.sha1(body).hexdigest()[:16] + '"',
            last_modified=FIXED_LAST_MODIFIED,
        )


def _find_file(directory: Path, path: str) -> Path | None:
    relative = path.lstrip("/")
    base = (directory / relative).resolve()
    if not base.is_relative_to(directory.resolve()):
        return None
    candidates = [base] + [base.with_name(base.name + s) for s in (".html", ".rss", ".atom")]
    candidates += [base.with_name(base.name + ".xml")]
    candidates += [base / name for name in ("index.html", "index.rss", "index.atom", "index.xml")]
    return next((c for c in candidates if c.is_file()), None)


def _not_modified(request: RecordedRequest, reply: Reply) -> bool:
    inm = request.headers.get("if-none-match")
    if reply.etag and inm is not None:
        return reply.etag in [v.strip() for v in inm.split(",")]
    ims = request.headers.get("if-modified-since")
    return bool(reply.last_modified and ims and ims == reply.last_modified)


def _make_handler(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = RecordedRequest("GET", self.path, headers)
            server.record(request)
            reply = server.reply_for(request)
            if reply.delay_s:
                time.sleep(reply.delay_s)
            try:
                self._send(request, reply)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _send(self, request: RecordedRequest, reply: Reply) -> None:
            status, body = reply.status, reply.body
            if status == 200 and _not_modified(request, reply):
                status, body = 304, b""
            self.send_response(status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.etag:
                self.send_header("ETag", reply.etag)
            if reply.last_modified:
                self.send_header("Last-Modified", reply.last_modified)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self._write_body(body, reply.drip_s)

        def _write_body(self, body: bytes, drip_s: float | None) -> None:
            if drip_s is None:
                self.wfile.write(body)
                return
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(drip_s)

        def log_message(self, format: str, *args: object) -> None:
            return

    return _Handler


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session", autouse=True)
def _close_parse_pool() -> Iterator[None]:
    """Parsers run in worker processes; stop them when the session ends."""
    yield
    pool = set_default_pool(None)
    if pool is not None:
        pool.close()


@pytest.fixture
def fixture_server() -> Iterator[Callable[..., FixtureServer]]:
    """Factory: ``fixture_server(routes, directory=..., host=...)`` -> started server."""
    started: list[FixtureServer] = []

    def start(
        routes: Mapping[str, Route] | None = None,
        *,
        directory: Path | None = None,
        host: str = "127.0.0.1",
    ) -> FixtureServer:
        server = FixtureServer(routes, directory=directory, host=host).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def site_server(fixture_server: Callable[..., FixtureServer]) -> Callable[[str], FixtureServer]:
    """``site_server("wordpress")`` serves tests/fixtures/sites/wordpress on loopback."""

    def start(name: str) -> FixtureServer:
        return fixture_server(directory=SITES / name)

    return start
