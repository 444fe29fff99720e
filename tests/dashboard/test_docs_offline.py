"""/docs works with the network closed: every asset comes from the service, under its CSP.

Drives Debian's Chromium like test_browser.py (skipped without it unless
MONITOR_TEST_REQUIRE_BROWSER=1). Every request that does not go to the service is aborted
and recorded, so a page that needs a CDN fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.app import create_app
from monitor.config import Settings
from monitor.runtime import open_runtime
from tests.dashboard.browser_support import launched_chromium, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("docs") / "monitor.db"
    settings = Settings(database={"url": f"sqlite:///{path}"})
    runtime = open_runtime(settings)
    with serving(create_app(settings, runtime)) as url:
        yield url
    runtime.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


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
