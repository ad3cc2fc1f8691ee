"""The LLM on screen, through the real app script and a local OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from coach.bootstrap import Services, build
from tests.app.conftest import answered, frame, open_page, texts, unescaped
from tests.support.coaching_replies import reply
from tests.support.fake_openai import FakeOpenAI


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    with FakeOpenAI(responder=reply) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        yield fake


def test_no_llm_button_when_it_is_off(svc: Services) -> None:
    w, _ = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Ana")
    svc.workshops.submit(w.code, m.token, "We help.", "n")
    at = open_page("join", code=w.code, member=m.token)
    assert "member_ask" not in {b.key for b in at.button}
    at = open_page("settings", code=w.code, key=svc.workshops.create("Other")[1])
    assert "Status: off: set OPENAI_API_KEY or OPENAI_BASE_URL" not in texts(at)  # wrong key
    owner, key = svc.workshops.create("Mine")
    at = open_page("settings", code=owner.code, key=key)
    assert "Status: off: set OPENAI_API_KEY or OPENAI_BASE_URL" in texts(at)
    assert not at.exception


def test_member_adopts_a_rewrite_with_one_click(llm: FakeOpenAI) -> None:
    svc = build()
    w, _ = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Ana")
    svc.workshops.submit(w.code, m.token, "We try to help customers.", "n")
    at = open_page("join", code=w.code, member=m.token)
    answered(at.button(key="member_ask").click().run())
    assert not at.exception
    opinions = frame(at, "LLM (1–5)")
    assert list(opinions["LLM (1–5)"]) == [3, 3, 3, 3]
    assert "We greet every guest by name, every time." in texts(at)
    at.button(key="member_use_1").click().run()
    assert not at.exception
    draft = svc.workshops.own_draft(w, m)
    assert draft is not None and [v.text for v in draft.versions] == [
        "We try to help customers.",
        "We greet every guest by name, every time.",
    ]
    asked = len(llm.requests)
    at.run()  # a rerun makes no new call
    assert len(llm.requests) == asked
    assert not at.exception


def test_facilitator_gets_feedback_for_every_draft(llm: FakeOpenAI) -> None:
    svc = build()
    w, key = svc.workshops.create("Desk")
    for name in ("Ana", "Bo", "Cy"):
        _, m = svc.workshops.join(w.code, name)
        svc.workshops.submit(w.code, m.token, f"We welcome every guest, says {name}.", "n")
    svc.workshops.set_revealed(w.code, key, True)
    at = open_page("workshop", code=w.code, key=key)
    answered(at.button(key="llm_all").click().run())
    assert not at.exception
    assert texts(at).count("LLM: Desired 3/5") == 3
    assert len(llm.requests) == 3
    used = svc.coach.usage(w.id)
    assert used.calls == 3 and used.total_tokens == 45
    assert not at.exception


def test_llm_merged_candidates_can_be_added(llm: FakeOpenAI) -> None:
    svc = build()
    w, key = svc.workshops.create("Desk")
    for name, text in (
        ("Ana", "We welcome every guest like family."),
        ("Bo", "We exceed every guest's expectations."),
    ):
        _, m = svc.workshops.join(w.code, name)
        svc.workshops.submit(w.code, m.token, text, "n")
    svc.workshops.set_revealed(w.code, key, True)
    at = open_page("consensus", code=w.code, key=key)
    answered(at.button(key="llm_merge").click().run())
    assert "covers" in texts(at)
    at.button(key="llm_merge_add_0").click().run()
    assert not at.exception
    rnd = svc.consensus.current(svc.workshops.find(w.code))
    assert rnd is not None and rnd.candidates[0].kind == "merged"
    assert len(rnd.candidates[0].sources) == 2
    assert not at.exception


def _member_page(
    fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, draft: str = "We help."
) -> tuple[AppTest, int]:
    """A member's page with `draft` submitted, the LLM served by `fake`."""
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    svc = build()
    w, _ = svc.workshops.create("Desk")
    _, m = svc.workshops.join(w.code, "Ana")
    svc.workshops.submit(w.code, m.token, draft, "n")
    return open_page("join", code=w.code, member=m.token), m.id


def _member_asks(fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, int]:
    """A member's page, its draft submitted, asking the LLM served by `fake`."""
    at, member_id = _member_page(fake, monkeypatch)
    answered(at.button(key="member_ask").click().run())
    return at, member_id


def test_failing_llm_says_so_and_keeps_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOpenAI() as fake:
        fake.fail(401, {"error": {"message": "no", "type": "auth", "code": "bad"}})
        at, member_id = _member_asks(fake, monkeypatch)
    assert not at.exception
    assert "No LLM feedback this time" in at.warning[0].value
    assert [met.label for met in at.metric][:2] == ["Overall", "Desired"]  # the rubric stands
    assert at.text_area(key=f"member_draft_{member_id}").value == "We help."
    assert not at.exception


def test_settings_shows_status_and_tests_the_connection(llm: FakeOpenAI) -> None:
    w, key = build().workshops.create("Desk")
    at = open_page("settings", code=w.code, key=key)  # the facilitator's session
    assert f"Status: on: gpt-4o-mini at {llm.base_url}" in texts(at)
    at.button(key="llm_ping").click().run()
    assert not at.exception
    assert at.success


def test_settings_hide_the_endpoint_and_usage_from_anyone_else(
    llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("settings")
    shown = " ".join(texts(at)) + " ".join(c.value for c in at.caption)
    assert llm.base_url not in shown and "Status:" not in shown
    assert not at.metric and not [b for b in at.button if b.key == "llm_ping"]
    assert "No admin key is set" in at.info[0].value
    monkeypatch.setenv("COACH_ADMIN_KEY", "s3cret-admin")
    at = open_page("settings")
    at.text_input(key="admin_key_input").input("guess")
    at.button[0].click().run()  # a form sends its fields with the submit
    assert "not the admin key" in at.error[0].value and "Status:" not in " ".join(texts(at))
    at.text_input(key="admin_key_input").input("s3cret-admin")
    at.button[0].click().run()
    assert f"Status: on: gpt-4o-mini at {llm.base_url}" in texts(at)


def test_an_endpoint_answering_with_a_web_page_says_so_on_the_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeOpenAI() as fake:
        for _ in range(6):
            fake.page()
        at, _ = _member_asks(fake, monkeypatch)
    assert not at.exception
    assert "not a chat completion" in at.warning[0].value
    assert [met.label for met in at.metric][:2] == ["Overall", "Desired"]


def test_the_llm_budget_refuses_a_browser_that_asks_too_often(llm: FakeOpenAI) -> None:
    at = open_page("score")
    for i in range(13):
        at.text_area(key="score_text_mission").input(f"We welcome guest number {i}.").run()
        answered(at.button(key="score_ask").click().run())
    assert "many questions from here in the last ten minutes" in unescaped(at.warning[-1].value)
    assert [met.label for met in at.metric][:1] == ["Overall"]  # the rubric still scores
    assert not at.exception


def test_a_slow_llm_never_holds_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """The question runs in the background: the click returns with the rubric and a line
    saying the coach is being asked; the answer appears on a later run."""
    with FakeOpenAI(latency=1.5, responder=reply) as fake:
        at, _ = _member_page(fake, monkeypatch, "We try to help customers.")
        at.button(key="member_ask").click().run()
        assert any("Asking the LLM coach" in c.value for c in at.caption)
        assert [met.label for met in at.metric][:2] == ["Overall", "Desired"]  # rubric stands
        assert not [df for df in at.dataframe if "LLM (1–5)" in df.value.columns]
        assert at.button(key="member_ask").disabled  # one question at a time
        answered(at)
        assert list(frame(at, "LLM (1–5)")["LLM (1–5)"]) == [3, 3, 3, 3]
        assert len(fake.requests) == 1
    assert not at.exception


def test_a_commitment_rewrite_arrives_in_the_background(llm: FakeOpenAI) -> None:
    svc = build()
    plan = svc.commitments.start("Ana", "We welcome every guest like family.")
    svc.commitments.add(plan.token, "I will try to be nicer to guests.")
    at = open_page("commitments", plan=plan.token)
    button = next(b for b in at.button if b.key.endswith("_llm"))
    answered(button.click().run())
    assert any(t.value.startswith("Suggested: ") for t in at.text)
    assert not at.exception


def test_the_llm_drafts_the_image_with_citations_and_it_goes_to_the_team(
    llm: FakeOpenAI,
) -> None:
    svc = build()
    w, key = svc.steps.create_workshop("Desk")
    ideas = [
        "We could provide superior service if we knew every regular by name.",
        "We could provide superior service if we answered every call within three rings.",
    ]
    made = []
    for name, idea in zip(("Ana", "Bo"), ideas, strict=True):
        _, m = svc.workshops.join(w.code, name)
        made.append(svc.steps.add_item(w.code, m.token, "image", idea))
    svc.steps.set_revealed(w.code, key, "image", True)
    llm.reply(
        {
            "sentences": [
                {"text": "Every regular is known by name.", "cites": [1]},
                {"text": "Every call is answered within three rings.", "cites": [2]},
                {"text": "Shareholders get a bonus.", "cites": [1]},  # not in item 1
            ]
        }
    )
    at = open_page("workshop", code=w.code, key=key)
    answered(at.button(key="draft_image").click().run())
    shown = texts(at)
    assert "Every regular is known by name.  [items #1]" in shown
    assert "Shareholders" not in shown
    assert any("1 sentence(s) left out" in c.value for c in at.caption)
    at.button(key="draft_propose").click().run()
    (image,) = svc.steps.results(w, "image")
    assert (
        image.text == "Every regular is known by name. Every call is answered within three rings."
    )
    assert image.sources == tuple(sorted(i.id for i in made))
