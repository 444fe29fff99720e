"""Episodes: one alert per burst, updated as it grows, quiet during its cooldown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.domain.alerts.detection import AlertKind, Detection
from monitor.domain.alerts.settings import Severity, compute_severity_rank

DEFAULT_EPISODE_GAP = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class AlertEpisode:
    """An alert already stored: what the pipeline loads to decide on a new detection.

    ``last_seen_at`` is the last time a detection fed this alert; ``resolved_at`` is set when a
    person or the pipeline closed it.
    """

    alert_id: int
    kind: AlertKind
    severity: Severity
    opened_at: datetime
    last_seen_at: datetime
    brand_id: int | None = None
    subject_id: int | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OpenEpisode:
    """Store a new alert for the detection and notify."""

    detection: Detection

    @property
    def notify(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class UpdateEpisode:
    """Refresh alert ``alert_id`` with the detection; notify again only if it escalated."""

    alert_id: int
    detection: Detection
    escalated: bool

    @property
    def notify(self) -> bool:
        return self.escalated


@dataclass(frozen=True, slots=True)
class SuppressDetection:
    """Drop the detection: alert ``alert_id`` ended recently and the cooldown runs ``until``."""

    alert_id: int
    until: datetime

    @property
    def notify(self) -> bool:
        return False


EpisodeIntent = OpenEpisode | UpdateEpisode | SuppressDetection


def decide_same_episode_key(detection: Detection, episode: AlertEpisode) -> bool:
    """Cooldowns and grouping apply per brand, kind and (for rules and sources) subject."""
    return (episode.kind == detection.kind and episode.brand_id == detection.brand_id
            and episode.subject_id == detection.subject_id)


def compute_episode_end(episode: AlertEpisode) -> datetime:
    """When the episode last showed signs of life."""
    if episode.resolved_at is None:
        return episode.last_seen_at
    return max(episode.last_seen_at, episode.resolved_at)


def decide_episode(
    detection: Detection, open_alerts: Sequence[AlertEpisode], *, now: datetime,
    cooldown: timedelta, episode_gap: timedelta = DEFAULT_EPISODE_GAP,
) -> EpisodeIntent:
    """Open, update or suppress, given the brand's recent alerts (resolved ones included).

    An unresolved alert of the same key seen within ``episode_gap`` is the same episode. After
    that, a new detection within ``cooldown`` of the last episode is suppressed unless it is
    more severe, which reopens (updates) the unresolved alert or opens a new one.
    """
    related = [e for e in open_alerts if decide_same_episode_key(detection, e)]
    if not related:
        return OpenEpisode(detection)
    latest = max(related, key=lambda e: (compute_episode_end(e), e.alert_id))
    escalated = compute_severity_rank(detection.severity) > compute_severity_rank(latest.severity)
    ongoing = latest.resolved_at is None
    if ongoing and now - latest.last_seen_at <= episode_gap:
        return UpdateEpisode(latest.alert_id, detection, escalated)
    until = compute_episode_end(latest) + cooldown
    if now >= until:
        return OpenEpisode(detection)
    if not escalated:
        return SuppressDetection(latest.alert_id, until)
    return UpdateEpisode(latest.alert_id, detection, True) if ongoing else OpenEpisode(detection)


def decide_episodes_to_resolve(
    open_alerts: Sequence[AlertEpisode], *, now: datetime,
    episode_gap: timedelta = DEFAULT_EPISODE_GAP,
) -> tuple[int, ...]:
    """Ids of unresolved alerts with no detection for longer than ``episode_gap``."""
    return tuple(e.alert_id for e in open_alerts
                 if e.resolved_at is None and now - e.last_seen_at > episode_gap)
