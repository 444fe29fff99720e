"""Quiet hours and batching of non-critical alerts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.notify import decide_send_time
from monitor.notify.timing import compute_batch_slot

BERLIN = ZoneInfo("Europe/Berlin")
NIGHT = (time(22, 0), time(7, 0))


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_critical_goes_out_at_once_even_at_night() -> None:
    assert decide_send_time("critical", utc(16, 23, 7), NIGHT, BERLIN) == utc(16, 23, 7)


@pytest.mark.parametrize(("now", "expected"), [
    (utc(16, 10, 7), utc(16, 10, 30)),   # daytime: next half hour
    (utc(16, 10, 30), utc(16, 10, 30)),  # on a boundary: now
    (utc(16, 20, 50), utc(17, 6, 0)),    # 21:50 Berlin, batch at 22:00 is quiet: 07:00 Berlin
    (utc(16, 23, 7), utc(17, 6, 0)),     # after midnight Berlin, same morning
    (utc(17, 5, 59), utc(17, 6, 0)),     # 06:59 Berlin
])
def test_warnings_wait_for_the_batch_and_the_end_of_quiet_hours(
        now: datetime, expected: datetime) -> None:
    assert decide_send_time("warning", now, NIGHT, BERLIN) == expected
    assert decide_send_time("info", now, NIGHT, BERLIN) == expected


def test_daytime_quiet_hours_and_none() -> None:
    lunch = (time(12, 0), time(13, 0))
    assert decide_send_time("info", utc(16, 11, 10), lunch, BERLIN) == utc(16, 12, 0)
    assert decide_send_time("info", utc(16, 23, 7), None, BERLIN) == utc(16, 23, 30)
    same = (time(9, 0), time(9, 0))
    assert decide_send_time("info", utc(16, 8, 10), same, BERLIN) == utc(16, 8, 30)


def test_quiet_hours_follow_daylight_saving() -> None:
    # 29 March 2026: Berlin springs forward; 07:00 local is 05:00 UTC that morning.
    assert decide_send_time("warning", datetime(2026, 3, 29, 1, 0, tzinfo=UTC), NIGHT,
                            BERLIN) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)


def test_batch_interval_is_configurable_and_positive() -> None:
    assert compute_batch_slot(utc(16, 10, 7), timedelta(minutes=15)) == utc(16, 10, 15)
    with pytest.raises(ValueError, match="positive"):
        compute_batch_slot(utc(16, 10, 7), timedelta(0))
