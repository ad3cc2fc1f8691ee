"""AppTest of the scoring page: widgets addressed by key, no exception ever."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from coach.ui.common import PAGES
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=30)
    app.run()
    app.switch_page(PAGES["score"]).run()
    assert not app.exception
    return app


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def test_empty_state_explains_what_to_do(at: AppTest) -> None:
    assert "Write or paste one sentence" in at.info[0].value
    assert not at.metric
    assert not at.exception


def test_scoring_a_mission_shows_criteria_evidence_and_tips(at: AppTest) -> None:
    at.text_area(key="score_text_mission").input("We try to provide great service.").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels == [
        "Overall",
        "Desired",
        "Affirmative and bold",
        "Clear and achievable",
        "Stretching",
    ]
    assert "⟦We⟧ ⟦try to⟧ ⟦provide⟧ ⟦great⟧ service." in texts(at)
    assert any("write 'We provide' instead of 'We try to provide'" in t for t in texts(at))
    assert not at.exception


def test_markup_is_shown_verbatim_as_plain_text(at: AppTest) -> None:
    hostile = "<script>alert(1)</script> **bold** ![x](http://example.invalid/x.png)"
    at.text_area(key="score_text_mission").input(hostile).run()
    assert not at.exception
    shown = "".join(texts(at)).replace("⟦", "").replace("⟧", "")
    assert hostile in shown
    # Nothing the user typed reaches a markdown element.
    assert all("<script>" not in m.value for m in at.markdown)
    assert not at.exception


def test_too_long_text_gets_a_clear_error_and_is_kept(at: AppTest) -> None:
    long = "We serve every guest. " * 60
    at.text_area(key="score_text_mission").input(long).run()
    assert "the limit is 1,000" in at.error[0].value
    assert at.text_area(key="score_text_mission").value == long
    assert not at.exception


def test_commitment_with_mission_shows_each_action(at: AppTest) -> None:
    at.radio(key="score_kind").set_value("Commitment").run()
    at.text_input(key="score_mission").input("We welcome every guest like family.").run()
    at.text_area(key="score_text_commitment").input(
        "I promise to welcome every guest by name, and reply to every review within a day."
    ).run()
    assert not at.exception
    assert [m.label for m in at.metric][1:] == [
        "Specific",
        "Measurable",
        "Time-bound",
        "Owned",
        "Linked",
    ]
    frame = at.dataframe[0].value
    assert list(frame["action"]) == [
        "I promise to welcome every guest by name",
        "reply to every review within a day",
    ]
    assert "This line holds 2 actions" in at.warning[0].value
    assert not at.exception


def test_the_sector_chosen_gives_the_tips_its_examples(at: AppTest) -> None:
    at.text_area(key="score_text_mission").input("We open accounts.").run()
    generic = " ".join(texts(at))
    at.selectbox(key="score_sector").set_value("health").run()
    health = " ".join(texts(at))
    assert "every patient and their family" in health or "48 hours" in health
    assert health != generic
    at.selectbox(key="score_sector").set_value("bank").run()
    assert "money" in " ".join(texts(at)) or "loan" in " ".join(texts(at))
    assert not at.exception


def test_a_tip_shows_its_whole_rewrite(at: AppTest) -> None:
    at.text_area(key="score_text_mission").input("We try to welcome every guest.").run()
    shown = texts(at)
    assert any("Drop the hedge" in t for t in shown)
    assert any(t.strip() == "We welcome every guest." for t in shown)
