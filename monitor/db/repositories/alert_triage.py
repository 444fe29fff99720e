"""What people do with an alert on the desk: acknowledge it ("someone is on it"), resolve it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from monitor.db.models_alerts import Alert
from monitor.db.repositories.alerts import AlertRepository


def save_acknowledgement(session: Session, alert_id: int, now: datetime) -> Alert:
    """Mark the alert acknowledged (once: the first time is kept). Its episode state, which
    detection manages, is left alone so a quiet episode still resolves on its own."""
    alert = AlertRepository(session).get(alert_id)
    alert.acknowledged_at = alert.acknowledged_at or now
    session.flush()
    return alert


def save_resolution(session: Session, alert_id: int, now: datetime) -> Alert:
    """Close the episode by hand. A new detection within the cooldown stays quiet unless it is
    more severe; after it, a new episode opens."""
    alert = AlertRepository(session).get(alert_id)
    if alert.state != "resolved":
        alert.state, alert.resolved_at = "resolved", now
        alert.acknowledged_at = alert.acknowledged_at or now
    session.flush()
    return alert
