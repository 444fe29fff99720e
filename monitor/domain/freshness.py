"""Is a newly stored mention news, or history that only feeds baselines?"""

from __future__ import annotations

from datetime import datetime, timedelta

NEWS_MAX_AGE = timedelta(hours=48)


def decide_backfill(*, first_fetch: bool, published_at: datetime | None, now: datetime) -> bool:
    """History: found by the first fetch of its source or thread, or published long ago.

    A first crawl brings in months of old posts at once; counting them as this hour's
    mentions would raise a spike on every new source.
    """
    if first_fetch:
        return True
    return published_at is not None and now - published_at > NEWS_MAX_AGE
