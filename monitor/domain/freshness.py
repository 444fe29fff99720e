"""Is a newly stored mention news, or history that only feeds baselines?"""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.domain.alerts.settings import AlertSettings

NEWS_MAX_AGE = timedelta(hours=48)


def compute_news_window(settings: AlertSettings) -> timedelta:
    """The span the detectors still judge at each evaluation: the volume window placed as far
    back as the lag allows (see ``compute_candidate_ends``). It follows the configured
    ``alerts.window``: a first crawl must not call history what a wider window would judge."""
    return settings.window + settings.lag


# With the default settings (the "medium" preset): four hours.
FIRST_CRAWL_NEWS_WINDOW = compute_news_window(AlertSettings())


def decide_backfill(
    *, first_fetch: bool, published_at: datetime | None, now: datetime,
    news_window: timedelta = FIRST_CRAWL_NEWS_WINDOW,
) -> bool:
    """History: published long ago, or found by the first fetch of its source or thread and not
    published inside the current detection window.

    A first crawl brings in months of old posts at once; counting them as this hour's
    mentions would raise a spike on every new source. What it finds published in the last
    ``news_window`` is a crisis already running when monitoring started, and is news. A first
    crawl's undated items stay history: nothing says they are recent.
    """
    if published_at is not None and now - published_at > NEWS_MAX_AGE:
        return True
    if first_fetch:
        return published_at is None or now - published_at > news_window
    return False
