"""AppTest has no browser: device memory stays unanswered (None) and never raises."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def test_device_app_runs_without_a_browser() -> None:
    at = AppTest.from_file(str(ROOT / "tests" / "e2e" / "device_app.py"), default_timeout=30).run()
    assert not at.exception
    assert at.text[0].value == "recent: loading"
    at.text_input(key="code").input("ABC123")
    at.button(key="remember").click().run()
    assert not at.exception
    assert at.text[0].value == "recent: loading"
