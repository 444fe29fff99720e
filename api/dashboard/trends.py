"""The trends page: the trends API's figures drawn as inline SVG."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.dashboard.auth import DeskDep
from api.dashboard.charts import VolumeBar, render_bar_list, render_volume_chart
from api.dashboard.inbox_view import SOURCE_KINDS
from api.dashboard.render import render_page
from api.deps import SessionDep
from api.routes.trends import compute_trends, trend_request
from monitor.db.repositories import BrandRepository, MentionRepository
from monitor.db.repositories.mentions import MentionFilter
from monitor.domain.buckets import Interval
from monitor.errors import InvalidInputError

router = APIRouter(include_in_schema=False)
INTERVALS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}


@dataclass(frozen=True, slots=True)
class TrendLinks:
    """Links from each figure to the mentions behind it: the inbox with the same filters."""

    brand: str | None
    source_kind: str | None
    since: datetime
    until: datetime

    def query(self, **changes: object) -> str:
        params: dict[str, object] = {
            "brand": self.brand, "source_kind": self.source_kind,
            "since": self.since.isoformat(), "until": self.until.isoformat(), **changes}
        return urlencode({k: (v.isoformat() if isinstance(v, datetime) else v)
                          for k, v in params.items() if v})

    def to(self, **changes: object) -> str:
        return "/inbox?" + self.query(state="all", **changes)


def _known_brand(session: SessionDep, filters: MentionFilter, notices: list[str]
                 ) -> MentionFilter:
    try:
        MentionRepository(session).check_brand(filters.brand)
    except InvalidInputError as error:
        notices.append(f"Ignored brand: {error}.")
        return replace(filters, brand=None)
    return filters
LABEL_FORMATS = {"hour": "%d %H:00", "day": "%d %b", "week": "%d %b"}


def _date(value: str, notices: list[str], name: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        notices.append(f"Ignored {name}: write a date like 2026-11-20.")
        return None


@router.get("/trends")
def trends_page(request: Request, session: SessionDep, principal: DeskDep) -> Response:
    params, notices = request.query_params, list[str]()
    interval = params.get("interval", "day")
    if interval not in get_args(Interval):
        interval = "day"
    source_kind = params.get("source_kind") if params.get("source_kind") in SOURCE_KINDS else None
    filters = MentionFilter(
        brand=params.get("brand", "").strip()[:200] or None, source_kind=source_kind,
        since=_date(params.get("since", ""), notices, "since"),
        until=_date(params.get("until", ""), notices, "until"),
    )
    now = datetime.now(UTC)
    filters = _known_brand(session, filters, notices)
    try:
        trends = compute_trends(session, trend_request(filters, interval, now))  # type: ignore[arg-type]
    except InvalidInputError as exc:
        notices.append(f"{exc} — showing the default window.")
        default = MentionFilter(brand=filters.brand, source_kind=source_kind)
        trends = compute_trends(session, trend_request(default, interval, now))  # type: ignore[arg-type]
    bars = [VolumeBar(b.start, {"positive": b.positive, "negative": b.negative,
                                "neutral": b.neutral, "unscored": b.unscored}, b.avg_sentiment)
            for b in trends.buckets]
    link = TrendLinks(trends.brand, source_kind, trends.since, trends.until)
    step = INTERVALS[trends.interval]
    return render_page(
        request, "trends.html", principal, trends=trends, notices=notices,
        volume_chart=render_volume_chart(
            bars, LABEL_FORMATS[trends.interval],
            hrefs=[link.to(since=b.start, until=b.start + step) for b in trends.buckets]),
        share_chart=render_bar_list(
            [(s.brand, s.mentions) for s in trends.share_of_voice], "bar-brand",
            "Share of voice", hrefs=[link.to(brand=s.brand) for s in trends.share_of_voice]),
        topic_chart=render_bar_list(
            [(t.topic, t.mentions) for t in trends.top_topics], "bar-topic", "Top topics",
            hrefs=[link.to(topic=t.topic) for t in trends.top_topics]),
        link=link, export_query=link.query(interval=trends.interval),
        total=sum(b.mentions for b in trends.buckets),
        brands=[b.name for b in BrandRepository(session).list_all()],
        params=params,
    )
