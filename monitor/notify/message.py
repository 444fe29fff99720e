"""What a notification is about: one stored alert with its explanation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.domain.alerts import AlertKind, Explanation, Severity

KIND_LABELS: dict[AlertKind, str] = {
    "volume_spike": "Volume spike",
    "sentiment_shift": "Sentiment shift",
    "rule_match": "Rule match",
    "source_silence": "Source failing",
    "brand_silence": "Brand gone quiet",
}
SEVERITY_LABELS: dict[Severity, str] = {
    "info": "Info",
    "warning": "Warning",
    "critical": "Critical",
}


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """An alert ready to render.

    ``subject`` is the brand's name (the source's name for a failing source). ``escalated``
    marks a re-notification because an open episode grew more severe.
    """

    alert_id: int
    subject: str
    kind: AlertKind
    severity: Severity
    opened_at: datetime
    explanation: Explanation
    escalated: bool = False


def compute_alert_url(dashboard_url: str, alert_id: int) -> str:
    """The alert's page in the dashboard: ``{dashboard_url}/alerts/{id}``."""
    return f"{dashboard_url.rstrip('/')}/alerts/{alert_id}"


def compute_alert_mentions_url(dashboard_url: str, alert_id: int) -> str:
    """The inbox showing exactly the mentions behind the alert."""
    return f"{dashboard_url.rstrip('/')}/inbox?state=all&alert={alert_id}"


def render_alert_title(alert: AlertMessage) -> str:
    """``Critical: Acme — Volume spike``."""
    return f"{SEVERITY_LABELS[alert.severity]}: {alert.subject} — {KIND_LABELS[alert.kind]}"
