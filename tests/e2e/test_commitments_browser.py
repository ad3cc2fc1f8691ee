"""A person writes a commitment, sees it scored, saves it, reloads, and finds it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
LINE = "I will call back every guest who leaves a voicemail within 2 hours."


def test_write_score_save_reload_find(page, app_url: str) -> None:
    page.goto(f"{app_url}/commitments")
    page.get_by_label(
        "Your organisation's mission statement (optional; you can add it later)"
    ).fill("We make every guest feel heard.")
    page.get_by_role("button", name="Start my commitments").click()
    box = page.get_by_role("textbox", name="New commitment")
    box.wait_for(timeout=30_000)
    box.fill(LINE)
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("Saved ✓").wait_for(timeout=30_000)
    # The page streams in: wait for the part rather than read it half-drawn.
    expect(page.locator("body")).to_contain_text("Shares with the mission: guest", timeout=30_000)
    assert "plan=" in page.url
    page.reload()
    page.get_by_text(LINE).first.wait_for(timeout=30_000)
    expect(page.locator("body")).to_contain_text("Overall", timeout=30_000)
