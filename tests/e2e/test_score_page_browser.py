"""The scoring page in a real browser, as a person uses it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_type_a_draft_and_see_scores_evidence_and_tips(page, app_url: str) -> None:
    page.goto(f"{app_url}/score")
    page.get_by_text("Write or paste one sentence").wait_for(timeout=30_000)
    box = page.get_by_role("textbox", name="Your statement")
    box.fill("We try to provide great service. <b>bold</b>")
    page.get_by_role("button", name="Score").click()
    page.get_by_text("What the coach saw").wait_for(timeout=30_000)
    # The page streams in: wait for each part rather than read it half-drawn.
    body = page.locator("body")
    expect(body).to_contain_text("Affirmative and bold", timeout=30_000)
    expect(body).to_contain_text(
        "write 'We provide' instead of 'We try to provide'", timeout=30_000
    )
    # The markup is shown as typed, not rendered.
    expect(body).to_contain_text("<b>bold</b>", timeout=30_000)
    assert page.locator("b", has_text="bold").count() == 0


def test_commitment_lines_are_split_into_actions(page, app_url: str) -> None:
    page.goto(f"{app_url}/score")
    page.get_by_text("Write or paste one sentence").wait_for(timeout=30_000)
    page.get_by_text("Commitment", exact=True).click()
    box = page.get_by_role("textbox", name="Your commitment")
    box.wait_for(timeout=10_000)
    box.fill(
        "I promise to call back every caller within 2 hours, and thank a colleague every Friday."
    )
    page.get_by_role("button", name="Score").click()
    page.get_by_text("Each action").wait_for(timeout=30_000)
    expect(page.locator("body")).to_contain_text("This line holds 2 actions", timeout=30_000)
