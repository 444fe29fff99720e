"""When a notification goes out: critical at once, the rest batched and kept out of quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from monitor.domain.alerts import Severity, compute_severity_rank

DEFAULT_BATCH_INTERVAL = timedelta(minutes=30)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

QuietHours = tuple[time, time]


def compute_batch_slot(now: datetime, interval: timedelta = DEFAULT_BATCH_INTERVAL) -> datetime:
    """The next batch boundary at or after ``now`` (boundaries are multiples of ``interval``)."""
    if interval <= timedelta(0):
        raise ValueError("batch interval must be a positive duration")
    elapsed = now - _EPOCH
    remainder = elapsed % interval
    return now if not remainder else now + (interval - remainder)


def compute_quiet_end(moment: datetime, quiet_hours: QuietHours, tz: tzinfo) -> datetime | None:
    """When the quiet hours around ``moment`` end (UTC), or None if ``moment`` is not in them.

    ``quiet_hours`` are local wall-clock times ``(start, end)``; a start after the end spans
    midnight (22:00-07:00). Equal times mean no quiet hours.
    """
    start, end = quiet_hours
    local = moment.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if start == end:
        return None
    if start < end:
        inside, next_day = start <= clock < end, False
    else:
        inside, next_day = clock >= start or clock < end, clock >= start
    if not inside:
        return None
    day = local.date() + timedelta(days=1 if next_day else 0)
    return max(datetime.combine(day, end, tzinfo=tz).astimezone(UTC), moment)


def decide_send_time(
    severity: Severity, now: datetime, quiet_hours: QuietHours | None, tz: tzinfo, *,
    batch_interval: timedelta = DEFAULT_BATCH_INTERVAL,
) -> datetime:
    """Critical alerts go out now, quiet hours or not. Info and warning wait for the next batch
    boundary, and when that falls in quiet hours, for the end of them."""
    if severity == "critical":
        return now
    slot = compute_batch_slot(now, batch_interval)
    if quiet_hours is None:
        return slot
    return compute_quiet_end(slot, quiet_hours, tz) or slot


def decide_email_alert_time(
    severity: Severity, now: datetime, quiet_hours: QuietHours | None, tz: tzinfo,
) -> datetime:
    """An alert's e-mail is not batched (one message per alert): it goes out now, except that
    info and warning wait for the end of quiet hours, as on Slack."""
    if severity == "critical" or quiet_hours is None:
        return now
    return compute_quiet_end(now, quiet_hours, tz) or now


def decide_email_alert(severity: Severity, min_severity: Severity) -> bool:
    """Is the alert severe enough to be e-mailed?"""
    return compute_severity_rank(severity) >= compute_severity_rank(min_severity)
