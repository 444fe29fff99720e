"""What the weekly (or daily) digest shows; the pipeline fills these from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from monitor.domain.alerts import AlertKind, SentimentSplit, Severity, TermCount


@dataclass(frozen=True, slots=True)
class DayVolume:
    """One local day of the week: mentions and how many were negative."""

    day: date
    mentions: int
    negative: int = 0


@dataclass(frozen=True, slots=True)
class RisingTerm:
    """A term used more this week than the week before."""

    term: str
    count: int
    previous_count: int


@dataclass(frozen=True, slots=True)
class DigestAlert:
    """An alert opened during the week."""

    alert_id: int
    kind: AlertKind
    severity: Severity
    summary: str
    opened_at: datetime
    subject: str = ""  # what it is about, shown for alerts that belong to no brand


@dataclass(frozen=True, slots=True)
class DigestThread:
    """A thread with the brand's mentions (most discussed, or negative and unanswered)."""

    title: str
    url: str
    source_name: str
    mentions: int
    negative: int = 0
    last_activity_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class BrandDigest:
    """One brand's week against the week before."""

    brand_id: int
    name: str
    mentions: int
    previous_mentions: int
    sentiment: SentimentSplit
    previous_sentiment: SentimentSplit
    days: tuple[DayVolume, ...] = ()
    top_topics: tuple[TermCount, ...] = ()
    rising_terms: tuple[RisingTerm, ...] = ()
    alerts: tuple[DigestAlert, ...] = ()
    top_threads: tuple[DigestThread, ...] = ()
    unanswered_negative: tuple[DigestThread, ...] = ()
    # Mentions without a sentiment, per language ("unknown" when undetected).
    unscored: tuple[TermCount, ...] = ()


@dataclass(frozen=True, slots=True)
class DigestData:
    """The whole digest: an ISO week (``2026-W47``), its bounds, and every brand.

    ``timezone`` is the IANA name the week and times are shown in. A daily digest
    (``cadence="daily"``) holds the day (``2026-12-04``) in ``week`` and compares with the day
    before.
    """

    week: str
    start: datetime
    end: datetime
    timezone: str
    generated_at: datetime
    dashboard_url: str
    brands: tuple[BrandDigest, ...]
    # Alerts of the week that belong to no listed brand: rules across brands, failing sources.
    other_alerts: tuple[DigestAlert, ...] = ()
    cadence: Literal["weekly", "daily"] = "weekly"
