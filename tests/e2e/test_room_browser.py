"""The room in real browsers: a facilitator, a projector and four phones, with nobody reloading.

One test walks the whole of Step 4 as a room would: the phones join, the facilitator starts
the writing timer (phones and projector count down), everyone drafts, the drafts are revealed
anonymously (no name on any shared screen), the phones vote while the ballot count moves on
the consensus screen and the projector, the four-criteria check closes once the facilitator
marks the one silent member absent, and the statement is adopted. Each phase is driven
through the buttons the UI offers (confirmations included), except promoting the candidates,
which goes through the service layer. Screenshots of each screen at each phase are saved in
test-artifacts/ as room-<screen>-<phase>-<width>x<height>.png.

Two more tests pin bugs this walk found: a live redraw must keep the facilitator's chosen
consensus tab, and a phone must follow its own member being marked absent.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from coach.bootstrap import Services, build
from coach.config import Settings
from coach.scoring.rubric import load_rubric
from tests.e2e.conftest import join_phone, open_screen, shot

pytestmark = pytest.mark.e2e
NAMES = ("Anastasia", "Bogdan", "Cyrille", "Dagny")
ANONYMOUS = "Anonymous: names hidden on this screen and in exports"
QUESTIONS = [c.question for c in load_rubric("mission").criteria]
LIVE_MS = 5_000  # the screens follow within about half a second; this only bounds the wait
LOAD_MS = 30_000  # a first page load, or a step the clicked screen runs itself
FACILITATOR = {"width": 1440, "height": 900}
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


def _shot(page: Page, name: str, at: Locator | None = None) -> None:
    """What the screen shows now; `at` first scrolls what this phase is about into the middle
    (a phone stays scrolled where its person last tapped when the page moves on)."""
    if at is not None:
        at.evaluate("e => e.scrollIntoView({block: 'center'})")
    shot(page, f"room-{name}")


def _names_on(page: Page, own: str = "") -> list[str]:
    """Members' names this screen shows (a phone may show its own member's name)."""
    shown = page.locator("body").inner_text()
    return [n for n in NAMES if n != own and n in shown]


def _confirm(page: Page, label: str) -> None:
    """A step that asks first: the button, then its 'Yes: …' confirmation."""
    page.get_by_role("button", name=label, exact=True).click()
    page.get_by_role("button", name=f"Yes: {label[0].lower()}{label[1:]}").click()


def _on_tab(page: Page, tab: str, text: str) -> None:
    """On the facilitator's consensus page, `tab` is chosen (and stays chosen through the
    live redraws) while `text` arrives on it by itself."""
    chosen = page.get_by_role("tab", name=tab)
    if chosen.get_attribute("aria-selected") != "true":
        chosen.click()
    expect(page.get_by_text(text)).to_be_visible(timeout=LIVE_MS)
    expect(chosen).to_have_attribute("aria-selected", "true")


def test_four_phones_a_facilitator_and_a_projector_walk_step_4_live(
    page: Page, browser, screens: dict[str, Page], app_url: str, app_db: str
) -> None:
    svc = build(Settings(database_url=app_db, public_url=None))
    w, key = svc.workshops.create("Front desk", "Harbour Hotel", "Guests who arrive tired")
    fac = page  # the conftest fixture: photographed on failure
    fac.set_viewport_size(FACILITATOR)
    fac.goto(f"{app_url}/workshop?code={w.code}&key={key}")
    fac.get_by_text("Scan to join").wait_for(timeout=LOAD_MS)

    # The projector opens the read-only link the facilitator screen offers: no key in it.
    present = fac.get_by_role("link", name="Present on the projector").get_attribute("href")
    assert present is not None
    assert key not in present
    assert f"view={svc.workshops.presenter_token(w.code, key)}" in present
    proj = open_screen(browser, screens, "projector", present, viewport=PROJECTOR)
    proj.get_by_text("Join on your phone with the code").wait_for(timeout=LOAD_MS)
    # No controls: the only buttons are Streamlit's own (the QR code's fullscreen toolbar).
    expect(proj.locator("button:not([kind=elementToolbar])")).to_have_count(0)
    # The projected address bar holds no secret; a reload of the projector still works.
    expect(proj).not_to_have_url(re.compile(r"view="), timeout=LOAD_MS)
    proj.reload()
    proj.get_by_text("Join on your phone with the code").wait_for(timeout=LOAD_MS)

    # -- join -----------------------------------------------------------------
    phones: list[Page] = []
    for i, name in enumerate(NAMES):
        ph = join_phone(browser, screens, app_url, w.code, i + 1, name)
        ph.get_by_text("What makes a good mission statement").wait_for(timeout=LOAD_MS)
        expect(ph.locator("body")).to_contain_text("Focus: Guests who arrive tired")
        phones.append(ph)
    fac.get_by_text("0 of 4 members have submitted").wait_for(timeout=LIVE_MS)
    proj.get_by_text("0 of 4 have submitted a draft.").wait_for(timeout=LIVE_MS)
    _shot(proj, "projector-joined")

    # -- the writing timer ------------------------------------------------------
    fac.get_by_role("button", name="Start the timer").click()
    fac.get_by_role("button", name="Stop the timer").wait_for(timeout=LOAD_MS)
    countdown = re.compile(r"^0[45]:[0-5]\d$")  # five minutes, counting down
    for screen in (proj, *phones):
        expect(screen.get_by_role("timer")).to_have_text(countdown, timeout=LIVE_MS)
    _shot(proj, "projector-timer")
    _shot(phones[0], "phone-timer")

    # -- drafting ---------------------------------------------------------------
    for i, ph in enumerate(phones):
        ph.get_by_role("textbox", name="Your mission statement").fill(
            f"We welcome every tired guest like family, promise {i + 1}."
        )
        ph.get_by_role("button", name="Submit").click()
        ph.get_by_text("Submitted ✓").wait_for(timeout=LOAD_MS)
        proj.get_by_text(f"{i + 1} of 4 have submitted a draft.").wait_for(timeout=LIVE_MS)
    fac.get_by_text("4 of 4 members have submitted").wait_for(timeout=LIVE_MS)
    _shot(fac, "facilitator-drafting")
    _shot(phones[0], "phone-drafted")

    # -- an anonymous reveal ------------------------------------------------------
    fac.get_by_text(ANONYMOUS).click()  # a toggle
    fac.get_by_text("Member 1 (here)").wait_for(state="attached", timeout=LOAD_MS)
    fac.get_by_role("button", name="Reveal all drafts").click()
    fac.get_by_text("👤 Member 4").wait_for(timeout=LOAD_MS)
    proj.locator(".mc-who", has_text="Member 4").wait_for(timeout=LIVE_MS)
    for ph in phones:  # every phone follows the reveal
        ph.get_by_text("All drafts are revealed").wait_for(timeout=LIVE_MS)
    assert _names_on(fac) == []
    assert _names_on(proj) == []
    for ph, name in zip(phones, NAMES, strict=True):
        assert _names_on(ph, own=name) == []
        expect(ph.locator("body")).to_contain_text(f"You are {name}.")  # their own phone only
    _shot(fac, "facilitator-anonymous-reveal")
    _shot(proj, "projector-anonymous-reveal")
    _shot(phones[0], "phone-revealed", at=phones[0].get_by_text("All drafts are revealed"))

    # -- candidates (prepared in the service) and the vote ---------------------------
    drafts = svc.store.drafts(w.id)
    for d in drafts[:2]:
        svc.consensus.promote(w.code, key, d.id)
    leader = drafts[0].latest.text  # candidate A: three of the four phones put it first
    fac.get_by_role("link", name="Toward consensus").click()
    fac.get_by_role("tab", name="Candidates").click()
    proj.get_by_text("Round 1: candidates").wait_for(timeout=LIVE_MS)
    _shot(proj, "projector-candidates")
    fac.get_by_role("button", name="Open the vote").click()
    fac.get_by_text("Round 1: ranked vote.").wait_for(timeout=LOAD_MS)
    fac.get_by_role("tab", name="Ranked vote").click()
    _on_tab(fac, "Ranked vote", "0 of 4")
    proj.get_by_text("Ballots in: 0 of 4").wait_for(timeout=LIVE_MS)
    for n, ph in enumerate(phones, start=1):
        ph.get_by_text("rank the candidates").wait_for(timeout=LIVE_MS)  # the vote reached it
        if n == 2:
            _shot(ph, "phone-ballot", at=ph.get_by_text("rank the candidates"))
        ph.get_by_label("Place for A" if n < 4 else "Place for B").click()
        ph.get_by_role("option", name="1", exact=True).click()
        ph.get_by_role("button", name="Submit my ranking").click()
        ph.get_by_text("Ranking saved ✓").wait_for(timeout=LOAD_MS)
        _on_tab(fac, "Ranked vote", f"{n} of 4")  # the count moved by itself
        proj.get_by_text(f"Ballots in: {n} of 4").wait_for(timeout=LIVE_MS)
        if n == 2:
            _shot(fac, "facilitator-vote")
            _shot(proj, "projector-vote")
    assert _names_on(fac) == []
    assert _names_on(proj) == []

    # -- the four-criteria check, one member silent ------------------------------
    _confirm(fac, "Close the vote")
    proj.get_by_text("Answers in: 0 of 4").wait_for(timeout=LIVE_MS)
    expect(proj.locator("body")).to_contain_text(f"Checking A: {leader}")
    for n, ph in enumerate(phones[:3], start=1):
        ph.get_by_text("the four-criteria check").wait_for(timeout=LIVE_MS)
        for question in QUESTIONS:  # nothing is chosen to start with
            ph.get_by_role("radiogroup", name=question).get_by_text("4", exact=True).click()
        ph.get_by_role("button", name="Submit my answers").click()
        ph.get_by_text("Answers saved ✓").wait_for(timeout=LOAD_MS)
        proj.get_by_text(f"Answers in: {n} of 4").wait_for(timeout=LIVE_MS)
        if n == 1:
            _shot(ph, "phone-check", at=ph.get_by_text("the four-criteria check"))
    fac.get_by_role("tab", name="Four-criteria check").click()
    _on_tab(fac, "Four-criteria check", "Still to answer: Member 4")
    _confirm(fac, "Close the check")  # refused: the fourth member has not answered
    fac.get_by_text("Waiting for 1 to answer: Member 4.").wait_for(timeout=LOAD_MS)
    _shot(proj, "projector-check")

    fac.get_by_role("link", name="Drafts and people").click()
    fac.locator("summary", has_text=re.compile("mark someone absent", re.IGNORECASE)).click()
    row = fac.get_by_test_id("stHorizontalBlock").filter(has_text="Member 4 (here)")
    row.get_by_role("button", name="Mark absent").click()
    fac.get_by_text("Member 4 is marked absent.").wait_for(timeout=LOAD_MS)
    proj.get_by_text("Answers in: 3 of 3").wait_for(timeout=LIVE_MS)  # they no longer count

    # -- adoption ---------------------------------------------------------------
    fac.get_by_role("link", name="Toward consensus").click()
    fac.get_by_role("tab", name="Four-criteria check").click()
    _confirm(fac, "Close the check")
    fac.get_by_text("Consensus: everyone is at 3 or more").wait_for(timeout=LOAD_MS)
    _confirm(fac, "Adopt this statement")
    fac.get_by_text("adopted in round 1").wait_for(timeout=LOAD_MS)
    proj.get_by_text("Our mission").wait_for(timeout=LIVE_MS)
    expect(proj.locator(".mc-adopted")).to_have_text(leader)
    for ph in phones:
        ph.get_by_text("The team's mission statement").wait_for(timeout=LIVE_MS)
        expect(ph.locator("body")).to_contain_text(leader)
    assert _names_on(fac) == []
    assert _names_on(proj) == []
    _shot(fac, "facilitator-adopted")
    _shot(proj, "projector-adopted")
    _shot(phones[3], "phone-adopted", at=phones[3].get_by_text("The team's mission statement"))


def _voting_room(svc: Services, candidates: int) -> tuple[str, str, list[str]]:
    """A revealed workshop with two members and `candidates` promoted drafts:
    (code, facilitator key, member tokens)."""
    w, key = svc.workshops.create("Desk")
    members = [svc.workshops.join(w.code, name)[1] for name in NAMES[:2]]
    for i, m in enumerate(members):
        svc.workshops.submit(w.code, m.token, f"We welcome every guest, promise {i + 1}.", "n")
    svc.workshops.set_revealed(w.code, key, True)
    for d in svc.store.drafts(w.id)[:candidates]:
        svc.consensus.promote(w.code, key, d.id)
    return w.code, key, [m.token for m in members]


def test_a_live_redraw_keeps_the_consensus_tab(page: Page, app_url: str, app_db: str) -> None:
    svc = build(Settings(database_url=app_db, public_url=None))
    code, key, tokens = _voting_room(svc, candidates=2)
    page.set_viewport_size(FACILITATOR)
    page.goto(f"{app_url}/consensus?code={code}&key={key}")
    page.get_by_role("tab", name="Candidates").click()
    page.get_by_role("button", name="Open the vote").click()  # says "The vote is open…"
    page.get_by_text("Round 1: ranked vote.").wait_for(timeout=LOAD_MS)
    page.get_by_role("tab", name="Ranked vote").click()
    expect(page.get_by_text("0 of 2")).to_be_visible(timeout=LIVE_MS)
    rnd = svc.consensus.current(svc.workshops.find(code))
    assert rnd is not None
    svc.consensus.ballot(code, tokens[0], [[rnd.active[0].id]])
    expect(page.get_by_text("1 of 2")).to_be_visible(timeout=LIVE_MS)
    expect(page.get_by_role("tab", name="Ranked vote")).to_have_attribute("aria-selected", "true")


def test_a_phone_marked_absent_says_so_live(
    browser, screens: dict[str, Page], app_url: str, app_db: str
) -> None:
    svc = build(Settings(database_url=app_db, public_url=None))
    code, key, tokens = _voting_room(svc, candidates=1)
    svc.consensus.open_vote(code, key)  # one candidate: straight to its check
    ph = open_screen(
        browser, screens, "phone", f"{app_url}/join?code={code}&member={tokens[1]}",
        viewport=PHONE, is_mobile=True,
    )  # fmt: skip
    ph.get_by_text("the four-criteria check").wait_for(timeout=LOAD_MS)
    svc.workshops.set_locked(code, key, True)  # a change every phone shows: once it is
    ph.get_by_text("Drafting is locked").wait_for(timeout=LIVE_MS)  # there, the phone is idle
    member = svc.workshops.membership(code, tokens[1])[1]
    svc.workshops.set_absent(code, key, member.id, True)
    expect(ph.get_by_text("The facilitator marked you absent")).to_be_visible(timeout=LIVE_MS)
