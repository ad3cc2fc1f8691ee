"""`mission-coach serve` from an empty folder: the installed entry point gives a working app."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.app_server import free_port

pytestmark = pytest.mark.e2e


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"serve did not start: {log.read_text()}")


def test_serve_from_an_empty_folder_starts_the_app(page, tmp_path: Path) -> None:
    exe = shutil.which("mission-coach", path=str(Path(sys.executable).parent))
    assert exe, "the mission-coach console script is not installed in this environment"
    folder = tmp_path / "empty"
    folder.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "COACH_"))}
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [exe, "serve", "--port", str(port)], cwd=folder, env=env, stdout=out, stderr=out
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, proc, log)
        page.goto(url)
        expect(page.get_by_text("Start a workshop").first).to_be_visible(timeout=30_000)
        # SQLite by default, in ./data of the folder it was started from.
        assert (folder / "data" / "coach.db").is_file()
        assert f"Data: {folder.resolve() / 'data' / 'coach.db'}" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
