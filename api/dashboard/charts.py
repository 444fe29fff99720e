"""Charts as inline SVG, drawn on the server: no script, no external library.

Colours come from CSS classes (the stylesheet), so the strict Content-Security-Policy holds.
Every label is escaped.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

LABEL_CHARS = 44  # per line of a bar's label; longer names wrap onto more lines
LINE, BAR = 15, 14
SERIES = (("negative", "neg"), ("neutral", "neu"), ("positive", "pos"), ("unscored", "uns"))


@dataclass(frozen=True, slots=True)
class VolumeBar:
    start: datetime
    counts: dict[str, int]  # label → mentions
    avg_sentiment: float | None


@dataclass(frozen=True, slots=True)
class Frame:
    width: int = 860
    height: int = 260
    left: int = 44
    right: int = 44
    top: int = 14
    bottom: int = 34

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


def compute_ticks(value: int, most: int = 5) -> tuple[int, int]:
    """(top, step) of a y axis holding ``value``: whole steps of 1, 2 or 5 × 10ⁿ, at most
    ``most`` of them, so every tick label is a round number."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = magnitude * factor
            if value <= step * most:
                return max(step, -(-value // step) * step), step
        magnitude *= 10


def render_volume_chart(bars: Sequence[VolumeBar], label_format: str, frame: Frame = Frame(),
                        hrefs: Sequence[str] = ()) -> Markup:
    """Stacked bars of mentions by sentiment per bucket, and the average sentiment as a line.
    With ``hrefs`` (one per bar), each bar links to the mentions behind it."""
    top, step = compute_ticks(max((sum(b.counts.values()) for b in bars), default=0))
    slot = frame.plot_width / max(len(bars), 1)
    parts = [_open_svg(frame, "Mentions by sentiment over time"), _grid(frame, top, step)]
    for index, bar in enumerate(bars):
        stack = _stack(frame, bar, frame.left + index * slot, slot, top)
        parts.append(_linked(stack, hrefs[index] if index < len(hrefs) else ""))
    parts.append(_sentiment_line(frame, bars, slot))
    parts.append(_x_labels(frame, bars, slot, label_format))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from escaped pieces


def _open_svg(frame: Frame, title: str) -> str:
    return (f'<svg class="chart" viewBox="0 0 {frame.width} {frame.height}" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{escape(title)}</title>")


def _grid(frame: Frame, top: int, step: int) -> str:
    lines = []
    for value in range(0, top + 1, step):
        y = frame.top + frame.plot_height * (1 - value / top)
        lines.append(f'<line class="grid" x1="{frame.left}" x2="{frame.width - frame.right}" '
                     f'y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="axis" x="{frame.left - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{_short(value)}</text>')
    right = frame.width - frame.right + 6
    for score, y in ((1, frame.top), (0, frame.top + frame.plot_height / 2),
                     (-1, frame.top + frame.plot_height)):
        label = f"{score:+d}" if score else "0"
        lines.append(f'<text class="axis axis-sentiment" x="{right}" y="{y + 4:.1f}">'
                     f"{label}</text>")
    return "".join(lines)


def _short(value: float) -> str:
    return f"{value / 1000:.1f}k" if value >= 1000 else f"{value:g}"


def _stack(frame: Frame, bar: VolumeBar, x: float, slot: float, top: int) -> str:
    width = max(slot * 0.72, 1.0)
    x += (slot - width) / 2
    y = float(frame.top + frame.plot_height)
    total = sum(bar.counts.values())
    tip = escape(f"{bar.start:%Y-%m-%d %H:%M} UTC: {total} mentions — "
                 + ", ".join(f"{bar.counts.get(k, 0)} {k}" for k, _ in SERIES))
    parts = [f'<g class="bucket"><title>{tip}</title>']
    for label, css in SERIES:
        count = bar.counts.get(label, 0)
        if not count:
            continue
        height = frame.plot_height * count / top
        y -= height
        parts.append(f'<rect class="bar bar-{css}" x="{x:.1f}" y="{y:.1f}" '
                     f'width="{width:.1f}" height="{height:.1f}"/>')
    parts.append("</g>")
    return "".join(parts)


def _sentiment_line(frame: Frame, bars: Sequence[VolumeBar], slot: float) -> str:
    points = [
        (frame.left + (i + 0.5) * slot,
         frame.top + frame.plot_height * (1 - (b.avg_sentiment + 1) / 2))
        for i, b in enumerate(bars) if b.avg_sentiment is not None
    ]
    if not points:
        return ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = "".join(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>'
                   for x, y in points)
    return f'<polyline class="sentiment-line" points="{path}"/>{dots}'


def _x_labels(frame: Frame, bars: Sequence[VolumeBar], slot: float, label_format: str) -> str:
    every = max(1, round(len(bars) / 10))
    y = frame.height - 12
    return "".join(
        f'<text class="axis" x="{frame.left + (i + 0.5) * slot:.1f}" y="{y}" '
        f'text-anchor="middle">{escape(f"{bar.start:{label_format}}")}</text>'
        for i, bar in enumerate(bars) if i % every == 0
    )


def _linked(svg: str, href: str) -> str:
    return f'<a href="{escape(href)}">{svg}</a>' if href else svg


def render_bar_list(items: Sequence[tuple[str, int]], css: str, title: str,
                    *, width: int = 340, hrefs: Sequence[str] = ()) -> Markup:
    """Horizontal bars, one per item, each under its whole name (wrapped, never clipped) and
    with its count; with ``hrefs``, each row links to the mentions behind it."""
    rows = [(textwrap.wrap(name, LABEL_CHARS) or [""], count) for name, count in items]
    height = sum(len(lines) * LINE + BAR + 10 for lines, _ in rows) or LINE + 8
    top = max((count for _, count in items), default=0) or 1
    parts = [f'<svg class="chart chart-bars" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
             f"<title>{escape(title)}</title>"]
    y = 2
    for index, ((lines, count), (name, _)) in enumerate(zip(rows, items, strict=True)):
        row = _bar_row(lines, name, count, css, y, (width - 40) * count / top)
        parts.append(_linked(row, hrefs[index] if index < len(hrefs) else ""))
        y += len(lines) * LINE + BAR + 10
    if not items:
        parts.append(f'<text class="label" x="8" y="{LINE}">No data</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from escaped pieces


def _bar_row(lines: list[str], name: str, count: int, css: str, y: int, bar: float) -> str:
    label = "".join(f'<text class="label" x="0" y="{y + (i + 1) * LINE - 3}">{escape(line)}'
                    "</text>" for i, line in enumerate(lines))
    top = y + len(lines) * LINE
    return (f"<g>{label}"
            f'<rect class="bar {escape(css)}" x="0" y="{top}" width="{max(bar, 1.0):.1f}" '
            f'height="{BAR}"><title>{escape(name)}: {count}</title></rect>'
            f'<text class="value" x="{bar + 6:.1f}" y="{top + BAR - 2}">{count}</text></g>')
