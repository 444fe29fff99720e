"""Inputs and situations that must not turn into a 500, a leak or a lingering login."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from monitor.config import Settings
from monitor.db.repositories.users import hash_password
from monitor.runtime import Runtime


def test_a_removed_user_loses_their_sessions(settings: Settings, runtime: Runtime) -> None:
    users = [{"name": "omar", "password_hash": hash_password("correct horse", n=2**10)}]
    database = settings.database.model_dump()
    with_omar = Settings(database=database, api={"users": users})
    with TestClient(create_app(with_omar, runtime)) as client:
        client.get("/login")
        client.post("/login", data={"login_token": client.cookies.get("bm_login_csrf",
                                                                     path="/login") or "",
                                    "username": "omar", "password": "correct horse"})
        cookie = client.cookies.get("bm_session")
        assert client.get("/api/v1/brands").status_code == 200
    assert cookie
    without_omar = Settings(database=database)
    with TestClient(create_app(without_omar, runtime)) as client:
        client.cookies.set("bm_session", cookie)
        assert client.get("/api/v1/brands").status_code == 401


def test_nul_characters_and_calendar_edges_are_422(client: TestClient, auth: dict[str, str]
                                                   ) -> None:
    for params in ({"brand": "\x00"}, {"author": "a\x00b"}, {"tag": "\x00"}):
        response = client.get("/api/v1/mentions", headers=auth, params=params)
        assert response.status_code in (200, 422), response.text
        assert response.headers["content-type"].startswith("application/json")
    for params in ({"until": "0001-01-02T00:00:00"},
                   {"since": "9999-12-25T00:00:00", "until": "9999-12-31T23:00:00",
                    "interval": "week"}):
        response = client.get("/api/v1/trends", headers=auth, params=params)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "invalid_input"


def test_health_does_not_reveal_database_details(settings: Settings) -> None:
    broken = Settings(database={"url": "postgresql+psycopg://nobody@127.0.0.1:1/secretdb"})
    from monitor.db.engine import build_engine, build_sessionmaker

    engine = build_engine(broken.database.url)
    runtime = Runtime(broken, engine, build_sessionmaker(engine))
    with TestClient(create_app(broken, runtime)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert "secretdb" not in response.text
    assert "127.0.0.1" not in response.text


def test_nul_and_encoded_path_tricks_are_404_with_the_security_headers(
        client: TestClient) -> None:
    for path in ("/static/x%00", "/static/desk.css%00", "/static/desk.css%00.png",
                 "/static/%0a", "/static/..%2f..%2fapi%2fapp.py",
                 "/static/%2e%2e/%2e%2e/pyproject.toml", "/static/..%5c..%5capi%5capp.py",
                 "/static/%c0%ae%c0%ae/%c0%ae%c0%ae/pyproject.toml", "/static/%ff",
                 "/static//etc/passwd", "/api/v1/mentions%00", "/%00"):
        response = client.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert "content-security-policy" in response.headers, path
        assert response.json()["error"]["code"] == "not_found"
