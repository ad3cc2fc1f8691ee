"""A slow LLM on a real phone: the page stays usable and the answer arrives by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.bootstrap import build
from coach.config import Settings
from tests.e2e.conftest import SERVER
from tests.support.app_server import start_streamlit
from tests.support.coaching_replies import reply
from tests.support.fake_openai import FakeOpenAI

pytestmark = pytest.mark.e2e


def test_the_phone_keeps_working_while_the_llm_thinks(browser, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'slow.db'}"
    with FakeOpenAI(latency=3.0, responder=reply) as fake:
        url, proc = start_streamlit(SERVER, tmp_path, db, {"OPENAI_BASE_URL": fake.base_url})
        try:
            svc = build(Settings(database_url=db, public_url=None))
            w, _ = svc.workshops.create("Front desk")
            _, ana = svc.workshops.join(w.code, "Ana")
            svc.workshops.submit(w.code, ana.token, "We try to help customers.", "n")
            phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
            try:
                p = phone.new_page()
                p.goto(f"{url}/join?code={w.code}&member={ana.token}")
                p.get_by_role("button", name="Ask the LLM coach for a second opinion").click()
                p.get_by_text("Asking the LLM coach…").wait_for(timeout=30_000)
                box = p.get_by_role("textbox", name="Your mission statement")
                box.fill("We greet every guest by name.")  # the page answers meanwhile
                assert box.input_value() == "We greet every guest by name."
                p.get_by_text("Second opinion from").wait_for(timeout=30_000)  # no reload
                assert box.input_value() == "We greet every guest by name."  # kept
            finally:
                phone.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
