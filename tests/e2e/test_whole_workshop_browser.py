"""The whole workshop in real browsers: a facilitator, a projector and two phones follow an
agenda from Step 3 to Step 7, nobody reloading. Each step is driven through the buttons
the screens offer. Screenshots of every screen at every step are saved in test-artifacts/
as whole-<screen>-<step>-<width>x<height>.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from coach.bootstrap import build
from coach.config import Settings
from tests.e2e.conftest import join_phone, open_screen, shot

pytestmark = pytest.mark.e2e
LIVE_MS = 5_000
LOAD_MS = 30_000
FACILITATOR = {"width": 1440, "height": 900}
PROJECTOR = {"width": 1920, "height": 1080}
IDEAS = (
    "We could provide superior service if we knew every regular by name.",
    "We could provide superior service if every call were answered within three rings.",
)
IMAGE = "Every regular is known by name and every call is answered fast."


def _shot(page: Page, name: str) -> None:
    shot(page, f"whole-{name}")


def _all(pages: list[Page], text: str) -> None:
    for pg in pages:
        pg.get_by_text(text, exact=False).first.wait_for(timeout=LIVE_MS)


def _next(fac: Page, to: str, title: str) -> None:
    fac.get_by_role("button", name=f"Next: {to} ▶").click()
    fac.get_by_role("heading", name=title).wait_for(timeout=LOAD_MS)


def test_two_phones_a_facilitator_and_a_projector_follow_steps_3_to_7(
    page: Page, browser, screens: dict[str, Page], app_url: str, app_db: str
) -> None:
    svc = build(Settings(database_url=app_db, public_url=None))
    w, key = svc.steps.create_workshop("Front desk", "Harbour Hotel")
    fac = page
    fac.set_viewport_size(FACILITATOR)
    fac.goto(f"{app_url}/workshop?code={w.code}&key={key}")
    fac.get_by_role("heading", name="Step 3: an image of the future").wait_for(timeout=LOAD_MS)
    present = fac.get_by_role("link", name="Present on the projector").get_attribute("href")
    assert present is not None and key not in present
    proj = open_screen(browser, screens, "projector", present, viewport=PROJECTOR)
    # While the first run is replaced by the next (the key leaves the address), the old
    # heading can stand beside the new one for a moment (seen once in CI); then only one.
    proj.get_by_text("Step 3: an image of the future").first.wait_for(timeout=LOAD_MS)
    expect(proj.get_by_text("Step 3: an image of the future")).to_have_count(1, timeout=LIVE_MS)

    # -- Step 3: private ideas, the reveal, the image and its fist-to-five -----------------
    phones: list[Page] = []
    for i, name in enumerate(("Ana", "Bo")):
        ph = join_phone(browser, screens, app_url, w.code, i + 1, name)
        ph.get_by_role("textbox", name="Your idea").wait_for(timeout=LOAD_MS)
        phones.append(ph)
    proj.get_by_text("0 of 2 have written.").wait_for(timeout=LIVE_MS)
    for i, ph in enumerate(phones):
        ph.get_by_role("textbox", name="Your idea").fill(IDEAS[i])
        ph.get_by_role("button", name="Add").click()
        ph.get_by_text("You wrote 1 of at most 5:").wait_for(timeout=LOAD_MS)
        proj.get_by_text(f"{i + 1} of 2 have written.").wait_for(timeout=LIVE_MS)
    fac.get_by_text("2 of 2 have written").wait_for(timeout=LIVE_MS)
    assert IDEAS[0] not in proj.locator("body").inner_text()  # private until the reveal
    _shot(phones[0], "phone-step3-written")
    _shot(proj, "projector-step3-writing")
    fac.get_by_role("button", name="Reveal everyone's items").click()
    proj.get_by_text(IDEAS[1]).wait_for(timeout=LIVE_MS)
    _all(phones, "Everyone's items (2)")
    _shot(proj, "projector-step3-revealed")
    fac.get_by_role("textbox", name="Write the team's image").fill(IMAGE)
    fac.get_by_role("button", name="Put it to the team").click()
    fac.get_by_text("Fist-to-five: 0 of 2 have answered.").wait_for(timeout=LOAD_MS)
    _shot(fac, "facilitator-step3-check")
    for n, ph in enumerate(phones, 1):
        ph.get_by_text("Can you support it?").wait_for(timeout=LIVE_MS)
        ph.get_by_role("radiogroup", name="Fingers").get_by_text("4", exact=True).click()
        ph.get_by_role("button", name="Send my answer").click()
        ph.get_by_text("Your answer: 4.").wait_for(timeout=LOAD_MS)
        fac.get_by_text(f"Fist-to-five: {n} of 2 have answered.").wait_for(timeout=LIVE_MS)
    _shot(phones[1], "phone-step3-answered")
    fac.get_by_role("button", name="The team agrees").click()
    _all(phones, "The team agreed this ✓")
    proj.get_by_text("✓ agreed").wait_for(timeout=LIVE_MS)
    _shot(proj, "projector-step3-agreed")

    # -- Step 4: every screen follows; the phones see the image -------------------------------
    _next(fac, "Mission statement", "Step 4: the mission statement")
    for ph in phones:
        ph.get_by_role("textbox", name="Your mission statement").wait_for(timeout=LIVE_MS)
        expect(ph.locator("body")).to_contain_text(IMAGE)
    proj.get_by_text("Join on your phone with the code").wait_for(timeout=LIVE_MS)
    _shot(phones[0], "phone-step4")

    # -- Step 5: strengths with examples; one without is flagged --------------------------------
    _next(fac, "Positive core", "Step 5: our positive core")
    _all(phones, "Step 5: our positive core")
    phones[0].get_by_role("textbox", name="An aspect we are already good at").fill(
        "We are already good at remembering our regulars."
    )
    phones[0].get_by_role("textbox", name="An example that shows it").fill("Mrs Lee's tea.")
    phones[0].get_by_role("button", name="Add").click()
    phones[1].get_by_role("textbox", name="An aspect we are already good at").fill(
        "We fix problems fast."
    )
    phones[1].get_by_role("button", name="Add").click()
    phones[1].get_by_text("This one has no example yet").wait_for(timeout=LOAD_MS)
    _shot(phones[1], "phone-step5-no-example")
    fac.get_by_text("2 of 2 have written").wait_for(timeout=LIVE_MS)
    fac.get_by_role("button", name="Reveal everyone's items").click()
    proj.get_by_text("⚠ no example yet").wait_for(timeout=LIVE_MS)
    _shot(proj, "projector-step5-revealed")
    _shot(fac, "facilitator-step5-revealed")

    # -- Assess current practice: a phone rates, the team sees the spread ----------------------
    _next(fac, "Assess practice", "Assess current practice")
    for n, ph in enumerate(phones, 1):
        ph.get_by_role("button", name="Save my ratings").wait_for(timeout=LIVE_MS)
        ph.get_by_role("radiogroup").nth(3).get_by_text(str(n), exact=True).click()  # Listen
        ph.get_by_role("button", name="Save my ratings").click()
        ph.get_by_text("You have rated 1 of 6.").wait_for(timeout=LOAD_MS)
    _shot(phones[0], "phone-assess")
    proj.get_by_text("Everyone rates it low and nobody commits to it: Listen").wait_for(
        timeout=LIVE_MS
    )
    _shot(proj, "projector-assess")
    fac.get_by_text("Listen: everyone rates it low and nobody commits to it.").wait_for(
        timeout=LIVE_MS
    )
    _shot(fac, "facilitator-assess")

    # -- Step 6: the phones go to their commitments, with the core beside them -----------------
    _next(fac, "Commitments", "Step 6: personal commitments")
    _all(phones, "Write my commitments (Step 6)")
    _shot(phones[0], "phone-step6")

    # -- Step 7: a recommendation becomes an entry in the register -----------------------------
    _next(fac, "Recommendations", "Step 7: recommendations to the organisation")
    rec = "Publish a call-back standard: every voicemail answered within 2 hours."
    phones[1].get_by_role("textbox", name="Your recommendation").fill(rec)
    phones[1].get_by_role("button", name="Add").click()
    fac.get_by_text("1 of 2 have written").wait_for(timeout=LIVE_MS)
    fac.get_by_role("button", name="Reveal everyone's items").click()
    proj.get_by_text(rec).wait_for(timeout=LIVE_MS)
    fac.get_by_role("textbox", name="Or write it").fill(rec)
    fac.get_by_role("textbox", name="Owner (who takes it forward)").fill("Ops lead")
    fac.get_by_role("button", name="Add to the register").click()
    fac.get_by_role("combobox", name="Edit an entry").wait_for(timeout=LOAD_MS)
    (entry,) = svc.steps.recommendations(svc.workshops.find(w.code))
    assert (entry.text, entry.owner) == (rec, "Ops lead")
    _shot(fac, "facilitator-step7-register")
    _shot(proj, "projector-step7")
    _shot(phones[1], "phone-step7")
