"""Render the weekly (or daily) digest e-mail (subject, HTML, text) from DigestData."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from monitor.domain.alerts import SentimentSplit, TermCount
from monitor.notify.digest_data import (
    BrandDigest,
    DayVolume,
    DigestAlert,
    DigestData,
    DigestThread,
    RisingTerm,
)
from monitor.notify.message import KIND_LABELS, SEVERITY_LABELS, compute_alert_url
from monitor.notify.slack_blocks import render_safe_url

TEXT_BAR_CHARS = 30


@dataclass(frozen=True, slots=True)
class DayBar:
    """One day of the chart: widths are percentages of the busiest day."""

    label: str
    mentions: int
    negative: int
    negative_width: int
    other_width: int

    @property
    def rest_width(self) -> int:
        return 100 - self.negative_width - self.other_width

    @property
    def text_bar(self) -> str:
        chars = round((self.negative_width + self.other_width) * TEXT_BAR_CHARS / 100)
        return "#" * chars


@dataclass(frozen=True, slots=True)
class AlertLine:
    severity: str
    kind: str
    summary: str
    opened: str
    url: str | None
    subject: str = ""


@dataclass(frozen=True, slots=True)
class ThreadLine:
    title: str
    url: str | None
    source_name: str
    mentions: int
    negative: int
    last_activity: str | None


@dataclass(frozen=True, slots=True)
class BrandView:
    """Everything the templates print for one brand, already computed."""

    name: str
    mentions: int
    previous_mentions: int
    change: str
    sentiment: SentimentSplit
    negative_share: str
    negative_change: str
    share_of_voice: str
    share_change: str
    share_width: int
    days: tuple[DayBar, ...]
    top_topics: tuple[TermCount, ...]
    rising_terms: tuple[RisingTerm, ...]
    alerts: tuple[AlertLine, ...]
    top_threads: tuple[ThreadLine, ...]
    unanswered_negative: tuple[ThreadLine, ...]
    # "3 (es 2, unknown 1)": mentions without a sentiment and their languages, or "".
    unscored: str = ""


def compute_change_label(current: int, previous: int) -> str:
    """``+12%``, ``-5%``, ``±0%``, or ``new`` when last week had none."""
    if previous == 0:
        return "±0%" if current == 0 else "new"
    change = round((current - previous) / previous * 100)
    return "±0%" if change == 0 else f"{change:+d}%"


def compute_points_label(current: float, previous: float) -> str:
    """Difference of two shares in percentage points: ``+4 pts``."""
    points = round((current - previous) * 100)
    return "±0 pts" if points == 0 else f"{points:+d} pts"


def compute_share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def compute_day_bars(days: Sequence[DayVolume]) -> tuple[DayBar, ...]:
    """Bars scaled to the busiest day, the negative part first."""
    peak = max((d.mentions for d in days), default=0)
    bars = []
    for day in days:
        total = round(compute_share(day.mentions, peak) * 100)
        negative = min(total, round(compute_share(min(day.negative, day.mentions), peak) * 100))
        bars.append(DayBar(day.day.strftime("%a %d %b"), day.mentions, day.negative, negative,
                           total - negative))
    return tuple(bars)


def render_local_time(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return None if moment is None else moment.astimezone(zone).strftime("%a %d %b %H:%M")


def compute_alert_lines(alerts: Sequence[DigestAlert], data: DigestData,
                        zone: ZoneInfo) -> tuple[AlertLine, ...]:
    ordered = sorted(alerts, key=lambda a: (a.opened_at, a.alert_id))
    return tuple(AlertLine(SEVERITY_LABELS[a.severity], KIND_LABELS[a.kind], a.summary,
                           render_local_time(a.opened_at, zone) or "",
                           render_safe_url(compute_alert_url(data.dashboard_url, a.alert_id)),
                           " ".join(a.subject.split()))
                 for a in ordered)


def compute_thread_lines(threads: Sequence[DigestThread], zone: ZoneInfo) -> tuple[
        ThreadLine, ...]:
    return tuple(ThreadLine(" ".join(t.title.split()) or t.url, render_safe_url(t.url),
                            " ".join(t.source_name.split()), t.mentions, t.negative,
                            render_local_time(t.last_activity_at, zone)) for t in threads)


def compute_brand_view(brand: BrandDigest, data: DigestData, zone: ZoneInfo) -> BrandView:
    """Percentages, changes and bars for one brand (share of voice against all brands)."""
    total = sum(b.mentions for b in data.brands)
    previous_total = sum(b.previous_mentions for b in data.brands)
    share = compute_share(brand.mentions, total)
    previous_share = compute_share(brand.previous_mentions, previous_total)
    negative = brand.sentiment.negative_share
    return BrandView(
        name=" ".join(brand.name.split()), mentions=brand.mentions,
        previous_mentions=brand.previous_mentions,
        change=compute_change_label(brand.mentions, brand.previous_mentions),
        sentiment=brand.sentiment, negative_share=f"{negative:.0%}",
        negative_change=compute_points_label(negative, brand.previous_sentiment.negative_share),
        share_of_voice=f"{share:.0%}", share_change=compute_points_label(share, previous_share),
        share_width=round(share * 100), days=compute_day_bars(brand.days),
        top_topics=brand.top_topics, rising_terms=brand.rising_terms,
        alerts=compute_alert_lines(brand.alerts, data, zone),
        top_threads=compute_thread_lines(brand.top_threads, zone),
        unanswered_negative=compute_thread_lines(brand.unanswered_negative, zone),
        unscored=compute_unscored_label(brand.unscored),
    )


def compute_unscored_label(unscored: Sequence[TermCount]) -> str:
    """"3 (es 2, unknown 1)" for mentions left unscored, by language; "" when there are none."""
    total = sum(t.count for t in unscored)
    if not total:
        return ""
    return f"{total} ({', '.join(f'{t.term} {t.count}' for t in unscored)})"


@lru_cache(maxsize=1)
def compute_environment() -> Environment:
    """HTML templates autoescape (crawled titles are untrusted); the text template does not."""
    return Environment(
        loader=PackageLoader("monitor.notify", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def compute_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} for the digest; use an IANA name "
                         "such as Europe/Berlin") from None


def render_digest_heading(data: DigestData) -> str:
    """``Weekly brand digest 2026-W47`` or ``Daily brand digest Fri 04 Dec 2026``."""
    if data.cadence == "daily":
        day = date.fromisoformat(data.week)
        return f"Daily brand digest {day.strftime('%a %d %b %Y')}"
    return f"Weekly brand digest {data.week}"


def render_digest_subject(data: DigestData) -> str:
    mentions = sum(b.mentions for b in data.brands)
    alerts = sum(len(b.alerts) for b in data.brands) + len(data.other_alerts)
    noun = "alert" if alerts == 1 else "alerts"
    return f"{render_digest_heading(data)}: {mentions:,} mentions, {alerts} {noun}"


def render_digest(data: DigestData) -> tuple[str, str, str]:
    """Subject, HTML body and plain-text body of the weekly (or daily) digest."""
    zone = compute_zone(data.timezone)
    subject = render_digest_subject(data)
    daily = data.cadence == "daily"
    context = {
        "data": data,
        "heading": render_digest_heading(data),
        "period_word": "day" if daily else "week",
        "previous_word": "the day before" if daily else "last week",
        "brands": [compute_brand_view(b, data, zone) for b in data.brands],
        "other_alerts": compute_alert_lines(data.other_alerts, data, zone),
        "period": (f"{render_local_time(data.start, zone)} – "
                   f"{render_local_time(data.end, zone)} ({data.timezone})"),
        "dashboard_url": render_safe_url(data.dashboard_url),
        "subject": subject,
    }
    env = compute_environment()
    html = env.get_template("digest.html").render(context)
    text = env.get_template("digest.txt").render(context)
    return subject, html, text
