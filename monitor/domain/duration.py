"""Human durations in config: ``90s``, ``30m``, ``1h30m``, ``14d``, ``2w``."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|s|ms)", re.IGNORECASE)
_UNIT_SECONDS = {"w": 604800.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration(value: object) -> object:
    """Turn ``"1h30m"`` or a number of seconds into a timedelta; leave anything else to pydantic."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if not isinstance(value, str):
        return value
    text = value.strip().replace(" ", "")
    if not text or not _is_sequence_of_parts(text):
        raise ValueError(f"{value!r} is not a duration; write e.g. 90s, 30m, 1h30m, 14d")
    seconds = sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in _PART.findall(text))
    return timedelta(seconds=seconds)


def _is_sequence_of_parts(text: str) -> bool:
    return "".join(m.group(0) for m in _PART.finditer(text)) == text


def render_duration(value: timedelta) -> str:
    """The short form of a duration, as written in config (``1h30m``)."""
    seconds = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
