"""The shared guard: an AppTest that ends with an exception fails its test at teardown."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import exceptions, open_page


def test_every_apptest_is_recorded_and_an_exception_on_its_page_is_caught(
    app_tests: list[AppTest],
) -> None:
    fine = open_page("home")
    broken = AppTest.from_string("raise ValueError('the page broke')").run()
    assert app_tests == [fine, broken]
    assert exceptions(app_tests) == ["the page broke"]
    app_tests.remove(broken)  # shown on purpose here; the guard checks what is left
