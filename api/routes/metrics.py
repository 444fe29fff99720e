"""``GET /metrics`` for Prometheus, computed from the database at each scrape."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from api.deps import SessionDep, bearer_scheme, get_settings, key_principal
from monitor.db.repositories.metrics import Figures, MetricsRepository

router = APIRouter(tags=["health"])
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def _allowed(
    request: Request, session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> None:
    access = get_settings(request).api.metrics_access
    if access == "public":
        return
    if access == "loopback":
        if request.client is None or request.client.host not in LOOPBACK:
            raise HTTPException(status_code=403, detail="metrics are served to loopback only")
        return
    principal = key_principal(session, credentials.credentials) if credentials else None
    if principal is None:
        raise HTTPException(status_code=401, detail="metrics need an API key with read scope",
                            headers={"WWW-Authenticate": "Bearer"})
    if not principal.can("read"):
        raise HTTPException(status_code=403, detail="this needs the 'read' scope")


@router.get("/metrics", response_class=Response, summary="Prometheus metrics",
            responses={200: {"content": {"text/plain": {"example": (
                "# TYPE brand_monitor_documents gauge\nbrand_monitor_documents 1234.0\n")}}}})
def metrics(session: SessionDep, _ok: Annotated[None, Depends(_allowed)]) -> Response:
    """Source health, errors, queue lag, documents, mentions, alerts and deliveries.

    Access follows `api.metrics_access`: an API key (default), loopback only, or public.
    """
    figures = MetricsRepository(session).load_figures(datetime.now(UTC))
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_FiguresCollector(figures))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class _FiguresCollector(Collector):
    def __init__(self, figures: Figures) -> None:
        self.figures = figures

    def collect(self) -> Iterator[GaugeMetricFamily]:
        f = self.figures
        yield _labelled("brand_monitor_sources", "Sources by fetch health", ["health"],
                        {(k,): v for k, v in f.sources_by_health.items()})
        yield _labelled("brand_monitor_sources_last_fetch", "Sources by their last fetch's "
                        "outcome", ["status"],
                        {(k,): v for k, v in f.sources_by_last_status.items()})
        yield GaugeMetricFamily("brand_monitor_source_errors",
                                "Consecutive fetch failures summed over sources",
                                value=f.source_errors)
        yield GaugeMetricFamily("brand_monitor_last_fetch_timestamp_seconds",
                                "When a source was last fetched (Unix time)",
                                value=f.last_fetch_at.timestamp() if f.last_fetch_at else 0)
        yield GaugeMetricFamily("brand_monitor_queue_lag_seconds",
                                "How overdue the most overdue enabled source is",
                                value=f.queue_lag_seconds)
        yield GaugeMetricFamily("brand_monitor_documents", "Stored documents", value=f.documents)
        yield _labelled("brand_monitor_mentions", "Stored mentions", ["brand", "sentiment"],
                        f.mentions)
        yield _labelled("brand_monitor_inbox_items", "Inbox items by stored state",
                        ["state"], {(k,): v for k, v in f.inbox.items()})
        yield GaugeMetricFamily("brand_monitor_threads_followed", "Threads being followed",
                                value=f.threads_followed)
        yield _labelled("brand_monitor_alerts", "Alerts by state and severity",
                        ["state", "severity"], f.alerts)
        yield _labelled("brand_monitor_deliveries", "Alert deliveries by channel and status",
                        ["channel", "status"], f.deliveries)


def _labelled(name: str, documentation: str, labels: list[str],
              values: Mapping[tuple[str, ...], int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for key, value in sorted(values.items()):
        family.add_metric(list(key), value)
    return family
