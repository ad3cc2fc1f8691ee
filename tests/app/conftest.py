"""AppTest helpers: a fresh store per test, pages addressed by their files, and no test
that ends with an exception on the page (see `app_tests`)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from coach.bootstrap import Services, build
from coach.domain.limits import Window
from coach.ui import device, llm_panel
from coach.ui.common import PAGES
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture(autouse=True)
def _fresh_resources(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    st.cache_resource.clear()  # each test gets its own database (see the root conftest)
    # Each test starts with a full LLM budget (AppTest sessions share one "browser").
    monkeypatch.setattr(llm_panel, "PER_CLIENT", Window(12, 600))
    monkeypatch.setattr(llm_panel, "PER_WORKSHOP", Window(150, 600))
    monkeypatch.setattr(device, "CREATIONS", Window(20, 3600))
    yield
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def app_tests(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[AppTest]]:
    """Every AppTest this test makes, however it was made; each must end without an
    exception on the page, so a test that forgets `assert not at.exception` still fails.

    A test that means to show an exception asserts it, then removes that AppTest here."""
    made: list[AppTest] = []
    init = AppTest.__init__

    def recording(self: AppTest, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(AppTest, "__init__", recording)
    yield made
    shown = exceptions(made)
    assert not shown, f"the app ended with an exception on the page: {shown}"


def exceptions(apps: list[AppTest]) -> list[str]:
    """The exceptions each app shows after its last run, as their messages."""
    return [str(e.message) for at in apps for e in at.exception]


@pytest.fixture
def svc() -> Services:
    """The same store the app under test opens (same COACH_DATABASE_URL)."""
    return build()


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(PAGES[page]).run()
    assert not at.exception
    return at


def texts(at: AppTest) -> str:
    """Everything shown as plain text, joined."""
    return "\n".join(str(t.value) for t in at.text)


def plain(text: str) -> str:
    """Shown text without the evidence markers."""
    return text.replace("⟦", "").replace("⟧", "")


def frame(at: AppTest, column: str) -> pd.DataFrame:
    """The first dataframe on the page that has this column."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no dataframe with a {column!r} column")


def unescaped(markdown_source: str) -> str:
    """What a person reads in a message box whose text was escaped for Markdown (a
    zero-width space, which keeps an address from becoming a link, is not seen)."""
    return re.sub(r"\\(.)", r"\1", markdown_source).replace("\u200b", "")


def answered(at: AppTest, timeout: float = 20.0) -> AppTest:
    """Rerun until no LLM question is still in the air (they run in the background, and
    the page says so meanwhile), as the page's own fragment would."""
    deadline = time.monotonic() + timeout
    while any("Asking the LLM coach" in c.value for c in at.caption):
        assert time.monotonic() < deadline, "the LLM answer never arrived"
        time.sleep(0.05)
        at.run()
    return at
