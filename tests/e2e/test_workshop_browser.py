"""A whole Step 4 round in real browsers: facilitator screen plus a phone that joins."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

DRAFT = "We welcome every guest like family and exceed their expectations."


def _create(page, app_url: str) -> str:
    page.goto(app_url)
    name = page.get_by_role("textbox", name="Workshop name")
    name.wait_for(timeout=30_000)
    name.fill("Front desk")
    page.get_by_text("Mission and commitments only: Steps 4, 6 and 8").click()
    page.get_by_role("button", name="Create workshop").click()
    page.get_by_text("Workshop created").wait_for(timeout=30_000)
    page.get_by_role("button", name="Open the facilitator screen").click()
    page.get_by_text("Scan to join").wait_for(timeout=30_000)
    return page.url


def test_phone_joins_submits_and_the_facilitator_sees_it_live(page, browser, app_url: str) -> None:
    facilitator_url = _create(page, app_url)
    code = facilitator_url.split("code=")[1].split("&")[0]
    assert "key=" not in facilitator_url  # the key left the address bar once read

    phone = browser.new_context(
        viewport={"width": 390, "height": 900}, is_mobile=True, has_touch=True
    )
    try:
        p = phone.new_page()
        p.goto(f"{app_url}/join?code={code}")
        p.get_by_role("textbox", name="Your name (optional: leave blank to stay anonymous)").fill(
            "Ana"
        )
        p.get_by_role("button", name="Join").click()
        box = p.get_by_role("textbox", name="Your mission statement")
        box.wait_for(timeout=30_000)
        box.fill(DRAFT)
        started = time.monotonic()
        p.get_by_role("button", name="Submit").click()
        p.get_by_text("Submitted ✓").wait_for(timeout=30_000)
        p.get_by_text("Your latest draft").wait_for(timeout=30_000)
        print(f"\nsubmit-to-score-visible on the phone: {time.monotonic() - started:.2f} s")
    finally:
        phone.close()

    # The facilitator screen picks it up by itself: no reload.
    started = time.monotonic()
    page.get_by_text("1 of 1 members have submitted").wait_for(timeout=10_000)
    print(f"facilitator screen updated after {time.monotonic() - started:.2f} s")
    assert DRAFT not in page.locator("body").inner_text()  # private until reveal

    page.get_by_role("button", name="Reveal all drafts").click()
    page.get_by_text("Ana · overall").wait_for(timeout=30_000)
    body = page.locator("body")
    for part in (
        "We welcome every guest like family and exceed their expectations",
        "Desired",
        "Stretching",
    ):
        expect(body).to_contain_text(part, timeout=30_000)


def test_unknown_code_on_the_phone(page, app_url: str) -> None:
    page.goto(f"{app_url}/join?code=0000-0000-0000")
    page.get_by_text("No workshop has the code 0000-0000-0000").wait_for(timeout=30_000)


def test_a_web_address_as_a_code_is_shown_as_text_never_as_a_link(page, app_url: str) -> None:
    page.goto(f"{app_url}/join?code=https://evil.example/login")
    page.get_by_text("is not a join code").wait_for(timeout=30_000)
    assert page.locator("a[href*='evil.example']").count() == 0
    assert "evil.example/login" in page.locator("body").inner_text()  # shown, as typed


def test_the_key_leaves_the_address_bar_and_a_reload_keeps_the_workshop(
    page, browser, app_url: str
) -> None:
    """A projected facilitator screen shows no key; the tab keeps it (sessionStorage), so a
    reload opens the workshop again, while a new browser given the same address does not."""
    url = _create(page, app_url)
    expect(page).not_to_have_url(re.compile(r"key="), timeout=30_000)
    page.reload()
    page.get_by_text("Scan to join").wait_for(timeout=30_000)
    page.get_by_role("button", name="Reveal all drafts").click()  # the controls still act
    page.get_by_role("button", name="Hide drafts").wait_for(timeout=30_000)
    assert "key=" not in page.url
    other = browser.new_context()
    try:
        stranger = other.new_page()
        stranger.goto(url)
        stranger.get_by_text("Only the facilitator can do this").wait_for(timeout=30_000)
        assert stranger.get_by_role("button", name="Reveal all drafts").count() == 0
    finally:
        other.close()


def _local(page) -> str:
    return page.evaluate("JSON.stringify(Object.assign({}, window.localStorage))")


def test_remember_on_this_device_is_opt_in_and_keeps_no_key(page, app_url: str) -> None:
    page.goto(app_url)
    page.get_by_role("textbox", name="Workshop name").wait_for(timeout=30_000)
    # What an older version left behind: a facilitator key in plain localStorage.
    page.evaluate(
        "localStorage.setItem('mission-coach.recent.v1', "
        "JSON.stringify([{code: 'OLD', role: 'facilitator', secret: 'old-key'}]))"
    )
    page.reload()
    name = page.get_by_role("textbox", name="Workshop name")
    name.wait_for(timeout=30_000)
    name.fill("Front desk")
    page.get_by_role("button", name="Create workshop").click()
    page.get_by_text("Workshop created").wait_for(timeout=30_000)
    link = page.locator("code", has_text="key=").first.inner_text()
    key = link.split("key=")[1].strip()
    assert "old-key" not in _local(page)  # the old list is gone
    assert key not in _local(page) and "Front desk" not in _local(page)  # not remembered yet

    page.get_by_role("button", name="Remember on this device").click()
    page.get_by_text("This device remembers the workshop under Recent workshops.").wait_for(
        timeout=30_000
    )
    expect(page.get_by_text(re.compile(r"Front desk · .* as facilitator"))).to_be_visible(
        timeout=30_000
    )
    stored = _local(page)
    assert "Front desk" in stored and key not in stored  # a device token, never the key
    entry = json.loads(json.loads(stored)["mission-coach.recent.v2"])[0]

    page.get_by_role("button", name="Open", exact=True).click()
    page.get_by_text("Scan to join").wait_for(timeout=30_000)
    assert "key=" not in page.url
    page.goto(app_url)
    page.get_by_role("button", name="Forget").click()
    page.get_by_text("None yet: workshops you create or join here will be listed.").wait_for(
        timeout=30_000
    )
    assert "Front desk" not in _local(page)
    page.goto(f"{app_url}/workshop?code={entry['code']}&key={entry['secret']}")
    page.get_by_text("Only the facilitator can do this").wait_for(timeout=30_000)  # revoked
