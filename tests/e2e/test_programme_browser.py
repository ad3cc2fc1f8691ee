"""A three-team programme in real browsers: the lead creates it and adds the teams on the
programme page; each team adopts its statement (through the services, as the Step 4 walk
in test_room_browser does in the browser); the lead starts the organisation round and
adds a delegate for two teams, while someone of the third joins by the round's own link
and chooses their team; the three phones rank and check; the lead
runs the round on the consensus page with the lead key; the programme page shows the
organisation's statement and the line of sight."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from coach.bootstrap import build
from coach.config import Settings
from coach.scoring.rubric import load_rubric
from tests.e2e.conftest import open_screen, shot
from tests.integration.test_programmes import STATEMENTS, _adopt

pytestmark = pytest.mark.e2e
LIVE_MS = 10_000
LOAD_MS = 30_000
QUESTIONS = [c.question for c in load_rubric("mission").criteria]
PHONE = {"width": 390, "height": 844}


def _confirm(page: Page, label: str) -> None:
    """A step that asks first. A live redraw (a ballot or answer arriving) can land between
    the click and the question: then the button is pressed again."""
    yes = page.get_by_role("button", name=f"Yes: {label[0].lower()}{label[1:]}")
    for _ in range(3):
        page.get_by_role("button", name=label, exact=True).click()
        try:
            yes.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    yes.click()


def test_a_lead_runs_a_three_team_programme_to_one_organisation_statement(
    page: Page, browser, screens: dict[str, Page], app_url: str, app_db: str
) -> None:
    svc = build(Settings(database_url=app_db, public_url=None))
    lead_page = page
    lead_page.set_viewport_size({"width": 1440, "height": 1400})
    lead_page.goto(f"{app_url}/programme")
    lead_page.get_by_role("textbox", name="Programme name").fill("Service week")
    lead_page.get_by_role("button", name="Create programme").click()
    lead_page.get_by_text("Save your lead link now").wait_for(timeout=LOAD_MS)
    lead_link = lead_page.locator("code", has_text="lead=").first.inner_text()
    code, lead = lead_link.split("code=")[1].split("&")[0], lead_link.split("lead=")[1]
    for name in STATEMENTS:
        lead_page.get_by_role("textbox", name="Team name").fill(name)
        lead_page.get_by_role("button", name="Add team").click()
        lead_page.get_by_text(name, exact=True).first.wait_for(timeout=LOAD_MS)
    expect(lead_page.get_by_text("3 teams", exact=True)).to_be_visible(timeout=LIVE_MS)
    programme = svc.programmes.lead(code, lead)
    for team in svc.programmes.teams(programme):  # each team's own Step 4
        key = lead_page.locator("code", has_text=f"code={team.code}&key=").first.inner_text()
        key = key.split("key=")[1]
        svc.steps.go(team.code, key, "mission", seen="image")
        tokens = [svc.workshops.join(team.code, f"{team.name} {i}")[1].token for i in (1, 2)]
        _adopt(svc, team.code, key, tokens, STATEMENTS[team.name])
    lead_page.get_by_text("3 of 3 teams have adopted a statement").wait_for(timeout=LIVE_MS)
    lead_page.get_by_role("button", name="Start the organisation round").click()
    lead_page.get_by_role("button", name="Add a delegate").wait_for(timeout=LOAD_MS)
    phones = []
    *sent, open_to_all = STATEMENTS
    for n, name in enumerate(sent):
        lead_page.get_by_label("Team", exact=True).click()
        lead_page.get_by_role("option", name=name).click()
        lead_page.get_by_role("textbox", name="Delegate's name").fill(f"Delegate {n + 1}")
        lead_page.get_by_role("button", name="Add a delegate").click()
        url = lead_page.locator("code", has_text="member=").nth(n).inner_text(timeout=LOAD_MS)
        phones.append(open_screen(browser, screens, f"delegate{n + 1}", url, viewport=PHONE))
    # The third team's person joins by the round's own join link, choosing their team.
    lead_page.get_by_text("Everyone votes: the round's join link and QR code").click()
    join = lead_page.locator("code", has_text="/join?code=").filter(has_not_text="member=")
    anyone = open_screen(browser, screens, "anyone", join.first.inner_text(), viewport=PHONE)
    anyone.get_by_role("textbox", name="Your name").fill("Eve")
    anyone.locator('[data-testid="stSelectbox"] input').first.click()
    anyone.get_by_role("option").filter(has_text=open_to_all).first.click()
    anyone.get_by_role("button", name="Join").click()
    anyone.get_by_text("You are Eve (Housekeeping).").wait_for(timeout=LOAD_MS)
    phones.append(anyone)
    shot(lead_page, "programme-round-delegates")

    # The lead runs the round on the consensus page, with the lead key.
    fac = open_screen(
        browser, screens, "round", lead_page.get_by_role(
            "link", name="Facilitate the round: candidates, vote, four-criteria check"
        ).get_attribute("href"), viewport={"width": 1440, "height": 900},
    )  # fmt: skip
    programme = svc.programmes.lead(code, lead)
    org = svc.workshops.find(svc.programmes.org_round(programme).workshop.code)  # type: ignore[union-attr]
    drafts = svc.store.drafts(org.id)
    for d in drafts[:2]:
        svc.consensus.promote(org.code, lead, d.id)
    fac.get_by_role("tab", name="Candidates").click()
    fac.get_by_role("button", name="Open the vote").click()
    fac.get_by_text("Round 1: ranked vote.").wait_for(timeout=LOAD_MS)
    for ph in phones:
        ph.get_by_text("rank the candidates").wait_for(timeout=LIVE_MS)
        ph.get_by_label("Place for A").click()
        ph.get_by_role("option", name="1", exact=True).click()
        ph.get_by_role("button", name="Submit my ranking").click()
        ph.get_by_text("Ranking saved ✓").wait_for(timeout=LOAD_MS)
    fac.get_by_role("tab", name="Ranked vote").click()
    expect(fac.get_by_text("3 of 3", exact=True)).to_be_visible(timeout=LIVE_MS)  # all in
    _confirm(fac, "Close the vote")
    for ph in phones:
        ph.get_by_text("the four-criteria check").wait_for(timeout=LIVE_MS)
        for question in QUESTIONS:
            ph.get_by_role("radiogroup", name=question).get_by_text("4", exact=True).click()
        ph.get_by_role("button", name="Submit my answers").click()
        ph.get_by_text("Answers saved ✓").wait_for(timeout=LOAD_MS)
    fac.get_by_role("tab", name="Four-criteria check").click()
    _confirm(fac, "Close the check")
    fac.get_by_text("Consensus: everyone is at 3 or more").wait_for(timeout=LOAD_MS)
    _confirm(fac, "Adopt this statement")
    fac.get_by_text("adopted in round 1").wait_for(timeout=LOAD_MS)

    # The programme page follows by itself: the statement, and the line of sight.
    lead_page.get_by_text("Adopted by every team's delegates:").wait_for(timeout=LIVE_MS)
    expect(lead_page.locator("body")).to_contain_text(drafts[0].latest.text)
    lead_page.get_by_text("Line of sight").wait_for(timeout=LIVE_MS)
    shot(lead_page, "programme-adopted")
