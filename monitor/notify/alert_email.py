"""Render one alert as an e-mail (subject, HTML, text): pure, from the stored alert.

The same story as the Slack message: what happened in plain words, the figures, where people
talk about it, sample mentions, and a link to exactly the mentions behind the alert. Crawled
text (titles, snippets, authors, source names) is escaped by the HTML template's autoescape and
is only ever a link's label, never its target unless it is an http(s) URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from monitor.domain.alerts import TermCount
from monitor.domain.alerts.wording import compute_baseline_phrase, compute_figure_line
from monitor.notify.digest import compute_environment, compute_zone, render_local_time
from monitor.notify.message import (
    KIND_LABELS,
    AlertMessage,
    compute_alert_mentions_url,
    compute_alert_url,
    render_alert_title,
)
from monitor.notify.slack_blocks import render_safe_url

SUBJECT_PREFIX = "[brand-monitor]"
SUBJECT_CHARS = 200
LABEL_CHARS = 200
SNIPPET_CHARS = 600
# Alerts about a failing source have no mentions to list.
_WITHOUT_MENTIONS = frozenset({"source_silence"})


@dataclass(frozen=True, slots=True)
class FigureLine:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class LinkLine:
    """A thread or sample: ``url`` is None when the crawled link is not a safe http(s) URL."""

    title: str
    url: str | None
    detail: str
    snippet: str = ""


@dataclass(frozen=True, slots=True)
class AlertEmailView:
    """Everything the alert templates print, already computed and flattened."""

    subject: str
    title: str
    summary: str
    figures: tuple[FigureLine, ...]
    threads: tuple[LinkLine, ...]
    samples: tuple[LinkLine, ...]
    alert_url: str | None
    mentions_url: str | None
    mentions: int
    footer: str


def _flat(text: str | None, limit: int = LABEL_CHARS) -> str:
    """One line (crawled text may carry newlines and runs of spaces), cut with an ellipsis."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def render_alert_subject(alert: AlertMessage) -> str:
    """``[brand-monitor] Critical: Acme — Volume spike`` (escalations say so first)."""
    title = render_alert_title(alert)
    if alert.escalated:
        title = f"Escalated to {alert.severity}: {alert.subject} — {KIND_LABELS[alert.kind]}"
    return _flat(f"{SUBJECT_PREFIX} {title}", SUBJECT_CHARS)


def render_terms(counts: tuple[TermCount, ...]) -> str:
    return ", ".join(f"{_flat(c.term, 80)} ({c.count})" for c in counts)


def compute_figure_lines(alert: AlertMessage, zone: ZoneInfo) -> tuple[FigureLine, ...]:
    """Window, main figure, baseline, sentiment split, then sources, terms and topics."""
    explanation = alert.explanation
    figures = explanation.figures
    window = (f"{render_local_time(figures.window_start, zone)} – "
              f"{render_local_time(figures.window_end, zone)} ({zone.key})")
    lines = [FigureLine("Window", window), FigureLine(*compute_figure_line(figures)),
             FigureLine("Compared with", compute_baseline_phrase(figures))]
    split = explanation.sentiment
    if split.total:
        lines.append(FigureLine("Sentiment", (
            f"{split.positive} positive · {split.neutral} neutral · {split.negative} negative "
            f"({split.negative_share:.0%} negative)")))
    lines.extend(FigureLine(label, render_terms(counts))
                 for label, counts in explanation.ranked_lists())
    return tuple(lines)


def compute_alert_email_view(alert: AlertMessage, dashboard_url: str,
                             timezone: str = "UTC") -> AlertEmailView:
    zone = compute_zone(timezone)
    explanation = alert.explanation
    threads = tuple(
        LinkLine(_flat(t.title) or _flat(t.url), render_safe_url(t.url),
                 f"{_flat(t.source_name, 80)}, {t.mentions} mentions, {t.negative} negative")
        for t in explanation.top_threads)
    samples = tuple(
        LinkLine(_flat(s.title) or _flat(s.url), render_safe_url(s.url),
                 " · ".join(filter(None, [_flat(s.source_name, 80), _flat(s.author, 80),
                                          render_local_time(s.at, zone), s.label])),
                 _flat(s.snippet, SNIPPET_CHARS))
        for s in explanation.samples)
    has_mentions = alert.kind not in _WITHOUT_MENTIONS
    summary = _flat(explanation.summary, 2000)
    if alert.escalated:
        summary = f"Escalated to {alert.severity}. {summary}"
    return AlertEmailView(
        subject=render_alert_subject(alert), title=_flat(render_alert_title(alert)),
        summary=summary, figures=compute_figure_lines(alert, zone), threads=threads,
        samples=samples,
        alert_url=render_safe_url(compute_alert_url(dashboard_url, alert.alert_id)),
        mentions_url=(render_safe_url(compute_alert_mentions_url(dashboard_url, alert.alert_id))
                      if has_mentions else None),
        mentions=explanation.figures.window_mentions,
        footer=(f"Brand monitor · alert #{alert.alert_id} · opened "
                f"{render_local_time(alert.opened_at, zone)} ({zone.key})"),
    )


def render_alert_email(alert: AlertMessage, dashboard_url: str,
                       timezone: str = "UTC") -> tuple[str, str, str]:
    """Subject, HTML body and plain-text body of one alert's e-mail."""
    view = compute_alert_email_view(alert, dashboard_url, timezone)
    env = compute_environment()
    context = {"view": view}
    html = env.get_template("alert_email.html").render(context)
    text = env.get_template("alert_email.txt").render(context)
    return view.subject, html, text
