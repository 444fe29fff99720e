"""The desk in headless Chromium: log in, triage with the keyboard, charts, no XSS.

Needs Debian's ``chromium`` at /usr/bin/chromium (never downloaded). Skipped when it is
missing, unless MONITOR_TEST_REQUIRE_BROWSER=1. Screenshots go to MONITOR_TEST_SCREENSHOTS
when set (a directory), else to the test's temporary directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from monitor.config import Settings
from monitor.db.repositories import MentionRepository
from monitor.runtime import Runtime, open_runtime
from tests.dashboard.browser_support import launched_chromium, serving
from tests.desk_seed import Doc, make_key, seed, seed_alert

XSS = {
    "title": '<script>window.__xss="title"</script><img src=x onerror="window.__xss=\'img\'">',
    "text": 'Acme <svg onload="window.__xss=\'svg\'"></svg> <a href="javascript:alert(1)">x</a>',
    "author": '"><script>alert(document.cookie)</script>',
    "snippet": "Acme <img src=x onerror=alert(1)> snippet",
}

pytestmark = pytest.mark.browser


class Desk:
    """A running desk: its URL, its database, an admin key, and the seeded mention ids."""

    def __init__(self, url: str, runtime: Runtime, key: str, ids: dict[str, int]) -> None:
        self.url, self.runtime, self.key, self.ids = url, runtime, key, ids

    def state(self, mention_id: str | None) -> str:
        with self.runtime.sessions() as session:
            return MentionRepository(session).get_row(int(mention_id or 0)).document.state


def _documents(now: datetime) -> list[Doc]:
    hours = [timedelta(hours=h) for h in (1, 3, 5, 26, 30, 50, 75, 100, 130)]
    labels = ["negative", "positive", "neutral", "positive", "negative", "positive",
              "neutral", "positive", "negative"]
    docs = [
        Doc(f"m{i}", now - delta, author=f"user{i}",
            brands={"Acme": label, **({"Globex": "neutral"} if i % 3 == 0 else {})},
            title=f"Thoughts on the Acme Duo, part {i}" if i % 2 == 0 else "",
            kind="post" if i % 2 == 0 else "comment", topics=["quality"] if i % 3 else ["price"],
            text=f"I have used the Acme Duo for {i + 1} months; the crema is great but the "
                 "steam wand leaks and support took a week to answer.",
            score={"positive": 0.6, "negative": -0.7, "neutral": 0.05}[label],
            engagement={"score": 3 * i}, thread_url="https://forum.example/t/duo",
            thread_title="Acme Duo owners thread")
        for i, (delta, label) in enumerate(zip(hours, labels, strict=True))
    ]
    docs.append(Doc("xss", now - timedelta(minutes=30), title=XSS["title"], text=XSS["text"],
                    author=XSS["author"], snippet=XSS["snippet"],
                    url="javascript:alert(2)", brands={"Acme": "negative", "Globex": "neutral"}))
    return docs


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    path = tmp_path_factory.mktemp("desk") / "monitor.db"
    settings = Settings(database={"url": f"sqlite:///{path}"})
    runtime = open_runtime(settings)
    now = datetime.now(UTC)
    ids = seed(runtime, _documents(now))
    samples = [{"mention_id": ids["m0"], "url": "https://forum.example/t/duo",
                "title": "Thoughts on the Acme Duo, part 0", "source_name": "Coffee forum",
                "snippet": "the steam wand leaks and support took a week", "author": "user0",
                "at": now.isoformat(), "label": "negative"}]
    seed_alert(runtime, title="Acme: 42 mentions in an hour (usually 6)", severity="critical",
               created_at=now - timedelta(minutes=20), samples=samples,
               deliveries=("slack:sent", "email:failed"))
    seed_alert(runtime, title="Acme: negative share up to 45%", severity="warning",
               state="resolved", created_at=now - timedelta(days=1))
    key = make_key(runtime, ["admin"], "Nadia")
    with serving(create_app(settings, runtime)) as url:
        yield Desk(url, runtime, key, ids)
    runtime.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Any, desk: Desk) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto(f"{desk.url}/inbox")
    tab.fill('input[name="api_key"]', desk.key)
    tab.click('button[type="submit"]')
    tab.wait_for_url(f"{desk.url}/inbox")
    yield tab
    context.close()


def _screenshot(page: Any, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MONITOR_TEST_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.png"
    page.evaluate("window.scrollTo(0, 0)")  # a sticky header would be drawn mid-page
    page.screenshot(path=str(target), full_page=True)
    return target


def test_keyboard_triage(page: Any, desk: Desk, tmp_path: Path) -> None:
    assert page.locator("li.mention").count() == 9 + 1  # items: a two-brand one is one entry
    assert page.locator(f'li.mention[data-id="{desk.ids["xss"]}"] .brand-chip').count() == 2
    _screenshot(page, "inbox", tmp_path)
    first, second = (page.locator("li.mention").nth(i).get_attribute("data-id") for i in (0, 1))
    page.keyboard.press("e")  # done: the first row is selected when the page opens
    page.wait_for_selector(f'li.mention[data-id="{first}"].is-done')
    page.keyboard.press("r")  # the selection moved on to the second row
    page.wait_for_selector(f'li.mention[data-id="{second}"] .badge.state-needs_reply')
    page.keyboard.press("k")
    assert page.locator("li.mention.selected").get_attribute("data-id") == second
    assert desk.state(first) == "seen"
    assert desk.state(second) == "needs_reply"
    page.keyboard.press("m")  # mute opens the mention's mute panel with a dry-run count
    page.wait_for_selector(".would-hide")
    _screenshot(page, "mention", tmp_path)


def test_priority_order_shows_what_to_read_first_with_its_reasons(
        page: Any, desk: Desk, tmp_path: Path) -> None:
    # m8: a complaint (needs reply), very negative, its votes came fast; m0 has no votes yet.
    expected = ["needs reply", "very negative", "engagement rising"]
    page.goto(f"{desk.url}/inbox?state=all")  # the desk's default order is priority
    assert page.locator('select[name="sort"]').input_value() == "priority"
    first = page.locator("li.mention").nth(0)
    assert first.get_attribute("data-id") == str(desk.ids["m8"])
    assert first.locator(".reason").all_inner_texts() == expected
    assert page.locator(f'li.mention[data-id="{desk.ids["xss"]}"] .reason').count() == 0
    page.goto(f"{desk.url}/inbox?state=all&sort=priority&view=compact")
    first = page.locator("li.mention").nth(0)
    assert first.get_attribute("data-id") == str(desk.ids["m8"])
    assert first.locator(".reason").all_inner_texts() == expected
    assert first.locator(".reason").first.is_visible()
    _screenshot(page, "inbox-priority-compact", tmp_path)
    page.goto(f"{desk.url}/inbox?state=all&sort=time")
    assert page.locator("li.mention").nth(0).get_attribute("data-id") == str(desk.ids["xss"])


def test_trends_chart_renders(page: Any, desk: Desk, tmp_path: Path) -> None:
    page.goto(f"{desk.url}/trends?interval=day")
    assert page.locator("svg.chart").first.is_visible()
    assert page.locator("svg.chart rect.bar-pos").count() >= 3
    assert page.locator("svg.chart rect.bar-neg").count() >= 2
    assert page.locator("svg.chart circle.point").count() >= 3
    _screenshot(page, "trends", tmp_path)
    page.goto(f"{desk.url}/sources")
    assert page.locator("table.sources tbody tr").count() == 3
    _screenshot(page, "sources", tmp_path)


def test_crawled_markup_never_runs(browser: Any, desk: Desk, page: Any) -> None:
    dialogs: list[str] = []

    def record(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    response = page.goto(f"{desk.url}/inbox?state=all")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.get_by_text('<script>window.__xss="title"</script>', exact=False).count() >= 1
    page.goto(f"{desk.url}/mentions/{desk.ids['xss']}")
    page.wait_for_load_state("load")
    assert page.evaluate("window.__xss") is None
    assert page.locator("a[href^='javascript:']").count() == 0
    assert dialogs == []


def test_open_and_acknowledge_an_alert(page: Any, desk: Desk, tmp_path: Path) -> None:
    page.goto(f"{desk.url}/alerts")
    assert page.locator("li.alert-card").count() == 2
    _screenshot(page, "alerts", tmp_path)
    page.click("li.alert-card.severity-critical a.open-alert")
    page.wait_for_selector("h1:has-text('42 mentions in an hour')")
    assert page.locator(".samples a[href^='/mentions/']").count() == 1
    page.click("button:has-text('Acknowledge')")
    page.wait_for_selector("text=Acknowledged")
    _screenshot(page, "alert", tmp_path)


def test_compact_mode_shows_25_items_in_1400_by_1000(browser: Any, desk: Desk,
                                                     tmp_path: Path) -> None:
    now = datetime.now(UTC)
    seed(desk.runtime, [Doc(f"bulk{i}", now - timedelta(days=6, minutes=i),
                            author=f"reader{i}", brands={"Acme": "neutral", "Globex": "positive"},
                            text="The Acme Duo and the Globex Brio side by side, a long "
                                 "comparison that would wrap over several lines in a card.")
                        for i in range(40)])
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{desk.url}/inbox")
    page.fill('input[name="api_key"]', desk.key)
    page.click('button[type="submit"]')
    page.wait_for_url(f"{desk.url}/inbox")
    cards = _visible_rows(page)
    page.click("a.to-compact")
    page.wait_for_selector("ol.mentions.compact")
    _screenshot(page, "inbox-compact", tmp_path)
    compact = _visible_rows(page)
    assert compact >= 25
    assert compact > 3 * cards
    first, third = (page.locator("li.mention").nth(i).get_attribute("data-id") for i in (0, 2))
    page.keyboard.press("e")  # keyboard triage works the same in compact mode
    page.wait_for_selector(f'li.mention[data-id="{first}"].is-done')
    page.keyboard.press("j")
    assert page.locator("li.mention.selected").get_attribute("data-id") == third
    assert desk.state(first) == "seen"
    context.close()


def _visible_rows(page: Any) -> int:
    """Rows wholly inside the window without scrolling."""
    count: int = page.evaluate(
        "() => Array.from(document.querySelectorAll('li.mention')).filter("
        "r => { const b = r.getBoundingClientRect(); return b.top >= 0 && "
        "b.bottom <= window.innerHeight; }).length")
    return count
