"""Commitment reminders as an iCalendar (RFC 5545) file any calendar app can import.

Every event is all-day, so it lands on the right date in whatever time zone the person's
calendar uses. Each carries a display alarm at 15:00 the day before (TRIGGER:-PT9H).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from icalendar import Alarm, Calendar, Event

from coach.errors import CoachError

PRODID = "-//Mission Coach//EN"
RECURRING_COUNT = 12  # an open-ended cadence: twelve weeks or twelve months of reminders
# An all-day event starts at local midnight, so nine hours earlier is 15:00 the day before:
# time to act on it that afternoon, unlike -P1D, which would ring at midnight.
ALARM_BEFORE = timedelta(hours=-9)
_CADENCES = {"weekly": "WEEKLY", "monthly": "MONTHLY"}
_LINE_BREAK_RE = re.compile(r"\s*[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+\s*")
# RFC 5545 TEXT allows no control characters except HTAB.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class Reminder:
    """One commitment to remind its author of."""

    uid: str  # stable id, e.g. f"commitment-{id}@mission-coach"
    text: str  # the commitment, as the person wrote it
    due: date | None
    cadence: Literal["", "weekly", "monthly"]
    start: date  # when the commitment was made: first occurrence of a recurring reminder
    partner: str = ""  # accountability partner's name
    mission: str = ""


def to_ics(
    reminders: Sequence[Reminder],
    *,
    calendar_name: str = "Mission Coach commitments",
    stamp: datetime | None = None,
) -> bytes:
    """An .ics calendar with one event per reminder; ones with neither due date nor cadence
    are skipped, since they have no date to remind on. Same input and stamp, same bytes."""
    dtstamp = _utc(stamp or datetime.now(UTC))
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _one_line(calendar_name))
    seen: set[str] = set()
    for reminder in reminders:
        if reminder.uid in seen:
            # Calendar apps merge events sharing a UID, silently losing one of them.
            raise CoachError(f"Two reminders share the id {reminder.uid!r}; give each its own.")
        seen.add(reminder.uid)
        event = _event(reminder, dtstamp)
        if event is not None:
            cal.add_component(event)
    return cal.to_ical()


def _event(reminder: Reminder, dtstamp: datetime) -> Event | None:
    """The VEVENT for one reminder, or None when it has no date to fall on."""
    if reminder.cadence and reminder.cadence not in _CADENCES:
        raise CoachError(
            f"Unknown cadence {reminder.cadence!r} for {reminder.uid!r}: "
            "use 'weekly', 'monthly' or none."
        )
    first = reminder.start if reminder.cadence else reminder.due
    if first is None:
        return None
    summary = "Commitment: " + _one_line(reminder.text)
    event = Event()
    event.add("uid", reminder.uid)
    event.add("dtstamp", dtstamp)
    event.add("dtstart", first)
    event.add("dtend", first + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", _description(reminder))
    if reminder.cadence:
        event.add("rrule", _rrule(reminder.cadence, reminder.start, reminder.due))
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)  # RFC 5545 requires one on a DISPLAY alarm
    alarm.add("trigger", ALARM_BEFORE)
    event.add_component(alarm)
    return event


def _rrule(cadence: str, start: date, due: date | None) -> dict[str, object]:
    rule: dict[str, object] = {"freq": _CADENCES[cadence]}
    if cadence == "monthly" and start.day > 28:
        # A plain monthly rule skips months without that day (no Feb 30); this picks the
        # start's day or, in shorter months, the month's last day.
        rule["bymonthday"] = list(range(28, start.day + 1))
        rule["bysetpos"] = -1
    if due is None:
        rule["count"] = RECURRING_COUNT
    else:
        # A due date before the start (bad data) still leaves the first reminder.
        rule["until"] = max(due, start)
    return rule


def _description(reminder: Reminder) -> str:
    lines = [_one_line(reminder.text)]
    if reminder.partner.strip():
        lines.append(f"Accountability partner: {_one_line(reminder.partner)}")
    if reminder.mission.strip():
        lines.append(f"Mission: {_one_line(reminder.mission)}")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    """Line breaks become one space; other control characters go (RFC 5545 forbids them)."""
    return _CONTROL_RE.sub("", _LINE_BREAK_RE.sub(" ", text)).strip()


def _utc(stamp: datetime) -> datetime:
    """DTSTAMP must be UTC: a naive stamp is taken as UTC; seconds are its finest unit."""
    aware = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    return aware.replace(microsecond=0)
