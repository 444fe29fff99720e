"""Every route of the app, found by walking its route table: all but the public ones need a key
(or a dashboard login), and each API route refuses a key without the scope it declares."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from monitor.config import Settings
from monitor.runtime import Runtime
from tests.desk_seed import make_key

PUBLIC = {("GET", "/healthz"), ("GET", "/login"), ("POST", "/login"), ("GET", "/"),
          ("GET", "/docs"), ("GET", "/docs/start.js"), ("GET", "/openapi.json")}
SCOPES = ("read", "write", "admin")


def walk_routes(app: FastAPI) -> Iterator[tuple[str, str, Any]]:
    """(method, path, route) for every route, included routers flattened."""
    for route in app.routes:
        included = getattr(route, "original_router", None)
        prefix = getattr(getattr(route, "include_context", None), "prefix", "")
        for inner in (included.routes if included is not None else [route]):
            for method in sorted(getattr(inner, "methods", None) or ()):
                if method != "HEAD":
                    yield method, prefix + inner.path, inner


def required_scope(dependant: Dependant) -> str | None:
    """The scope named by a ``require(scope)`` dependency anywhere below ``dependant``."""
    call = dependant.call
    if call is not None and call.__qualname__.endswith("require.<locals>.check"):
        cells = [c.cell_contents for c in (call.__closure__ or ())]
        return next(c for c in cells if c in SCOPES)
    return next((s for d in dependant.dependencies if (s := required_scope(d))), None)


def _call(client: TestClient, method: str, path: str, key: str | None = None) -> int:
    url = re.sub(r"\{[^}]+\}", "1", path)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    body = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
    return client.request(method, url, headers=headers, follow_redirects=False,
                          **body).status_code


@pytest.fixture
def keys(runtime: Runtime) -> dict[str, str]:
    return {scope: make_key(runtime, [scope], scope) for scope in SCOPES}


def test_every_route_but_the_public_ones_needs_a_key_and_its_scope(
        settings: Settings, runtime: Runtime, keys: dict[str, str]) -> None:
    app = create_app(settings, runtime)
    routes = list(walk_routes(app))
    assert len(routes) > 40  # the walk found the included routers
    with TestClient(app) as client:
        for method, path, route in routes:
            if (method, path) in PUBLIC:
                continue
            anonymous = _call(client, method, path)
            if not path.startswith(("/api/", "/metrics")):
                assert anonymous in (303, 401), (method, path, anonymous)
                continue
            assert anonymous == 401, (method, path, anonymous)
            assert isinstance(route, APIRoute)
            needed = "read" if path == "/metrics" else required_scope(route.dependant)
            assert needed is not None, f"{method} {path} declares no scope"
            for scope in SCOPES:
                status = _call(client, method, path, keys[scope])
                enough = SCOPES.index(scope) >= SCOPES.index(needed)
                assert (status == 403) != enough, (method, path, scope, status)
                assert status != 401, (method, path, scope)
