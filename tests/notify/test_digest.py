"""The weekly digest: golden text, escaped HTML with inline bars, ISO weeks."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.domain.alerts import SentimentSplit, TermCount
from monitor.notify import (
    BrandDigest,
    DayVolume,
    DigestAlert,
    DigestData,
    DigestThread,
    RisingTerm,
    compute_previous_week,
    compute_week_bounds,
    compute_week_label,
    render_digest,
)

GOLDEN = Path(__file__).parent / "golden"
BERLIN = ZoneInfo("Europe/Berlin")
HOSTILE = "<script>alert('x')</script> & <img src=https://tracker.example/p.gif>"


def digest_data(*, title: str = "Battery swelling after 2.3 update") -> DigestData:
    start, end = compute_week_bounds("2026-W47", BERLIN)
    days = tuple(DayVolume(date(2026, 11, 16) + timedelta(days=i), m, n)
                 for i, (m, n) in enumerate([(40, 5), (55, 8), (120, 60), (70, 20), (45, 6),
                                             (20, 2), (15, 1)]))
    acme = BrandDigest(
        brand_id=1, name="Acme", mentions=365, previous_mentions=300,
        sentiment=SentimentSplit(positive=80, neutral=183, negative=102),
        previous_sentiment=SentimentSplit(positive=90, neutral=160, negative=50),
        days=days,
        top_topics=(TermCount("battery", 140), TermCount("pricing", 40)),
        rising_terms=(RisingTerm("swelling", 90, 3), RisingTerm("recall", 25, 0)),
        alerts=(DigestAlert(31, "volume_spike", "critical",
                            "120 mentions in the last hour; usually about 6 an hour; 80% negative",
                            datetime(2026, 11, 18, 9, 30, tzinfo=UTC)),),
        top_threads=(DigestThread(title, "https://forum.example/t/123", "Acme forum", 88, 51),),
        unanswered_negative=(DigestThread("Charger died after a week",
                                          "https://www.reddit.com/r/acme/comments/abc/",
                                          "r/acme", 12, 9,
                                          datetime(2026, 11, 21, 18, 5, tzinfo=UTC)),),
    )
    rival = BrandDigest(
        brand_id=2, name="Globex", mentions=135, previous_mentions=150,
        sentiment=SentimentSplit(positive=40, neutral=80, negative=15),
        previous_sentiment=SentimentSplit(positive=40, neutral=95, negative=15),
        days=tuple(DayVolume(d.day, 19, 2) for d in days),
    )
    return DigestData(week="2026-W47", start=start, end=end, timezone="Europe/Berlin",
                      generated_at=datetime(2026, 11, 23, 7, 0, tzinfo=UTC),
                      dashboard_url="https://monitor.example.org", brands=(acme, rival))


def test_golden_text_digest() -> None:
    subject, _html, text = render_digest(digest_data())
    assert subject == "Weekly brand digest 2026-W47: 500 mentions, 1 alert"
    golden = GOLDEN / "digest.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_unscored_mentions_are_counted_per_language() -> None:
    data = digest_data()
    acme = replace(data.brands[0], unscored=(TermCount("it", 3), TermCount("unknown", 1)))
    _, html, text = render_digest(replace(data, brands=(acme, data.brands[1])))
    assert "102 negative (28% negative, +11 pts); 4 (it 3, unknown 1) unscored\n" in text
    assert "4 (it 3, unknown 1) unscored" in html
    assert text.count("unscored") == 1  # a brand without unscored mentions says nothing


def test_html_digest_has_figures_bars_and_links() -> None:
    _subject, html, _text = render_digest(digest_data())
    assert "365</strong> mentions" in html
    assert "+22% vs 300" in html
    assert "73%</strong> share of voice" in html
    widths = [int(w) for w in re.findall(r'class="bar-negative" style="width:(\d+)%', html)]
    assert max(widths) == 50  # Wednesday: 60 of 120, the busiest day
    assert 'href="https://monitor.example.org/alerts/31"' in html
    assert "Negative threads with no reply yet" in html
    assert "Charger died" in html
    assert "Sat 21 Nov 19:05" in html  # 18:05 UTC shown in Berlin time


def test_html_escapes_crawled_text_and_loads_nothing_external() -> None:
    _subject, html, text = render_digest(digest_data(title=HOSTILE))
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert not re.search(r"""<[^>]*\s(src|background)\s*=|url\(""", html)
    assert HOSTILE in text  # the text part is not HTML and keeps the words as written


def test_unsafe_thread_links_are_not_linked() -> None:
    data = digest_data()
    acme = data.brands[0]
    evil = DigestThread("click", "javascript:alert(1)", "x", 1)
    data = replace(data, brands=(replace(acme, top_threads=(evil,)),))
    _subject, html, _text = render_digest(data)
    assert "javascript:" not in html


def test_unknown_time_zone_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="IANA"):
        render_digest(replace(digest_data(), timezone="Mars/Olympus"))


def test_week_bounds_follow_the_local_monday() -> None:
    start, end = compute_week_bounds("2026-W47", BERLIN)
    assert start == datetime(2026, 11, 15, 23, 0, tzinfo=UTC)
    assert end - start == timedelta(days=7)
    # The week of the October change is an hour longer.
    start, end = compute_week_bounds("2026-W43", BERLIN)
    assert end - start == timedelta(days=7, hours=1)
    assert compute_week_bounds("2026-W01", UTC)[0] == datetime(2025, 12, 29, tzinfo=UTC)


def test_week_labels_and_previous_weeks() -> None:
    assert compute_week_label(datetime(2026, 11, 15, 23, 30, tzinfo=UTC), BERLIN) == "2026-W47"
    assert compute_week_label(datetime(2026, 11, 15, 23, 30, tzinfo=UTC), UTC) == "2026-W46"
    assert compute_previous_week("2026-W01") == "2025-W52"
    assert compute_previous_week("2027-W01") == "2026-W53"


@pytest.mark.parametrize(("week", "message"), [("2026-47", "2026-W47"), ("2025-W53", "no ISO"),
                                               ("2026-W00", "no ISO")])
def test_bad_weeks_are_rejected(week: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compute_week_bounds(week, UTC)


def test_a_daily_digest_speaks_of_its_day_and_the_day_before() -> None:
    weekly = digest_data()
    data = replace(weekly, week="2026-11-18", cadence="daily",
                   brands=tuple(replace(b, days=()) for b in weekly.brands))
    subject, html, text = render_digest(data)
    assert subject == "Daily brand digest Wed 18 Nov 2026: 500 mentions, 1 alert"
    assert "Mentions: 365 (+22% vs 300 the day before)" in text
    assert "Alerts this day: 1" in text
    assert not re.search(r"(this|last) week|weekly", text, re.IGNORECASE)
    assert "<h1 style=\"margin:0 0 4px;font-size:20px;\">Daily brand digest Wed 18 Nov 2026</h1>" \
        in html
    assert not re.search(r"(this|last) week|weekly", html, re.IGNORECASE)
