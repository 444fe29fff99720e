"""The API is served with uvicorn's C HTTP parser (httptools), not its pure-Python one."""

from __future__ import annotations

from monitor.runtime import Runtime
from monitor.server import _server


def test_the_server_parses_http_with_httptools(runtime: Runtime) -> None:
    server = _server(runtime, "127.0.0.1", 0)
    server.config.load()
    assert server.config.http_protocol_class.__name__ == "HttpToolsProtocol"
