"""Grouping detections into episodes: one alert per burst, cooldowns, escalation."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor.domain.alerts import (
    PRESETS,
    AlertEpisode,
    Detection,
    Figures,
    MentionPoint,
    OpenEpisode,
    Severity,
    SuppressDetection,
    UpdateEpisode,
    decide_episode,
    decide_episodes_to_resolve,
    decide_volume_spike,
)

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
COOLDOWN = timedelta(hours=6)
GAP = timedelta(hours=2)


def detection(severity: Severity = "warning", *, at: datetime = NOW, brand_id: int = 1,
              kind: str = "volume_spike", subject_id: int | None = None) -> Detection:
    figures = Figures(unit="mentions", observed=30, expected=3, window_start=at - HOUR,
                      window_end=at, baseline_method="flat")
    return Detection(kind=kind, severity=severity, detected_at=at,  # type: ignore[arg-type]
                     summary="30 mentions", figures=figures, brand_id=brand_id,
                     subject_id=subject_id)


def episode(alert_id: int = 9, *, severity: Severity = "warning", last_seen: datetime,
            resolved: datetime | None = None, brand_id: int = 1,
            kind: str = "volume_spike", subject_id: int | None = None) -> AlertEpisode:
    return AlertEpisode(alert_id=alert_id, kind=kind, severity=severity,  # type: ignore[arg-type]
                        opened_at=last_seen - HOUR, last_seen_at=last_seen, brand_id=brand_id,
                        subject_id=subject_id, resolved_at=resolved)


def decide(det: Detection, alerts: list[AlertEpisode]) -> object:
    return decide_episode(det, alerts, now=NOW, cooldown=COOLDOWN, episode_gap=GAP)


def test_first_detection_opens_an_episode() -> None:
    intent = decide(detection(), [])
    assert isinstance(intent, OpenEpisode)
    assert intent.notify


def test_detection_during_an_ongoing_episode_updates_it_quietly() -> None:
    intent = decide(detection(), [episode(last_seen=NOW - 30 * timedelta(minutes=1))])
    assert intent == UpdateEpisode(alert_id=9, detection=detection(), escalated=False)
    assert not intent.notify


def test_escalation_updates_and_notifies() -> None:
    intent = decide(detection("critical"), [episode(last_seen=NOW - HOUR)])
    assert isinstance(intent, UpdateEpisode)
    assert intent.escalated
    assert intent.notify


def test_detection_soon_after_an_episode_ended_is_suppressed() -> None:
    ended = NOW - 3 * HOUR
    intent = decide(detection(), [episode(last_seen=ended)])
    assert intent == SuppressDetection(alert_id=9, until=ended + COOLDOWN)
    assert not intent.notify


def test_resolved_episode_starts_the_cooldown_from_resolution() -> None:
    alerts = [episode(last_seen=NOW - 8 * HOUR, resolved=NOW - HOUR)]
    assert isinstance(decide(detection(), alerts), SuppressDetection)
    assert isinstance(decide(detection("critical"), alerts), OpenEpisode)


def test_after_the_cooldown_a_new_episode_opens() -> None:
    intent = decide(detection(), [episode(last_seen=NOW - COOLDOWN - timedelta(seconds=1))])
    assert isinstance(intent, OpenEpisode)


@pytest.mark.parametrize("other", [
    {"brand_id": 2}, {"kind": "sentiment_shift"}, {"subject_id": 5},
])
def test_cooldown_is_per_brand_kind_and_subject(other: dict[str, object]) -> None:
    alerts = [episode(last_seen=NOW - 10 * timedelta(minutes=1), **other)]  # type: ignore[arg-type]
    assert isinstance(decide(detection(), alerts), OpenEpisode)


def test_the_latest_related_episode_decides() -> None:
    alerts = [episode(1, last_seen=NOW - 20 * HOUR), episode(2, last_seen=NOW - 30 * timedelta(
        minutes=1))]
    intent = decide(detection(), alerts)
    assert isinstance(intent, UpdateEpisode)
    assert intent.alert_id == 2


def test_stale_unresolved_episodes_are_listed_for_resolution() -> None:
    alerts = [episode(1, last_seen=NOW - 3 * HOUR), episode(2, last_seen=NOW - HOUR),
              episode(3, last_seen=NOW - 5 * HOUR, resolved=NOW - 4 * HOUR)]
    assert decide_episodes_to_resolve(alerts, now=NOW, episode_gap=GAP) == (1,)


def test_alert_storm_groups_into_one_episode() -> None:
    """A four-hour storm evaluated every ten minutes raises one alert, updated as it grows."""
    rng = random.Random(3)
    start = NOW - timedelta(days=14)
    points = [MentionPoint(start + timedelta(hours=rng.uniform(0, 14 * 24 - 5)),
                           start + timedelta(hours=14 * 24 - 5), "neutral") for _ in range(300)]
    storm_start = NOW - 4 * HOUR
    points += [MentionPoint(storm_start + timedelta(minutes=m / 3), storm_start + timedelta(
        minutes=m / 3 + 4), "negative") for m in range(4 * 60 * 3)]
    settings = replace(PRESETS["medium"], cooldown=COOLDOWN, episode_gap=GAP)
    stored: list[AlertEpisode] = []
    opened = notified = updated = 0
    now = storm_start
    while now <= NOW + 3 * HOUR:
        visible = [p for p in points if p.discovered_at <= now]
        found = decide_volume_spike(visible, now=now, tracked_since=start, settings=settings,
                                    brand_id=1)
        if found is not None:
            intent = decide_episode(found, stored, now=now, cooldown=settings.cooldown,
                                    episode_gap=settings.episode_gap)
            notified += intent.notify
            if isinstance(intent, OpenEpisode):
                opened += 1
                stored.append(AlertEpisode(len(stored) + 1, found.kind, found.severity, now, now,
                                           brand_id=1))
            elif isinstance(intent, UpdateEpisode):
                updated += 1
                old = next(e for e in stored if e.alert_id == intent.alert_id)
                stored[stored.index(old)] = replace(old, last_seen_at=now,
                                                    severity=found.severity)
        now += timedelta(minutes=10)
    assert opened == 1
    assert updated >= 12
    assert notified <= 3  # the opening plus at most one escalation per tier
