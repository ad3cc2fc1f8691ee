"""Device memory in a real browser: localStorage per browser context, newest first."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT
from tests.support.app_server import start_streamlit

pytestmark = pytest.mark.e2e

STORAGE_KEY = "mission-coach.recent.v2"
WAIT_MS = 30_000
RUNS = re.compile(r"^runs: \d+$")


@pytest.fixture(scope="module")
def device_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, proc = start_streamlit(
        ROOT / "tests" / "e2e" / "device_app.py", tmp_path_factory.mktemp("device")
    )
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def shown(page, text: str) -> None:
    page.get_by_text(text, exact=True).wait_for(timeout=WAIT_MS)


def submit(page, code: str, button: str) -> None:
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name=button).click()


def stored(page) -> list[dict[str, str]]:
    return json.loads(page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')"))


def runs(page) -> int:
    return int(page.get_by_text(RUNS).inner_text().split()[-1])


def settle(page) -> int:
    """Wait until the script stops rerunning; return how many runs this session has had."""
    last, since = runs(page), time.monotonic()
    deadline = since + WAIT_MS / 1000
    while time.monotonic() - since < 1.5:
        assert time.monotonic() < deadline, "the app keeps rerunning"
        page.wait_for_timeout(100)
        now = runs(page)
        if now != last:
            last, since = now, time.monotonic()
    return last


def set_code(page, code: str) -> None:
    page.get_by_label("Code").fill(code)
    page.get_by_label("Code").press("Enter")
    page.wait_for_timeout(300)
    settle(page)


def assert_no_error(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "BidiComponent Error" not in page.locator("body").inner_text()


def test_remember_reload_reorder_forget_and_another_device(page, browser, device_url) -> None:
    page.goto(device_url)
    shown(page, "recent: none")

    submit(page, "AAA", "Remember")
    shown(page, "recent: AAA")
    submit(page, "BBB", "Remember")
    shown(page, "recent: BBB, AAA")

    page.reload()
    shown(page, "recent: BBB, AAA")

    submit(page, "AAA", "Remember")
    shown(page, "recent: AAA, BBB")
    assert [e["code"] for e in stored(page)] == ["AAA", "BBB"]
    assert stored(page)[0] == {"code": "AAA", "name": "Test", "role": "member"}

    submit(page, "BBB", "Forget")
    shown(page, "recent: AAA")
    page.reload()
    shown(page, "recent: AAA")
    assert_no_error(page)

    other = browser.new_context()
    try:
        elsewhere = other.new_page()
        elsewhere.goto(device_url)
        shown(elsewhere, "recent: none")
        assert elsewhere.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") == "[]"
    finally:
        other.close()


def test_the_browser_answers_only_when_the_list_changed(page, device_url) -> None:
    page.goto(device_url)
    shown(page, "recent: none")
    set_code(page, "AAA")
    start = settle(page)

    page.get_by_role("button", name="Remember").click()
    shown(page, "recent: AAA")
    assert settle(page) == start + 2  # the click, then the browser's one answer

    # The same entry again, already in front: nothing changed, so no answer.
    page.get_by_role("button", name="Remember").click()
    assert settle(page) == start + 3

    set_code(page, "ZZZ")
    before = settle(page)
    page.get_by_role("button", name="Forget").click()
    assert settle(page) == before + 1
    shown(page, "recent: AAA")
    assert_no_error(page)


def test_the_same_entry_on_every_rerun_neither_loops_nor_duplicates(page, device_url) -> None:
    page.goto(device_url)
    shown(page, "recent: none")
    set_code(page, "OLD")
    page.get_by_role("button", name="Remember").click()
    shown(page, "recent: OLD")

    set_code(page, "CCC")
    before = settle(page)
    page.get_by_text("Keep adding").click()
    shown(page, "recent: CCC, OLD")
    assert settle(page) == before + 2
    # Every rerun now passes the same entry; a click is one rerun and adds nothing.
    page.get_by_role("button", name="Remember").click()
    assert settle(page) == before + 3
    shown(page, "recent: CCC, OLD")
    assert [e["code"] for e in stored(page)] == ["CCC", "OLD"]
    assert_no_error(page)


@pytest.mark.parametrize("corrupt", ["{not json", '{"code": "X"}', "null", "[1, null, []]"])
def test_a_corrupt_value_resets_to_empty(page, device_url, corrupt: str) -> None:
    page.goto(device_url)
    shown(page, "recent: none")
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [STORAGE_KEY, corrupt])
    page.reload()
    shown(page, "recent: none")
    assert stored(page) == []
    assert_no_error(page)

    submit(page, "NEW", "Remember")
    shown(page, "recent: NEW")


def test_hand_edited_entries_are_filtered_as_data(page, device_url) -> None:
    hostile = '<img src=x onerror="document.title=1">'
    entries = [
        {"code": hostile, "name": "<b>bold</b>"},
        {"code": "DUP", "name": "first"},
        {"code": "DUP", "name": "second"},
        {"code": "LONG", "name": "x" * 201, "role": "member"},
        {"code": "NUM", "count": 3},
        {"name": "no code"},
        "just a string",
        *({"code": f"C{i:02}"} for i in range(15)),
    ]
    page.goto(device_url)
    shown(page, "recent: none")
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [STORAGE_KEY, json.dumps(entries)])
    page.reload()
    codes = [hostile, "DUP", "LONG", "NUM", *(f"C{i:02}" for i in range(8))]
    shown(page, "recent: " + ", ".join(codes))
    kept = stored(page)
    assert len(kept) == 12
    assert kept[1] == {"code": "DUP", "name": "first"}
    assert kept[2] == {"code": "LONG", "role": "member"}
    assert kept[3] == {"code": "NUM"}
    # Markup stays text: nothing was rendered or run.
    assert page.locator("img[src=x]").count() == 0
    assert page.title() != "1"
    assert_no_error(page)
