"""Alert detection: pure decisions over mention counts, with ``now`` passed in.

Detectors (``decide_volume_spike``, ``decide_sentiment_shift``, ``decide_rule_alert``,
``decide_source_silence``, ``decide_brand_silence``) return a ``Detection`` or None;
``decide_episode`` turns a detection into an intent against the stored alerts;
``compute_explanation`` gathers the figures and examples a message shows.
"""

from monitor.domain.alerts.baseline import Baseline, compute_baseline
from monitor.domain.alerts.detection import (
    AlertKind,
    BaselineMethod,
    Detection,
    Figures,
    FigureUnit,
)
from monitor.domain.alerts.episodes import (
    AlertEpisode,
    EpisodeIntent,
    OpenEpisode,
    SuppressDetection,
    UpdateEpisode,
    decide_episode,
    decide_episodes_to_resolve,
)
from monitor.domain.alerts.explanation import (
    Explanation,
    MentionRow,
    SampleMention,
    SentimentSplit,
    TermCount,
    ThreadSummary,
    compute_explanation,
    compute_explanation_from_record,
    compute_explanation_record,
)
from monitor.domain.alerts.points import (
    MentionPoint,
    compute_event_time,
    compute_tracked_since,
)
from monitor.domain.alerts.rules import RuleMatch, RuleQuery, decide_rule_alert
from monitor.domain.alerts.sentiment import decide_sentiment_shift
from monitor.domain.alerts.settings import (
    PRESETS,
    SEVERITIES,
    AlertSettings,
    Sensitivity,
    Severity,
    compute_alert_settings,
    compute_severity_rank,
)
from monitor.domain.alerts.silence import (
    SourceHealth,
    decide_brand_silence,
    decide_source_silence,
)
from monitor.domain.alerts.volume import decide_volume_spike

__all__ = [
    "PRESETS",
    "SEVERITIES",
    "AlertEpisode",
    "AlertKind",
    "AlertSettings",
    "Baseline",
    "BaselineMethod",
    "Detection",
    "EpisodeIntent",
    "Explanation",
    "FigureUnit",
    "Figures",
    "MentionPoint",
    "MentionRow",
    "OpenEpisode",
    "RuleMatch",
    "RuleQuery",
    "SampleMention",
    "Sensitivity",
    "SentimentSplit",
    "Severity",
    "SourceHealth",
    "SuppressDetection",
    "TermCount",
    "ThreadSummary",
    "UpdateEpisode",
    "compute_alert_settings",
    "compute_baseline",
    "compute_event_time",
    "compute_explanation",
    "compute_explanation_from_record",
    "compute_explanation_record",
    "compute_severity_rank",
    "compute_tracked_since",
    "decide_brand_silence",
    "decide_episode",
    "decide_episodes_to_resolve",
    "decide_rule_alert",
    "decide_sentiment_shift",
    "decide_source_silence",
    "decide_volume_spike",
]
