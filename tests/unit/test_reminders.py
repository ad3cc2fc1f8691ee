"""The .ics export, read back with icalendar's own parser and checked against RFC 5545."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

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


# -- dates, weekdays, local times (issue 15: "every Friday" fell on Thursdays) ---------


def _local(event: object, n: int = 5) -> list[datetime]:
    """The first `n` occurrences, expanded by dateutil (not by the code that wrote the
    rule) from the parsed DTSTART with its time zone."""
    start = event.decoded("dtstart")  # type: ignore[attr-defined]
    assert isinstance(start, datetime) and start.tzinfo is not None
    if "rrule" not in event:  # type: ignore[operator]
        return [start]
    rule = event["rrule"].to_ical().decode()  # type: ignore[index]
    out = []
    for d in rrulestr(rule, dtstart=start):
        out.append(d)
        if len(out) == n:
            break
    return out


LONDON = "Europe/London"  # summer time starts on 29 March 2026: 09:00 must stay 09:00
THURSDAY = date(2026, 3, 19)

CADENCE_CASES = [
    # (text, cadence, due, first five local dates)
    (
        "I will thank one colleague at every Friday huddle.",
        "weekly",
        None,
        [
            date(2026, 3, 20),
            date(2026, 3, 27),
            date(2026, 4, 3),
            date(2026, 4, 10),
            date(2026, 4, 17),
        ],
    ),
    (
        "Every Monday I will review the complaints log.",
        "weekly",
        None,
        [
            date(2026, 3, 23),
            date(2026, 3, 30),
            date(2026, 4, 6),
            date(2026, 4, 13),
            date(2026, 4, 20),
        ],
    ),
    (
        "I will walk the wards once a week.",  # no weekday named: the day it was made
        "weekly",
        None,
        [
            date(2026, 3, 19),
            date(2026, 3, 26),
            date(2026, 4, 2),
            date(2026, 4, 9),
            date(2026, 4, 16),
        ],
    ),
    (
        "On the first Monday of each month I will share the survey results.",
        "monthly",
        None,
        [date(2026, 4, 6), date(2026, 5, 4), date(2026, 6, 1), date(2026, 7, 6), date(2026, 8, 3)],
    ),
    (
        "I will audit the lost-property log every month.",
        "monthly",
        None,
        [
            date(2026, 3, 19),
            date(2026, 4, 19),
            date(2026, 5, 19),
            date(2026, 6, 19),
            date(2026, 7, 19),
        ],
    ),
    (
        "Every Wednesday until the end of April I will run the drop-in.",
        "weekly",
        date(2026, 4, 8),
        [date(2026, 3, 25), date(2026, 4, 1), date(2026, 4, 8)],  # the due day included
    ),
]


@pytest.mark.parametrize(("text", "cadence", "due", "days"), CADENCE_CASES)
def test_every_cadence_falls_on_the_right_weekday_at_nine_local(
    text: str, cadence: str, due: date | None, days: list[date]
) -> None:
    r = _reminder(text=text, cadence=cadence, due=due, start=THURSDAY, tz=LONDON)
    (event,) = _events(to_ics([r], stamp=STAMP))
    assert event["dtstart"].params["TZID"] == LONDON
    got = _local(event)
    assert [d.date() for d in got] == days
    for d in got:
        local = d.astimezone(ZoneInfo(LONDON))
        assert local.time() == time(9, 0), d  # before and after the clocks change
        assert local.weekday() == days[0].weekday() or cadence == "monthly"


def test_the_calendar_carries_the_zone_it_uses() -> None:
    data = to_ics([_reminder(cadence="weekly", tz="America/New_York")], stamp=STAMP)
    cal = Calendar.from_ical(data)
    assert [str(t["tzid"]) for t in cal.walk("VTIMEZONE")] == ["America/New_York"]


def test_a_deadline_rings_the_day_before_and_a_cadence_on_the_day() -> None:
    due, weekly = _events(
        to_ics([_reminder(1, tz=LONDON), _reminder(2, cadence="weekly", tz=LONDON)], stamp=STAMP)
    )
    for event, before in ((due, timedelta(days=-1)), (weekly, timedelta(0))):
        (alarm,) = event.walk("VALARM")
        assert str(alarm["action"]) == "DISPLAY"
        assert str(alarm["description"]) == str(event["summary"])
        assert alarm.decoded("trigger") == before
        rings = event.decoded("dtstart") + alarm.decoded("trigger")
        assert rings.astimezone(ZoneInfo(LONDON)).time() == time(9, 0)  # working hours
    assert due.decoded("dtstart").date() == date(2025, 4, 15)
    assert due.decoded("dtend") - due.decoded("dtstart") == timedelta(minutes=15)
    assert "rrule" not in due


def test_open_ended_cadences_repeat_twelve_times() -> None:
    (event,) = _events(to_ics([_reminder(cadence="monthly", due=None)], stamp=STAMP))
    assert event["rrule"]["COUNT"] == [12]
    assert len(_local(event, 100)) == 12


def test_monthly_from_the_31st_falls_on_each_months_last_day() -> None:
    r = _reminder(cadence="monthly", due=None, start=date(2025, 1, 31))
    (event,) = _events(to_ics([r], stamp=STAMP))
    assert [d.date() for d in _local(event, 4)] == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
    ]


def test_a_due_date_before_the_start_still_leaves_the_first_reminder() -> None:
    r = _reminder(cadence="weekly", due=date(2025, 2, 1))
    (event,) = _events(to_ics([r], stamp=STAMP))
    assert [d.date() for d in _local(event)] == [MADE]


def test_an_unknown_time_zone_is_refused_with_an_example() -> None:
    with pytest.raises(CoachError, match="Europe/London"):
        to_ics([_reminder(tz="Mars/Olympus")], stamp=STAMP)
