"""The same phone opening the join link again gets its member back, not a second member,
when the member asked it to remember them (off by default: a shared device must not hand
the next person someone else's seat)."""

from __future__ import annotations

import pytest

from coach.bootstrap import build
from coach.config import Settings

pytestmark = pytest.mark.e2e
NAME_FIELD = "Your name (optional: leave blank to stay anonymous)"


def test_rejoining_on_the_same_phone_is_the_same_member(browser, app_url: str, app_db: str) -> None:
    svc = build(Settings(database_url=app_db, public_url=None))
    w, _ = svc.workshops.create("Front desk")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        ph = phone.new_page()
        ph.goto(f"{app_url}/join?code={w.code}")
        ph.get_by_role("textbox", name=NAME_FIELD).fill("Ana")
        ph.get_by_role("button", name="Join").click()
        ph.get_by_text("You are Ana.").wait_for(timeout=30_000)
        ph.goto(f"{app_url}/join?code={w.code}")  # not remembered: no offer
        ph.get_by_role("textbox", name=NAME_FIELD).wait_for(timeout=30_000)
        ph.wait_for_timeout(1_500)  # the device memory has answered by now
        assert ph.get_by_role("button", name="Continue as Ana").count() == 0
        ph.go_back()
        ph.get_by_role("button", name="Remember me on this phone").click()
        ph.get_by_text("This phone remembers you.").wait_for(timeout=30_000)
        ph.goto(f"{app_url}/join?code={w.code}")  # the projected link again, later
        ph.get_by_role("button", name="Continue as Ana").click()
        ph.get_by_text("You are Ana.").wait_for(timeout=30_000)
    finally:
        phone.close()
    assert [m.name for m in svc.store.members(w.id)] == ["Ana"]
    other = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:  # another phone sees no such offer
        op = other.new_page()
        op.goto(f"{app_url}/join?code={w.code}")
        op.get_by_role("textbox", name=NAME_FIELD).wait_for(timeout=30_000)
        assert op.get_by_role("button", name="Continue as Ana").count() == 0
    finally:
        other.close()
