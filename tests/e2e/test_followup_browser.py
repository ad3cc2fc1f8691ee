"""Step 6 to Step 8 in real browsers: a member, their accountability partner and a manager,
each on their own page, at the sizes people use. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from coach.bootstrap import build
from coach.config import Settings
from tests.conftest import ROOT
from tests.support.partners import partnered

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "test-artifacts"
WAIT = 30_000
SIZES = {"laptop": (1440, 900), "projector": (1920, 1080), "phone": (390, 844)}


def _page(browser, size: str) -> Page:  # type: ignore[no-untyped-def]
    w, h = SIZES[size]
    ctx = browser.new_context(viewport={"width": w, "height": h}, is_mobile=size == "phone")
    return ctx.new_page()


def _shot(page: Page, name: str, size: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    w, h = SIZES[size]
    page.screenshot(path=str(Path(SHOTS) / f"followup-{name}-{w}x{h}.png"), full_page=True)


def test_member_partner_and_manager_each_have_a_page(browser, app_url: str, app_db: str) -> None:
    svc = build(Settings(database_url=app_db, public_url=None))
    p = partnered(
        svc,
        "I will thank one colleague at every Friday huddle.",
        workshop="Front desk",
        cadence="weekly",
    )
    svc.commitments.check_in(p.ana, p.commitment_id, "in progress", "Thanked Chen.")
    svc.commitments.check_in(p.ana, p.commitment_id, "done", "Thanked Dee.")
    manager = svc.workshops.manager_link(p.code, p.key)

    # The partner, on a phone: sees Ana's commitment and encourages her.
    bo_page = _page(browser, "phone")
    bo_page.goto(f"{app_url}/commitments?plan={p.bo}")
    bo_page.get_by_text("You are accountability partner for", exact=True).wait_for(timeout=WAIT)
    bo_page.get_by_text("You are accountability partner for Ana: their").wait_for(timeout=WAIT)
    bo_page.get_by_label("A word for Ana").fill("Great habit, keep it up!")
    bo_page.get_by_role("button", name="Send encouragement").click()
    bo_page.get_by_text("Sent: Ana sees it on their page.").wait_for(timeout=WAIT)
    _shot(bo_page, "partner", "phone")
    bo_page.context.close()

    # The manager, on a laptop: no facilitator controls, gives feedback to the team.
    for size in ("laptop", "projector"):
        m = _page(browser, size)
        m.goto(f"{app_url}/team?code={p.code}&manager={manager}")
        m.get_by_text("you are here as manager").wait_for(timeout=WAIT)
        expect(m).not_to_have_url(re.compile("manager="), timeout=WAIT)
        assert m.get_by_role("button", name="Make a manager's link").count() == 0
        assert m.get_by_role("link", name="Drafts and people").count() == 0
        if size == "laptop":
            m.get_by_role("textbox", name="Your name", exact=True).fill("Dana")
            m.get_by_role("textbox", name="Feedback", exact=True).fill(
                "Lovely to see the thanks at huddles."
            )
            m.get_by_role("button", name="Record feedback").click()
            # The recorded line, not the box, which may still hold the words for a moment.
            m.get_by_text("Dana on the team: Lovely to see the").wait_for(timeout=WAIT)
        # The page redraws once more after the feedback (the team's record changed): a
        # heading found just before that is gone, so it is found again.
        for attempt in range(3):
            try:
                m.get_by_text("Kept, week by week").scroll_into_view_if_needed()
                break
            except PlaywrightError:
                if attempt == 2:
                    raise
        _shot(m, "manager", size)
        m.context.close()

    # The member, on a phone: the partner's word and the manager's feedback, marked new.
    a = _page(browser, "phone")
    a.goto(f"{app_url}/commitments?plan={p.ana}")
    a.get_by_text("Feedback from management").wait_for(timeout=WAIT)
    expect(a.get_by_text("💬 Bo: Great habit, keep it up!", exact=False)).to_be_visible(
        timeout=WAIT
    )
    _shot(a, "member", "phone")
    a.get_by_role("button", name="Mark feedback as read").click()
    expect(a.get_by_role("button", name="Mark feedback as read")).to_have_count(0, timeout=WAIT)
    a.context.close()
