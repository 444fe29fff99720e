"""Where in a document a query matched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SpanField = Literal["title", "text"]


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """Character offsets ``[start, end)`` into the document's ``title`` or ``text``."""

    field: SpanField
    start: int
    end: int
