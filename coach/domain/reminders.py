"""Commitment reminders as an iCalendar (RFC 5545) file any calendar app can import.

Each reminder is a short event at 09:00 in the plan's time zone (with its VTIMEZONE, so
summer time is right), on the weekday the commitment names ("every Friday") when it
names one. A recurring reminder's alarm rings at 09:00 on the day; a one-off deadline's
rings at 09:00 the day before, leaving a day to act.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event

from coach.errors import CoachError

PRODID = "-//Mission Coach//EN"
RECURRING_COUNT = 12  # an open-ended cadence: twelve weeks or twelve months of reminders
AT = time(9, 0)  # local time of every reminder: the start of a working day
LENGTH = timedelta(minutes=15)
ALARM_RECURRING = timedelta(0)  # at 09:00 on the day: do it today
ALARM_DEADLINE = timedelta(days=-1)  # at 09:00 the day before: a day to get it done
_CADENCES = {"weekly": "WEEKLY", "monthly": "MONTHLY"}
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": -1,
}
_WEEKDAY_RE = re.compile(
    r"(?i)\b(?:(first|1st|second|2nd|third|3rd|fourth|4th|last)\s+)?"
    r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b"
)
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
    tz: str = "UTC"  # the plan's time zone (IANA name): reminders ring at 09:00 there


def zone(name: str) -> ZoneInfo:
    """The time zone called `name`, or CoachError saying what a valid one looks like."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CoachError(
            f"{name[:40]!r} is not a time zone: use a name like Europe/London or America/New_York."
        ) from exc


def named_weekday(text: str) -> tuple[int, int | None] | None:
    """The weekday a commitment names (0 = Monday), with its ordinal in the month if it
    gives one ("the first Monday" -> (0, 1)); None if it names none."""
    m = _WEEKDAY_RE.search(text)
    if m is None:
        return None
    return _DAYS.index(m.group(2).lower()), _ORDINALS.get((m.group(1) or "").lower())


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
    cal.add_missing_timezones()  # a VTIMEZONE for each zone used, so any app reads it right
    return cal.to_ical()


def _event(reminder: Reminder, dtstamp: datetime) -> Event | None:
    """The VEVENT for one reminder, or None when it has no date to fall on."""
    if reminder.cadence and reminder.cadence not in _CADENCES:
        raise CoachError(
            f"Unknown cadence {reminder.cadence!r} for {reminder.uid!r}: "
            "use 'weekly', 'monthly' or none."
        )
    tz = zone(reminder.tz)
    first = _first_day(reminder) if reminder.cadence else reminder.due
    if first is None:
        return None
    summary = "Commitment: " + _one_line(reminder.text)
    start = datetime.combine(first, AT, tzinfo=tz)
    event = Event()
    event.add("uid", reminder.uid)
    event.add("dtstamp", dtstamp)
    event.add("dtstart", start)
    event.add("dtend", start + LENGTH)
    event.add("summary", summary)
    event.add("description", _description(reminder))
    if reminder.cadence:
        event.add("rrule", _rrule(reminder, first, tz))
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)  # RFC 5545 requires one on a DISPLAY alarm
    alarm.add("trigger", ALARM_RECURRING if reminder.cadence else ALARM_DEADLINE)
    event.add_component(alarm)
    return event


def _first_day(reminder: Reminder) -> date:
    """The first reminder: on or after the start, on the weekday the text names."""
    named = named_weekday(reminder.text)
    if named is None:
        return reminder.start
    weekday, nth = named
    if reminder.cadence == "monthly" and nth is not None:
        day = reminder.start
        while not _is_nth(day, weekday, nth):
            day += timedelta(days=1)
        return day
    return reminder.start + timedelta(days=(weekday - reminder.start.weekday()) % 7)


def _is_nth(day: date, weekday: int, nth: int) -> bool:
    if day.weekday() != weekday:
        return False
    if nth == -1:
        return (day + timedelta(days=7)).month != day.month
    return (day.day - 1) // 7 + 1 == nth


def _rrule(reminder: Reminder, first: date, tz: ZoneInfo) -> dict[str, object]:
    cadence, due = reminder.cadence, reminder.due
    rule: dict[str, object] = {"freq": _CADENCES[cadence]}
    named = named_weekday(reminder.text)
    if cadence == "weekly" and named is not None:
        rule["byday"] = _BYDAY[named[0]]
    elif cadence == "monthly" and named is not None and named[1] is not None:
        rule["byday"] = f"{named[1]}{_BYDAY[named[0]]}"  # "the first Monday": 1MO
    elif cadence == "monthly" and first.day > 28:
        # A plain monthly rule skips months without that day (no Feb 30); this picks the
        # start's day or, in shorter months, the month's last day.
        rule["bymonthday"] = list(range(28, first.day + 1))
        rule["bysetpos"] = -1
    if due is None:
        rule["count"] = RECURRING_COUNT
    else:
        # UNTIL is UTC when the start has a zone: the end of the due day, there. A due
        # date before the first reminder (bad data) still leaves that first one.
        last = datetime.combine(max(due, first), time(23, 59, 59), tzinfo=tz)
        rule["until"] = last.astimezone(UTC)
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


def occurrences(reminder: Reminder, first: date, last: date) -> list[date]:
    """The days from `first` to `last` (inclusive) a reminder falls on: its due date, or
    its cadence's days (the same rule the calendar file carries)."""
    from dateutil.rrule import rrulestr

    event = _event(reminder, datetime(2000, 1, 1, tzinfo=UTC))
    if event is None:
        return []
    start = event.decoded("dtstart")
    if "rrule" not in event:
        return [start.date()] if first <= start.date() <= last else []
    raw = event["rrule"].to_ical()
    rule = rrulestr(raw.decode() if isinstance(raw, bytes) else str(raw), dtstart=start)
    lo = datetime.combine(first, time.min, tzinfo=start.tzinfo)
    hi = datetime.combine(last, time.max, tzinfo=start.tzinfo)
    return [d.date() for d in rule.between(lo, hi, inc=True)]
