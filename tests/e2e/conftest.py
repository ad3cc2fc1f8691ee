"""Real browser tests: a `streamlit run` on a free loopback port, driven by Debian's chromium.

Mandatory where COACH_E2E=1 (CI sets it); elsewhere they skip, saying why, when chromium
or Playwright is missing.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.app_server import SERVER, free_port, start_streamlit

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = _missing()
    e2e = [item for item in items if "tests/e2e" in str(item.path)]
    if reason is None or not e2e:
        return
    if os.environ.get("COACH_E2E") == "1":
        raise pytest.UsageError(f"COACH_E2E=1 but the end-to-end tests cannot run: {reason}")
    for item in e2e:
        item.add_marker(pytest.mark.skip(reason=f"end-to-end test skipped: {reason}"))


_free_port = free_port


@pytest.fixture(scope="session")
def app_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database the app under test uses, so a test can prepare data in it."""
    return f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'coach.db'}"


def start_app(database_url: str, log_dir: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """A real `streamlit run` of the app on a free loopback port, serving `database_url`."""
    return start_streamlit(SERVER, log_dir, database_url)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory, app_db: str) -> Iterator[str]:
    url, proc = start_app(app_db, tmp_path_factory.mktemp("e2e"))
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1000, "height": 1400})  # type: ignore[attr-defined]
    pg = context.new_page()
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    rep = yield
    if rep.when == "call":
        item.rep_call = rep  # type: ignore[attr-defined]
    return rep


def shot(page: object, name: str) -> None:
    """What the screen shows now, as test-artifacts/<name>-<width>x<height>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size or {"width": 0, "height": 0}  # type: ignore[attr-defined]
    page.screenshot(path=str(ARTIFACTS / f"{name}-{size['width']}x{size['height']}.png"))  # type: ignore[attr-defined]


@pytest.fixture
def screens(browser: object, request: pytest.FixtureRequest) -> Iterator[dict[str, object]]:
    """Named screens a test opens (`open_screen`); each is photographed if the test fails,
    then closed (an open screen keeps polling the server, slowing the tests after it)."""
    opened: dict[str, object] = {}
    yield opened
    report = getattr(request.node, "rep_call", None)
    prefix = request.node.module.__name__.rsplit(".", 1)[-1]
    for name, pg in opened.items():
        if report is not None and report.failed:
            shot(pg, f"{prefix}-failed-{name}")
        pg.context.close()  # type: ignore[attr-defined]


def open_screen(
    browser: object, screens: dict[str, object], name: str, url: str, **options: object
) -> object:
    pg = browser.new_context(**options).new_page()  # type: ignore[attr-defined]
    screens[name] = pg
    pg.goto(url)
    return pg


PHONE = {"width": 390, "height": 844}


def join_phone(
    browser: object, screens: dict[str, object], app_url: str, code: str, n: int, name: str
) -> object:
    """A phone (screen 'phone<n>') that opens the join link and joins as `name`."""
    ph = open_screen(
        browser, screens, f"phone{n}", f"{app_url}/join?code={code}", viewport=PHONE,
        is_mobile=True,
    )  # fmt: skip
    ph.get_by_role(  # type: ignore[attr-defined]
        "textbox", name="Your name (optional: leave blank to stay anonymous)"
    ).fill(name)
    ph.get_by_role("button", name="Join").click()  # type: ignore[attr-defined]
    return ph
