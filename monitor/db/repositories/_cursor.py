"""Opaque cursors for newest-first listings: a timestamp and an id, base64-encoded."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from monitor.errors import InvalidInputError


def encode_cursor(moment: datetime, row_id: int) -> str:
    raw = f"{moment.astimezone(UTC).isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, _, row_id = base64.urlsafe_b64decode(padded).decode().partition("|")
        moment = datetime.fromisoformat(stamp)
        number = int(row_id)
        if not 0 <= number < 2**62:
            raise ValueError(row_id)
        return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC), number
    except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise InvalidInputError("cursor is not one this API returned") from None
