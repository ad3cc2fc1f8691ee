"""Two app replicas on one database: a draft sent through one appears live on the other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.bootstrap import build
from coach.config import Settings
from tests.e2e.conftest import start_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def replicas(database_url: str, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    build(Settings(database_url=database_url, public_url=None))  # schema ready first
    first, p1 = start_app(database_url, tmp_path)
    second, p2 = start_app(database_url, tmp_path)
    yield first, second, database_url
    for proc in (p1, p2):
        proc.terminate()
        proc.wait(timeout=20)


def test_a_draft_through_one_replica_shows_on_the_other(
    replicas: tuple[str, str, str], browser
) -> None:
    first, second, url = replicas
    svc = build(Settings(database_url=url, public_url=None))
    w, key = svc.workshops.create("Two replicas")
    _, ana = svc.workshops.join(w.code, "Ana")
    facilitator = browser.new_page()
    phone = browser.new_page()
    try:
        facilitator.goto(f"{first}/workshop?code={w.code}&key={key}")
        facilitator.get_by_text("0 of 1 members have submitted").wait_for(timeout=30_000)
        phone.goto(f"{second}/join?code={w.code}&member={ana.token}")
        box = phone.get_by_role("textbox", name="Your mission statement")
        box.wait_for(timeout=30_000)
        box.fill("We welcome every guest like family.")
        phone.get_by_role("button", name="Submit").click()
        phone.get_by_text("Submitted ✓").wait_for(timeout=30_000)
        # No reload: the first replica's board refreshes itself from the shared database.
        facilitator.get_by_text("1 of 1 members have submitted").wait_for(timeout=10_000)
    finally:
        facilitator.close()
        phone.close()
