"""/docs works with the network closed: every asset comes from the service, under its CSP.

Drives Debian's Chromium like test_browser.py (skipped without it unless
MONITOR_TEST_REQUIRE_BROWSER=1). Every request that does not go to the service is aborted
and recorded, so a page that needs a CDN fails here.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.app import create_app
from monitor.config import Settings
from monitor.runtime import open_runtime

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("docs") / "monitor.db"
    settings = Settings(database={"url": f"sqlite:///{path}"})
    runtime = open_runtime(settings)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings, runtime), host="127.0.0.1",
                                           port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the service did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    runtime.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("MONITOR_TEST_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and MONITOR_TEST_REQUIRE_BROWSER=1")
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_docs_load_offline_under_the_csp(browser: Any, service: str) -> None:
    context = browser.new_context()
    outside: list[str] = []
    console: list[str] = []

    def only_the_service(route: Any) -> None:
        if route.request.url.startswith(service):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_service)
    page = context.new_page()
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{service}/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "brand-monitor" in page.inner_text(".swagger-ui .info .title")
    # The operations come from /openapi.json: the page really runs, not only its shell.
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    assert page.locator(".opblock-summary-path").count() > 10
    assert outside == []
    assert not [line for line in console if "Content Security Policy" in line]
    context.close()
