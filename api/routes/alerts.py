"""The alert feed: episodes detection opened, with their explanation and deliveries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from api.deps import ReadDep, SessionDep, WriteDep
from api.routes.mentions import as_utc
from api.schemas import ERROR_RESPONSES, AlertDetailOut, AlertOut, AlertPageOut, DeliveryOut
from monitor.db.models_alerts import Alert, Delivery
from monitor.db.repositories import BrandRepository
from monitor.db.repositories._cursor import decode_cursor
from monitor.db.repositories.alert_triage import save_acknowledgement, save_resolution
from monitor.db.repositories.alerts import AlertFilter, AlertRepository
from monitor.errors import InvalidInputError

router = APIRouter(prefix="/api/v1", tags=["alerts"], responses=ERROR_RESPONSES)
AlertId = Annotated[int, Path(ge=1, le=2_147_483_647, description="alert id")]
AlertKind = Literal["volume_spike", "sentiment_shift", "rule_match", "source_silence",
                    "brand_silence"]


@router.get("/alerts", response_model=AlertPageOut, summary="Alerts, newest first")
def list_alerts(
    session: SessionDep,
    _who: ReadDep,
    brand: Annotated[str | None, Query(max_length=200)] = None,
    kind: AlertKind | None = None,
    severity: Literal["info", "warning", "critical"] | None = None,
    state: Literal["open", "resolved"] | None = None,
    since: Annotated[datetime | None, Query(description="created at or after; ISO 8601")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> AlertPageOut:
    repo = AlertRepository(session)
    filters = AlertFilter(brand=brand or None, kind=kind, severity=severity, state=state,
                          since=as_utc(since))
    page = repo.list_page(filters, limit=limit, cursor=checked_cursor(cursor))
    names = brand_names(session)
    deliveries = repo.deliveries_for([a.id for a in page.alerts])
    return AlertPageOut(items=[alert_out(a, names, deliveries.get(a.id, []))
                               for a in page.alerts],
                        next_cursor=page.next_cursor,
                        brandless_hidden=repo.count_brandless_hidden(filters))


@router.get("/alerts/{alert_id}", response_model=AlertDetailOut,
            summary="One alert: why it fired, and where it was sent")
def get_alert(alert_id: AlertId, session: SessionDep, _who: ReadDep) -> AlertDetailOut:
    return alert_detail(session, alert_id)


@router.post("/alerts/{alert_id}/ack", response_model=AlertDetailOut,
             summary="Acknowledge an alert: someone is on it")
def acknowledge_alert(alert_id: AlertId, session: SessionDep, _who: WriteDep
                      ) -> AlertDetailOut:
    save_acknowledgement(session, alert_id, datetime.now(UTC))
    return alert_detail(session, alert_id)


@router.post("/alerts/{alert_id}/resolve", response_model=AlertDetailOut,
             summary="Resolve an alert: the episode is over")
def resolve_alert(alert_id: AlertId, session: SessionDep, _who: WriteDep) -> AlertDetailOut:
    save_resolution(session, alert_id, datetime.now(UTC))
    return alert_detail(session, alert_id)


def checked_cursor(cursor: str | None) -> str | None:
    """The cursor when it decodes to something the database can compare; else a 422."""
    if not cursor:
        return None
    try:
        _created, alert_id = decode_cursor(cursor)
    except OverflowError:
        alert_id = -1
    if not 0 < alert_id < 2**62:
        raise InvalidInputError("cursor is not one this API returned")
    return cursor


def brand_names(session: Session) -> dict[int, str]:
    return {brand.id: brand.name for brand in BrandRepository(session).list_all()}


def alert_detail(session: Session, alert_id: int) -> AlertDetailOut:
    repo = AlertRepository(session)
    alert = repo.get(alert_id)
    deliveries = repo.deliveries_for([alert.id]).get(alert.id, [])
    return AlertDetailOut(
        **alert_out(alert, brand_names(session), deliveries).model_dump(),
        explanation=dict(alert.explanation or {}),
    )


def alert_out(alert: Alert, brand_names: dict[int, str], deliveries: list[Delivery]
              ) -> AlertOut:
    return AlertOut(
        id=alert.id, brand=brand_names.get(alert.brand_id) if alert.brand_id else None,
        kind=alert.kind, severity=alert.severity, state=alert.state, subject=alert.subject,
        title=alert.title, summary=alert.summary, window_start=alert.window_start,
        window_end=alert.window_end, mention_count=alert.mention_count,
        mentions_url=f"/api/v1/inbox?alert={alert.id}",
        notifications=alert.notifications, created_at=alert.created_at,
        last_seen_at=alert.last_seen_at, acknowledged_at=alert.acknowledged_at,
        resolved_at=alert.resolved_at,
        deliveries=[DeliveryOut.model_validate(d) for d in deliveries],
    )
