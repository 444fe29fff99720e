"""Slack Block Kit payloads for alerts, within Slack's limits, with crawled text escaped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from monitor.domain.alerts import Explanation, Figures, SampleMention, Severity, ThreadSummary
from monitor.domain.alerts.settings import SEVERITIES, compute_severity_rank
from monitor.domain.alerts.wording import compute_baseline_phrase, compute_figure_line
from monitor.notify.message import (
    KIND_LABELS,
    SEVERITY_LABELS,
    AlertMessage,
    compute_alert_mentions_url,
    compute_alert_url,
    render_alert_title,
)

MAX_BLOCKS = 50
SECTION_CHARS = 3000
FIELD_CHARS = 2000
HEADER_CHARS = 150
FALLBACK_CHARS = 3000
URL_CHARS = 3000
MAX_SAMPLES = 5
MAX_BATCH_ALERTS = 20

Block = dict[str, Any]

SEVERITY_EMOJI: dict[Severity, str] = {
    "info": ":information_source:",
    "warning": ":warning:",
    "critical": ":rotating_light:",
}
# Characters that would end or split a Slack <url|label> link.
_URL_UNSAFE = "<>| \t\r\n\"'`"


def render_slack_escape(text: str) -> str:
    """Escape the three characters Slack treats as markup (``<!channel>``, ``<url|x>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_slack_cut(text: str, limit: int) -> str:
    """Cut already-rendered mrkdwn to ``limit`` characters without splitting an entity or link."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    opening = cut.rfind("<")
    if opening != -1 and ">" not in cut[opening:]:
        cut = cut[:opening]
    return cut + "…"


def render_safe_url(url: str) -> str | None:
    """An http(s) URL fit for ``<url|label>``, or None for other schemes and oversize URLs."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https"):
        return None
    safe = "".join(quote(c) if c in _URL_UNSAFE or ord(c) < 32 else c for c in url)
    return safe if len(safe) <= URL_CHARS else None


def render_slack_link(url: str, label: str, *, label_chars: int = 200) -> str:
    """``<url|label>`` with the label escaped, or just the label when the URL is unusable."""
    text = render_slack_escape(_shorten(label.strip() or url, label_chars))
    safe = render_safe_url(url)
    # Slack decodes entities inside links too, so a literal & must be escaped there as well.
    return f"<{safe.replace('&', '&amp;')}|{text}>" if safe else text


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def render_slack_date(moment: datetime) -> str:
    """A date Slack shows in each reader's time zone, with a UTC fallback."""
    fallback = moment.strftime("%d %b %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def render_section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": render_slack_cut(
        text, SECTION_CHARS)}}


def render_field(title: str, value: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": render_slack_cut(f"*{title}*\n{value}", FIELD_CHARS)}


def render_header(alert: AlertMessage) -> Block:
    text = f"{SEVERITY_EMOJI[alert.severity]} {render_alert_title(alert)}"
    flat = render_slack_escape(" ".join(text.split()))
    return {"type": "header", "text": {"type": "plain_text", "emoji": True,
                                       "text": render_slack_cut(flat, HEADER_CHARS)}}


def render_figures_value(figures: Figures) -> tuple[str, str]:
    """The title and value of the main figure, by unit, in words."""
    return compute_figure_line(figures)


def render_baseline_value(figures: Figures) -> str:
    return compute_baseline_phrase(figures)


def render_term_list(pairs: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f"{render_slack_escape(_shorten(t, 80))} ({c})" for t, c in pairs)


def render_figure_fields(explanation: Explanation) -> list[dict[str, str]]:
    """Window, main figure, baseline, sentiment split, sources, terms and topics (≤ 10)."""
    figures = explanation.figures
    window = f"{render_slack_date(figures.window_start)} – {render_slack_date(figures.window_end)}"
    fields = [render_field("Window", window), render_field(*render_figures_value(figures)),
              render_field("Compared with", render_baseline_value(figures))]
    split = explanation.sentiment
    if split.total:
        fields.append(render_field("Sentiment", (
            f":large_green_circle: {split.positive} · :white_circle: {split.neutral} · "
            f":red_circle: {split.negative} ({split.negative_share:.0%} negative)")))
    fields.extend(render_field(title, render_term_list([(c.term, c.count) for c in counts]))
                  for title, counts in explanation.ranked_lists())
    return fields[:10]


def render_thread_line(thread: ThreadSummary) -> str:
    return (f"• {render_slack_link(thread.url, thread.title)} — "
            f"{render_slack_escape(_shorten(thread.source_name, 80))}, {thread.mentions} "
            f"mentions ({thread.negative} negative)")


def render_sample_section(sample: SampleMention) -> Block:
    """One sample mention: linked title, where and when, and the snippet as a quote."""
    meta = [render_slack_escape(_shorten(sample.source_name, 80))]
    if sample.author:
        meta.append(render_slack_escape(_shorten(sample.author, 80)))
    meta += [render_slack_date(sample.at), sample.label]
    snippet = render_slack_escape(_shorten(sample.snippet, 600))
    return render_section(f"*{render_slack_link(sample.url, sample.title)}*\n"
                          f"{' · '.join(meta)}\n>{snippet}")


def render_summary_text(alert: AlertMessage) -> str:
    summary = render_slack_escape(alert.explanation.summary)
    if alert.escalated:
        return f"*Escalated to {alert.severity}.* {summary}"
    return summary


def render_dashboard_button(url: str, mentions_url: str = "") -> list[Block]:
    safe, mentions = render_safe_url(url), render_safe_url(mentions_url)
    if safe is None:
        return []
    buttons = [{"type": "button", "action_id": "open_alert", "url": safe,
                "text": {"type": "plain_text", "text": "Open in dashboard"}}]
    if mentions is not None:
        buttons.append({"type": "button", "action_id": "open_mentions", "url": mentions,
                        "text": {"type": "plain_text", "text": "Open its mentions"}})
    return [{"type": "actions", "elements": buttons}]


def render_alert_blocks(alert: AlertMessage, dashboard_url: str) -> dict[str, Any]:
    """The Slack payload for one alert: header, figures, threads, samples, dashboard link."""
    explanation = alert.explanation
    url = compute_alert_url(dashboard_url, alert.alert_id)
    blocks: list[Block] = [
        render_header(alert),
        render_section(render_summary_text(alert)),
        {"type": "section", "fields": render_figure_fields(explanation)},
    ]
    if explanation.top_threads:
        lines = "\n".join(render_thread_line(t) for t in explanation.top_threads)
        blocks.append(render_section(f"*Most active threads*\n{lines}"))
    if explanation.samples:
        blocks += [{"type": "divider"}, render_section("*Sample mentions*")]
        blocks += [render_sample_section(s) for s in explanation.samples[:MAX_SAMPLES]]
    blocks += render_dashboard_button(
        url, compute_alert_mentions_url(dashboard_url, alert.alert_id))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
        f"Brand monitor · alert #{alert.alert_id} · opened {render_slack_date(alert.opened_at)}"
    )}]})
    return {"text": render_fallback(alert, url), "blocks": blocks[:MAX_BLOCKS]}


def render_fallback(alert: AlertMessage, url: str) -> str:
    """The notification text shown where blocks are not (push notifications, old clients)."""
    text = f"{render_alert_title(alert)}: {alert.explanation.summary}"
    return render_slack_cut(f"{render_slack_escape(text)} {url}", FALLBACK_CHARS)


def render_batch_line(alert: AlertMessage, dashboard_url: str) -> Block:
    link = render_slack_link(compute_alert_url(dashboard_url, alert.alert_id),
                             f"{KIND_LABELS[alert.kind]}: {alert.subject}")
    return render_section(f"{SEVERITY_EMOJI[alert.severity]} *{link}*\n"
                          f"{render_slack_escape(alert.explanation.summary)}")


def render_batch_heading(alerts: Sequence[AlertMessage]) -> str:
    counts = Counter(a.severity for a in alerts)
    parts = [f"{counts[s]} {SEVERITY_LABELS[s].lower()}" for s in reversed(SEVERITIES)
             if counts[s]]
    noun = "alert" if len(alerts) == 1 else "alerts"
    return f"{len(alerts)} {noun}: {', '.join(parts)}"


def render_batch_blocks(alerts: Sequence[AlertMessage], dashboard_url: str) -> dict[str, Any]:
    """A short digest of several alerts (info and warning go out batched)."""
    if not alerts:
        raise ValueError("render_batch_blocks needs at least one alert")
    ordered = sorted(alerts, key=lambda a: (-compute_severity_rank(a.severity), a.opened_at,
                                            a.alert_id))
    heading = render_batch_heading(ordered)
    blocks: list[Block] = [{"type": "header", "text": {
        "type": "plain_text", "text": _shorten(heading, HEADER_CHARS)}}]
    blocks += [render_batch_line(a, dashboard_url) for a in ordered[:MAX_BATCH_ALERTS]]
    hidden = len(ordered) - MAX_BATCH_ALERTS
    if hidden > 0:
        more = render_slack_link(f"{dashboard_url.rstrip('/')}/alerts", "the dashboard")
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn",
                                                        "text": f"…and {hidden} more in {more}"}]})
    return {"text": render_slack_cut(f"Brand monitor: {render_slack_escape(heading)}",
                                     FALLBACK_CHARS), "blocks": blocks}
