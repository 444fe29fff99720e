"""Rule alerts: a saved query that should never match quietly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.domain.alerts.detection import Detection, Figures
from monitor.domain.alerts.points import compute_happened_at
from monitor.domain.alerts.settings import AlertSettings, Severity


@dataclass(frozen=True, slots=True)
class RuleQuery:
    """An alerting query: its id, name, the brand it belongs to and the severity it raises."""

    query_id: int
    name: str
    severity: Severity
    brand_id: int | None = None
    min_matches: int = 1


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """A mention the query matched; ``backfill`` as in MentionPoint."""

    mention_id: int
    published_at: datetime | None
    discovered_at: datetime
    backfill: bool = False


def compute_match_time(match: RuleMatch) -> datetime:
    """When the matched mention happened (see ``compute_happened_at``)."""
    return compute_happened_at(match.published_at, match.discovered_at)


def decide_fresh_match(match: RuleMatch, *, now: datetime, settings: AlertSettings) -> bool:
    """Discovered this window, not backfill, and not an old post found late."""
    return (not match.backfill
            and now - settings.window < match.discovered_at <= now
            and compute_match_time(match) >= now - settings.rule_max_age)


def decide_rule_alert(
    query: RuleQuery, matches: Sequence[RuleMatch], *, now: datetime, settings: AlertSettings
) -> Detection | None:
    """A rule detection when enough fresh matches arrived in the last window, or None.

    Pass the query's matches discovered recently (at least the last ``settings.window``);
    grouping the detections of consecutive cycles into one alert is ``decide_episode``'s job.
    """
    fresh = sorted((m for m in matches if decide_fresh_match(m, now=now, settings=settings)),
                   key=lambda m: (compute_match_time(m), m.mention_id))
    if not fresh or len(fresh) < query.min_matches:
        return None
    start = now - settings.window
    figures = Figures(unit="matches", observed=float(len(fresh)), expected=float(query.min_matches),
                      window_start=start, window_end=now, baseline_method="threshold",
                      window_mentions=len(fresh))
    noun = "mention" if len(fresh) == 1 else "mentions"
    return Detection(kind="rule_match", severity=query.severity, detected_at=now,
                     summary=f"{len(fresh)} new {noun} matched “{query.name}”",
                     figures=figures, brand_id=query.brand_id, subject_id=query.query_id,
                     mention_ids=tuple(m.mention_id for m in fresh))
