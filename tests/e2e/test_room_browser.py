"""The room in real browsers: a facilitator screen and four phones, with nobody reloading.

Each screen must follow the others by itself: joins reach the People table, an anonymous
reveal reaches every phone, the opened vote reaches every phone, each ballot moves the
count on the consensus screen. Screenshots of each screen are saved in test-artifacts/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coach.bootstrap import build
from coach.config import Settings
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
NAMES = ("Anastasia", "Bogdan", "Cyrille", "Dagny")
ANONYMOUS = "Anonymous: names hidden on this screen and in exports"
LIVE_MS = 5_000  # the screens follow within about half a second; this only bounds the wait


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"room-{name}.png"))


def test_four_phones_and_a_facilitator_follow_each_other_live(
    page, browser, app_url: str, app_db: str
) -> None:
    svc = build(Settings(database_url=app_db, public_url=None))
    w, key = svc.workshops.create("Front desk", "Harbour Hotel", "Guests who arrive tired")
    fac = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    fac.goto(f"{app_url}/workshop?code={w.code}&key={key}")
    fac.get_by_text("Scan to join").wait_for(timeout=30_000)

    phones = []
    for i, name in enumerate(NAMES):
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        ph = ctx.new_page()
        ph.goto(f"{app_url}/join?code={w.code}")
        ph.get_by_role("textbox", name="Your name (optional: leave blank to stay anonymous)").fill(
            name
        )
        ph.get_by_role("button", name="Join").click()
        ph.get_by_text("What makes a good mission statement").wait_for(timeout=30_000)
        expect(ph.locator("body")).to_contain_text("Focus: Guests who arrive tired")
        ph.get_by_role("textbox", name="Your mission statement").fill(
            f"We welcome every tired guest like family, promise {i + 1}."
        )
        ph.get_by_role("button", name="Submit").click()
        ph.get_by_text("Submitted ✓").wait_for(timeout=30_000)
        phones.append(ph)
    # Joins and drafts reached the facilitator's screen by themselves.
    fac.get_by_text("4 of 4 members have submitted").wait_for(timeout=LIVE_MS)
    _shot(fac, "facilitator-1440x900")
    _shot(phones[0], "phone-drafting-390x844")

    fac.get_by_text(ANONYMOUS).click()  # a toggle
    fac.get_by_text("Member 1 (here)").wait_for(state="attached", timeout=30_000)
    fac.get_by_role("button", name="Reveal all drafts").click()
    fac.get_by_text("👤 Member 4").wait_for(timeout=30_000)
    for ph in phones:  # every phone follows the reveal
        ph.get_by_text("All drafts are revealed").wait_for(timeout=LIVE_MS)
    shown = fac.locator("body").inner_text()
    assert not [n for n in NAMES if n in shown]  # anonymous: no name on the shared screen
    _shot(fac, "facilitator-anonymous-reveal-1440x900")

    for d in svc.store.drafts(w.id)[:2]:
        svc.consensus.promote(w.code, key, d.id)
    svc.consensus.open_vote(w.code, key)
    cons = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    cons.goto(f"{app_url}/consensus?code={w.code}&key={key}")
    cons.get_by_role("tab", name="Ranked vote").click()
    cons.get_by_text("0 of 4").wait_for(timeout=30_000)
    for n, ph in enumerate(phones[:2], start=1):
        ph.get_by_text("rank the candidates").wait_for(timeout=LIVE_MS)  # the vote reached it
        ph.get_by_label("Place for A").click()
        ph.get_by_role("option", name="1", exact=True).click()
        ph.get_by_role("button", name="Submit my ranking").click()
        ph.get_by_text("Ranking saved ✓").wait_for(timeout=30_000)
        cons.get_by_text(f"{n} of 4").wait_for(timeout=LIVE_MS)  # the count moved by itself
    _shot(cons, "consensus-vote-1920x1080")
    _shot(phones[2], "phone-ballot-390x844")
