"""The desk over HTTP: a TestClient logged in with an API key, and a helper to log in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from monitor.config import Settings
from monitor.runtime import Runtime
from tests.desk_seed import make_key


def login(client: TestClient, **form: str) -> str:
    """Log in through the form; returns the CSRF token of the new session."""
    client.get("/login")
    token = client.cookies.get("bm_login_csrf", path="/login")
    response = client.post("/login", data={"login_token": token or "", **form},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get("/inbox").text
    return page.split('name="csrf-token" content="')[1].split('"')[0]


@pytest.fixture
def desk(settings: Settings, runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(settings, runtime)) as client:
        yield client


@pytest.fixture
def admin_key(runtime: Runtime) -> str:
    return make_key(runtime, ["admin"], "Nadia's key")


@pytest.fixture
def csrf(desk: TestClient, admin_key: str) -> str:
    return login(desk, api_key=admin_key)
