"""Evaluate alerts after a cycle: run the detectors, group detections into episodes, queue
the messages. Decisions are the pure functions of ``monitor.domain.alerts``; this module only
reads their inputs and performs their intents."""

from __future__ import annotations

import dataclasses
import logging
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from monitor.config import AlertingSettings, AlertRuleSettings, Settings
from monitor.db.engine import unit_of_work
from monitor.db.models import Brand, Document, Mention, Source
from monitor.db.models_alerts import Alert
from monitor.db.repositories import BrandRepository, SourceRepository
from monitor.db.repositories.alerts import AlertRepository
from monitor.db.repositories.mentions import ALERT_MENTION_IDS
from monitor.domain.alerts import (
    AlertEpisode,
    AlertSettings,
    Detection,
    MentionPoint,
    MentionRow,
    OpenEpisode,
    RuleMatch,
    RuleQuery,
    Severity,
    SourceHealth,
    UpdateEpisode,
    compute_alert_settings,
    compute_explanation,
    compute_explanation_record,
    compute_severity_rank,
    compute_tracked_since,
    decide_brand_silence,
    decide_episode,
    decide_episodes_to_resolve,
    decide_rule_alert,
    decide_sentiment_shift,
    decide_source_silence,
    decide_volume_spike,
)
from monitor.domain.query import MatchInput, QuerySet
from monitor.domain.terms import compute_brand_words
from monitor.notify.timing import decide_email_alert, decide_email_alert_time, decide_send_time
from monitor.runtime import Runtime

log = logging.getLogger(__name__)
MAX_ALERT_MENTIONS = 10_000  # the newest matches a rule alert links to
KIND_TITLES = {
    "volume_spike": "volume spike", "sentiment_shift": "negative sentiment rising",
    "rule_match": "rule matched", "source_silence": "source failing",
    "brand_silence": "mentions stopped",
}


@dataclass(slots=True)
class AlertReport:
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    queued: int = 0


def compute_settings(config: AlertingSettings) -> AlertSettings:
    """The preset for the configured sensitivity, with the keys the config overrides."""
    overrides = {k: getattr(config, k) for k in ("window", "cooldown", "source_failures")
                 if getattr(config, k) is not None}
    return dataclasses.replace(compute_alert_settings(config.sensitivity), **overrides)


def evaluate_alerts(runtime: Runtime, now: datetime | None = None) -> AlertReport:
    """One evaluation over every brand, rule and source; returns what changed."""
    now = now or datetime.now(UTC)
    settings = compute_settings(runtime.settings.alerts)
    report = AlertReport()
    with unit_of_work(runtime.sessions) as session:
        AlertRepository(session).lock_evaluation()
        evaluator = _Evaluator(session, runtime.settings, settings, now, report)
        evaluator.run()
    return report


@dataclass(slots=True)
class _Evaluator:
    session: Session
    config: Settings
    settings: AlertSettings
    now: datetime
    report: AlertReport
    recent_by_brand: dict[int | None, list[tuple[Mention, Document, str]]] = field(
        default_factory=dict)

    @property
    def repo(self) -> AlertRepository:
        return AlertRepository(self.session)

    def run(self) -> None:
        brands = BrandRepository(self.session).list_all(enabled_only=True)
        for brand in brands:
            self._brand(brand)
        for rule in self.config.alerts.rules:
            self._rule(rule, {b.name: b.id for b in brands})
        for source in SourceRepository(self.session).list_all():
            if source.enabled:
                self._source(source)
        self._resolve_quiet_episodes()

    def _brand(self, brand: Brand) -> None:
        since = self.now - self.settings.baseline_period - self.settings.lag
        points = [MentionPoint(r.published_at, r.discovered_at, r.label, r.backfill)
                  for r in self.repo.mention_points(brand.id, since)]
        tracked_since = compute_tracked_since(brand.created_at, points)
        found = [detector(points, now=self.now, tracked_since=tracked_since,
                          settings=self.settings, brand_id=brand.id)
                 for detector in (decide_volume_spike, decide_sentiment_shift,
                                  decide_brand_silence)]
        spike_open = bool(self.repo.recent(kind="volume_spike", brand_id=brand.id,
                                           subject_id=None, since=self.now))
        for detection in compute_brand_detections(*found, spike_open=spike_open):
            self._handle(detection, brand.name,
                         exclude_terms=compute_brand_words(brand.name, brand.query))

    def _rule(self, rule: AlertRuleSettings, brand_ids: dict[str, int]) -> None:
        brand_id = brand_ids.get(rule.brand) if rule.brand else None
        if rule.brand and brand_id is None:
            return  # the rule's brand is disabled or gone
        query = RuleQuery(_rule_id(rule), rule.name, rule.severity, brand_id, rule.min_matches)
        matcher: QuerySet[int] = QuerySet({0: rule.query})
        matches = [
            RuleMatch(mention.id, doc.published_at, doc.discovered_at, mention.backfill)
            for mention, doc, kind in self._recent_mentions(brand_id)
            if matcher.match(MatchInput(doc.title, doc.text, doc.author, doc.url, doc.language,
                                        kind, doc.kind))
        ]
        detection = decide_rule_alert(query, matches, now=self.now, settings=self.settings)
        if detection is not None:
            self._handle(detection, rule.name)

    def _recent_mentions(self, brand_id: int | None) -> list[tuple[Mention, Document, str]]:
        """Loaded once per evaluation and brand, however many rules read them."""
        if brand_id not in self.recent_by_brand:
            self.recent_by_brand[brand_id] = self.repo.recent_mentions(
                self.now - self.settings.rule_max_age, brand_id)
        return self.recent_by_brand[brand_id]

    def _source(self, source: Source) -> None:
        health = SourceHealth(source.id, source.name, source.error_count,
                              source.last_success_at, source.last_error)
        detection = decide_source_silence(health, now=self.now, settings=self.settings)
        if detection is not None:
            self._handle(detection, source.name)

    def _handle(self, detection: Detection, subject: str,
                exclude_terms: tuple[str, ...] = ()) -> None:
        recent = self.repo.recent(
            kind=detection.kind, brand_id=detection.brand_id, subject_id=detection.subject_id,
            since=self.now - self.settings.cooldown - self.settings.episode_gap)
        intent = decide_episode(detection, [_episode(a) for a in recent], now=self.now,
                                cooldown=self.settings.cooldown,
                                episode_gap=self.settings.episode_gap)
        if isinstance(intent, OpenEpisode):
            alert = self.repo.add(self._new_alert(detection, subject, exclude_terms))
            self.report.opened += 1
            log.info("alert opened", extra={"alert_id": alert.id, "kind": alert.kind})
        elif isinstance(intent, UpdateEpisode):
            alert = self.repo.get(intent.alert_id)
            self._update(alert, detection, subject, exclude_terms)
            self.report.updated += 1
        else:
            return
        if intent.notify:
            self.report.queued += queue_notifications(self.repo, alert, self.config, self.now)

    def _new_alert(self, detection: Detection, subject: str,
                   exclude_terms: tuple[str, ...]) -> Alert:
        alert = Alert(brand_id=detection.brand_id, subject_id=detection.subject_id,
                      subject=subject, kind=detection.kind, state="open", notifications=0,
                      created_at=self.now)
        self._update(alert, detection, subject, exclude_terms)
        return alert

    def _update(self, alert: Alert, detection: Detection, subject: str,
                exclude_terms: tuple[str, ...]) -> None:
        explanation = compute_explanation(detection, self._rows(detection),
                                          exclude_terms=exclude_terms,
                                          background=self._background(detection))
        figures = detection.figures
        alert.severity = detection.severity
        alert.title = f"{subject}: {KIND_TITLES.get(detection.kind, detection.kind)}"
        alert.summary = detection.summary
        alert.window_start, alert.window_end = figures.window_start, figures.window_end
        alert.mention_count = figures.window_mentions or len(detection.mention_ids)
        alert.explanation = _with_mention_ids(compute_explanation_record(explanation),
                                              alert.explanation, detection.mention_ids)
        alert.last_seen_at = alert.updated_at = self.now
        if alert.state == "resolved":
            alert.state, alert.resolved_at = "open", None

    def _rows(self, detection: Detection) -> list[MentionRow]:
        figures = detection.figures
        if detection.kind == "source_silence":
            return []
        return self.repo.explain_rows(
            mention_ids=detection.mention_ids, brand_id=detection.brand_id,
            window=(figures.window_start, figures.window_end))

    def _background(self, detection: Detection) -> list[str]:
        """The brand's mentions over the baseline period before the window, for ranking the
        window's terms; none for alerts that are not about one brand."""
        if detection.brand_id is None or detection.kind == "source_silence":
            return []
        start = detection.figures.window_start
        return self.repo.background_texts(detection.brand_id,
                                          start - self.settings.baseline_period, start)

    def _resolve_quiet_episodes(self) -> None:
        unresolved = self.repo.unresolved()
        stale = set(decide_episodes_to_resolve([_episode(a) for a in unresolved], now=self.now,
                                               episode_gap=self.settings.episode_gap))
        for alert in unresolved:
            if alert.id in stale and alert.state == "open":
                alert.state, alert.resolved_at = "resolved", self.now
                self.report.resolved += 1


def compute_brand_detections(
    spike: Detection | None, shift: Detection | None, silence: Detection | None, *,
    spike_open: bool,
) -> list[Detection]:
    """One alert per brand episode: a sentiment shift that comes with a volume spike (now, or
    one still open) is part of the spike's story, told in its summary, not a second alert."""
    if spike is not None and shift is not None:
        severity = max(spike.severity, shift.severity, key=compute_severity_rank)
        usual = f" (usually {shift.figures.expected:.0%})"
        spike = dataclasses.replace(spike, severity=severity, summary=spike.summary + usual)
        shift = None
    if shift is not None and spike_open:
        shift = None
    return [d for d in (spike, shift, silence) if d is not None]


def queue_notifications(repo: AlertRepository, alert: Alert, config: Settings,
                        now: datetime) -> int:
    """Queue one message per configured channel for the alert's current notification."""
    alert.notifications += 1
    channels = config.notifications
    severity = cast(Severity, alert.severity)
    zone = ZoneInfo(channels.timezone)
    due_by_channel: dict[str, datetime] = {}
    for channel, batch_interval in (
        ("slack", channels.slack.batch_interval if channels.slack else None),
        ("webhook", None),
    ):
        if getattr(channels, channel) is None:
            continue
        due_by_channel[channel] = now if batch_interval is None else decide_send_time(
            severity, now, _quiet_hours(config), zone, batch_interval=batch_interval)
    email = channels.email
    if email is not None and email.alerts and decide_email_alert(severity,
                                                                 email.alert_min_severity):
        due_by_channel["email"] = decide_email_alert_time(severity, now, _quiet_hours(config),
                                                          zone)
    rows = [{"key": f"alert:{alert.id}:{alert.notifications}:{channel}",
             "alert_id": alert.id, "channel": channel, "severity": alert.severity,
             "status": "pending", "payload": {"escalated": alert.notifications > 1},
             "attempts": 0, "next_attempt_at": due, "created_at": now}
            for channel, due in due_by_channel.items()]
    repo.session.flush()
    return repo.enqueue(rows)


def _quiet_hours(config: Settings) -> tuple[time, time] | None:
    quiet = config.notifications.quiet_hours
    return (quiet.start, quiet.end) if quiet else None


def _episode(alert: Alert) -> AlertEpisode:
    return AlertEpisode(alert.id, alert.kind, alert.severity, alert.created_at,  # type: ignore[arg-type]
                        alert.last_seen_at, alert.brand_id, alert.subject_id, alert.resolved_at)


def _with_mention_ids(record: dict[str, Any], before: dict[str, Any] | None,
                      mention_ids: tuple[int, ...]) -> dict[str, Any]:
    """Keep a rule alert's matched mentions, across the episode's updates, so the alert can
    link to exactly them."""
    if not mention_ids:
        return record
    kept = (before or {}).get(ALERT_MENTION_IDS) or []
    merged = sorted({*kept, *mention_ids})[-MAX_ALERT_MENTIONS:]
    return {**record, ALERT_MENTION_IDS: merged}


def _rule_id(rule: AlertRuleSettings) -> int:
    # Stable across restarts and reordering of the config's rules.
    return zlib.crc32(rule.name.encode("utf-8")) & 0x7FFFFFFF  # fits a signed 32-bit column

