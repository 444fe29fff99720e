"""The alert feed and one alert with its explanation, on the desk."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.dashboard.auth import DeskDep
from api.dashboard.inbox import require_write
from api.dashboard.render import render_page
from api.deps import SessionDep
from api.routes.alerts import alert_detail, alert_out, brand_names, checked_cursor
from monitor.db.repositories import BrandRepository
from monitor.db.repositories.alert_triage import save_acknowledgement, save_resolution
from monitor.db.repositories.alerts import AlertFilter, AlertRepository
from monitor.domain.alerts.wording import (
    compute_baseline_phrase,
    compute_figure_line,
    compute_figures_from_record,
)
from monitor.errors import InvalidInputError

router = APIRouter(include_in_schema=False)
SEVERITIES = ("critical", "warning", "info")
STATES = ("open", "resolved")
PAGE_SIZE = 50


def _choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


@router.get("/alerts")
def alerts_page(request: Request, session: SessionDep, principal: DeskDep) -> Response:
    params = request.query_params
    filters = AlertFilter(brand=params.get("brand", "").strip()[:200] or None,
                          severity=_choice(params.get("severity"), SEVERITIES),
                          state=_choice(params.get("state"), STATES))
    repo = AlertRepository(session)
    try:
        cursor = checked_cursor(params.get("cursor") or None)
    except InvalidInputError:
        cursor = None
    page = repo.list_page(filters, limit=PAGE_SIZE, cursor=cursor)
    names = brand_names(session)
    return render_page(
        request, "alerts.html", principal, alerts=[alert_out(a, names, []) for a in page.alerts],
        next_cursor=page.next_cursor, filters=filters, severities=SEVERITIES, states=STATES,
        brandless_hidden=repo.count_brandless_hidden(filters),
        brands=[b.name for b in BrandRepository(session).list_all()],
    )


@router.get("/alerts/{alert_id}")
def alert_page(alert_id: int, request: Request, session: SessionDep, principal: DeskDep
               ) -> Response:
    if not 0 < alert_id < 2**31:
        raise InvalidInputError("no such alert")
    alert = alert_detail(session, alert_id)
    return render_page(request, "alert.html", principal, alert=alert,
                       explanation=_explanation(alert.explanation))


def _explanation(record: dict[str, Any]) -> dict[str, Any]:
    """The stored explanation with every part present, so the template need not guess."""
    sentiment = record.get("sentiment") or {}
    total = sum(int(sentiment.get(k, 0)) for k in ("positive", "neutral", "negative"))
    return {
        "figures": record.get("figures") or {}, "sentiment": sentiment, "total": total,
        "top_terms": record.get("top_terms") or [], "top_topics": record.get("top_topics") or [],
        "top_sources": record.get("top_sources") or [],
        "top_threads": record.get("top_threads") or [], "samples": record.get("samples") or [],
        "facts": _facts(record.get("figures") or {}),
    }


def _facts(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The figures in words: the main figure, then what it was compared with."""
    figures = compute_figures_from_record(record)
    if figures is None:
        return []
    return [compute_figure_line(figures), ("Compared with", compute_baseline_phrase(figures))]


@router.post("/alerts/{alert_id}/{action}")
def triage(alert_id: int, action: Literal["ack", "resolve"], session: SessionDep,
           principal: DeskDep, csrf_token: Annotated[str, Form(max_length=100)] = "") -> Response:
    require_write(principal, csrf_token)
    if not 0 < alert_id < 2**31:
        raise InvalidInputError("no such alert")
    save = save_acknowledgement if action == "ack" else save_resolution
    save(session, alert_id, datetime.now(UTC))
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)
