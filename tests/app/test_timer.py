"""The writing timer: the facilitator starts it, phones count down, drafting may close at 0."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coach.bootstrap import Services
from coach.errors import InputError
from coach.service.workshops import Locked
from coach.ui.timer import seconds_left
from tests.app.conftest import open_page, texts


def test_start_and_stop_the_timer_from_the_facilitator_screen(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    at = open_page("workshop", code=w.code, key=key)
    at.number_input(key="timer_minutes_mission").set_value(3)
    at.checkbox(key="timer_lock").check()
    at.button(key="timer_start").click().run()
    running = svc.workshops.find(w.code)
    assert running.timer_lock
    left = seconds_left(running)
    assert left is not None and 170 < left <= 180
    assert "drafting closes at zero" in " ".join(c.value for c in at.caption)
    at.button(key="timer_stop").click().run()
    assert svc.workshops.find(w.code).timer_ends_at is None


def test_a_phone_sees_the_timer_and_time_up_closes_drafting(
    svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, key = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Ana")
    svc.workshops.start_timer(w.code, key, 1, lock_at_zero=True)
    phone = open_page("join", code=w.code, member=m.token)
    assert "Writing time: drafting closes at zero." in [c.value for c in phone.caption]
    svc.workshops.submit(w.code, m.token, "We welcome every guest.", "n1")  # still time
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert svc.workshops.find(w.code).time_up(later)

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return later

    monkeypatch.setattr("coach.service.workshops.datetime", Later)
    with pytest.raises(Locked, match="Time is up"):
        svc.workshops.submit(w.code, m.token, "We welcome every guest warmly.", "n2")
    svc.workshops.stop_timer(w.code, key)  # more time: drafting is open again
    svc.workshops.submit(w.code, m.token, "We welcome every guest warmly.", "n3")
    assert "warmly" in texts(open_page("join", code=w.code, member=m.token))


def test_the_writing_time_must_be_sensible(svc: Services) -> None:
    w, key = svc.workshops.create("Desk")
    for minutes in (0, -1, 61):
        with pytest.raises(InputError, match="from 1 to 60"):
            svc.workshops.start_timer(w.code, key, minutes)
