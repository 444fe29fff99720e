"""An app on the migrated test database, and an API key for it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from monitor.config import Settings
from monitor.db.engine import unit_of_work
from monitor.db.repositories import ApiKeyRepository
from monitor.runtime import Runtime


@pytest.fixture
def client(settings: Settings, runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(settings, runtime)) as test_client:
        yield test_client


@pytest.fixture
def api_key(runtime: Runtime) -> str:
    with unit_of_work(runtime.sessions) as session:
        return ApiKeyRepository(session).create("tests", ["read", "write", "admin"],
                                                datetime.now(UTC)).key


@pytest.fixture
def auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}
