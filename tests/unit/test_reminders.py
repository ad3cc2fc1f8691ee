"""The .ics export, read back with icalendar's own parser and checked against RFC 5545."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from coach.domain.reminders import Reminder, to_ics
from coach.errors import CoachError

STAMP = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
MADE = date(2025, 3, 3)


def _reminder(n: int = 1, **kw: object) -> Reminder:
    fields: dict[str, object] = {
        "uid": f"commitment-{n}@mission-coach",
        "text": "I promise to call back every caller within 2 hours",
        "due": date(2025, 4, 15),
        "cadence": "",
        "start": MADE,
    }
    fields.update(kw)
    return Reminder(**fields)  # type: ignore[arg-type]


def _events(data: bytes) -> list:
    return Calendar.from_ical(data).walk("VEVENT")


def test_calendar_headers() -> None:
    cal = Calendar.from_ical(to_ics([_reminder()], calendar_name="Front desk", stamp=STAMP))
    assert str(cal["prodid"]) == "-//Mission Coach//EN"
    assert str(cal["version"]) == "2.0"
    assert str(cal["calscale"]) == "GREGORIAN"
    assert str(cal["x-wr-calname"]) == "Front desk"


def test_a_due_date_without_cadence_is_one_all_day_event() -> None:
    (event,) = _events(to_ics([_reminder()], stamp=STAMP))
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert type(start) is date and start == date(2025, 4, 15)  # a date, not a datetime
    assert type(end) is date and end == date(2025, 4, 16)
    assert event["dtstart"].params["VALUE"] == "DATE"
    assert "rrule" not in event
    assert event.decoded("dtstamp") == STAMP
    assert str(event["uid"]) == "commitment-1@mission-coach"


def test_weekly_runs_from_start_until_the_due_date() -> None:
    (event,) = _events(to_ics([_reminder(cadence="weekly")], stamp=STAMP))
    rule = event["rrule"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["UNTIL"] == [date(2025, 4, 15)]
    assert "COUNT" not in rule
    assert event.decoded("dtstart") == MADE
    assert event.decoded("dtend") == MADE + timedelta(days=1)


def test_monthly_without_due_date_repeats_twelve_times() -> None:
    (event,) = _events(to_ics([_reminder(cadence="monthly", due=None)], stamp=STAMP))
    rule = event["rrule"]
    assert rule["FREQ"] == ["MONTHLY"]
    assert rule["COUNT"] == [12]
    assert "UNTIL" not in rule
    assert type(event.decoded("dtstart")) is date


def _occurrences(event: object) -> list[date]:
    """Expand the RRULE with dateutil, independently of the code that wrote it."""
    start = event.decoded("dtstart")  # type: ignore[attr-defined]
    rule = event["rrule"].to_ical().decode()  # type: ignore[index]
    first = datetime(start.year, start.month, start.day)
    return [d.date() for d in rrulestr(rule, dtstart=first)]


def test_monthly_from_the_31st_falls_on_each_months_last_day() -> None:
    r = _reminder(cadence="monthly", due=None, start=date(2025, 1, 31))
    (event,) = _events(to_ics([r], stamp=STAMP))
    days = _occurrences(event)
    assert len(days) == 12
    assert days[:4] == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)]


def test_recurrences_expand_as_promised() -> None:
    weekly = _reminder(cadence="weekly", due=date(2025, 3, 24))
    monthly = _reminder(2, cadence="monthly", due=None, start=date(2025, 1, 15))
    w, m = _events(to_ics([weekly, monthly], stamp=STAMP))
    assert _occurrences(w) == [
        date(2025, 3, 3),
        date(2025, 3, 10),
        date(2025, 3, 17),
        date(2025, 3, 24),
    ]
    assert _occurrences(m)[-1] == date(2025, 12, 15)


def test_a_due_date_before_the_start_still_leaves_the_first_reminder() -> None:
    r = _reminder(cadence="weekly", due=date(2025, 2, 1))
    (event,) = _events(to_ics([r], stamp=STAMP))
    assert _occurrences(event) == [MADE]


def test_reminders_without_date_or_cadence_are_skipped() -> None:
    undated = _reminder(2, due=None, cadence="")
    events = _events(to_ics([_reminder(1), undated, _reminder(3, cadence="weekly")], stamp=STAMP))
    assert [str(e["uid"]) for e in events] == [
        "commitment-1@mission-coach",
        "commitment-3@mission-coach",
    ]
    assert _events(to_ics([undated], stamp=STAMP)) == []
    assert _events(to_ics([], stamp=STAMP)) == []


SAME = None  # the text survives unchanged
HOSTILE: dict[str, tuple[str, str | None]] = {
    "commas": ("Call back, apologise, fix it", SAME),
    "semicolons": ("Smile; greet; thank", SAME),
    "backslashes": (r"Path C:\queue\n is not a newline \\ ok", SAME),
    "newlines": ("Line one\nline two\r\n\r\nline three", "Line one line two line three"),
    "emoji": ("Thank every guest 🙏🏽 and smile 😀", SAME),
    "arabic": ("أعد الاتصال بكل متصل خلال ساعتين", SAME),
    "everything": (
        '"Quote", colon: ;semi\\ \t tab\n😀 نعم',
        '"Quote", colon: ;semi\\ \t tab 😀 نعم',
    ),
    "controls": ("bell\x07 and\x00 nul", "bell and nul"),
}


@pytest.mark.parametrize(("text", "expected"), HOSTILE.values(), ids=HOSTILE.keys())
def test_summary_round_trips_hostile_text(text: str, expected: str | None) -> None:
    expected = text if expected is SAME else expected
    (event,) = _events(to_ics([_reminder(text=text)], stamp=STAMP))
    assert str(event["summary"]) == "Commitment: " + expected
    assert str(event["description"]).split("\n")[0] == expected


def test_description_names_partner_and_mission_when_given() -> None:
    r = _reminder(partner="Amira, front desk", mission="We make every guest;\nfeel at home")
    (event,) = _events(to_ics([r], stamp=STAMP))
    lines = str(event["description"]).split("\n")
    assert lines[1:] == [
        "Accountability partner: Amira, front desk",
        "Mission: We make every guest; feel at home",
    ]
    (bare,) = _events(to_ics([_reminder(partner=" ")], stamp=STAMP))
    assert "Accountability partner" not in str(bare["description"])
    assert "Mission:" not in str(bare["description"])


def test_every_event_has_a_display_alarm_at_three_the_day_before() -> None:
    events = _events(to_ics([_reminder(1), _reminder(2, cadence="monthly")], stamp=STAMP))
    for event in events:
        (alarm,) = event.walk("VALARM")
        assert str(alarm["action"]) == "DISPLAY"
        assert alarm.decoded("trigger") == timedelta(hours=-9)
        assert str(alarm["description"]) == str(event["summary"])
        start = datetime.combine(event.decoded("dtstart"), datetime.min.time())
        assert (start + alarm.decoded("trigger")).hour == 15


def test_uids_are_unique_and_stable() -> None:
    reminders = [_reminder(n, cadence=c) for n, c in enumerate(["", "weekly", "monthly"], 1)]
    first = [str(e["uid"]) for e in _events(to_ics(reminders, stamp=STAMP))]
    later = datetime(2026, 1, 1, tzinfo=UTC)
    again = [str(e["uid"]) for e in _events(to_ics(reminders, stamp=later))]
    assert first == again
    assert len(set(first)) == 3
    with pytest.raises(CoachError, match="commitment-1@mission-coach"):
        to_ics([_reminder(1), _reminder(1, text="other")], stamp=STAMP)


def test_unknown_cadence_is_refused() -> None:
    with pytest.raises(CoachError, match="daily"):
        to_ics([_reminder(cadence="daily")], stamp=STAMP)


def test_output_is_deterministic_and_stamp_is_utc() -> None:
    reminders = [_reminder(1, text=HOSTILE["everything"][0]), _reminder(2, cadence="weekly")]
    assert to_ics(reminders, stamp=STAMP) == to_ics(reminders, stamp=STAMP)
    paris = datetime(2025, 3, 1, 10, 30, 0, 999, tzinfo=timezone(timedelta(hours=1)))
    assert to_ics(reminders, stamp=paris) == to_ics(reminders, stamp=STAMP)
    naive = datetime(2025, 3, 1, 9, 30)
    assert to_ics(reminders, stamp=naive) == to_ics(reminders, stamp=STAMP)
    assert b"DTSTAMP:20250301T093000Z\r\n" in to_ics(reminders, stamp=STAMP)


def test_lines_are_crlf_and_folded_to_75_octets() -> None:
    long_text = "Merci, شكرا 😀; " * 40 + "and call back every caller within two hours"
    data = to_ics(
        [_reminder(text=long_text, partner="Zoë " * 30, mission="Ünïcode " * 30, cadence="weekly")],
        stamp=STAMP,
    )
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert sum(line.startswith(b" ") for line in lines) > 10  # long values really were folded
    for line in lines:
        line.decode("utf-8")  # a fold never splits a multi-byte character
    (event,) = _events(data)
    assert str(event["summary"]) == "Commitment: " + long_text.strip()
