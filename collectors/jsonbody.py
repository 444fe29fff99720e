"""JSON bodies of the API-backed sources (Discourse, Reddit, Hacker News)."""

from __future__ import annotations

import json
from typing import Any

from collectors.errors import ParseError


def load_json(body: bytes, url: str) -> Any:
    """The decoded body; ParseError naming the URL when it is not JSON (or nests absurdly)."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ParseError(url, f"malformed JSON ({describe_error(exc)})") from exc


def describe_error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
