"""The hosted setup of deploy/, run natively (Docker's daemon does not run on these
machines): PostgreSQL, two app replicas, and Debian's HAProxy with deploy/haproxy.cfg,
its app addresses pointed at the replicas on loopback. A browser goes through the proxy.

Also a check of what Docker would build and start, read from the files themselves."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.bootstrap import build
from coach.config import Settings
from tests.conftest import ROOT
from tests.e2e.conftest import start_app
from tests.support.app_server import free_port

pytestmark = pytest.mark.e2e
DEPLOY = ROOT / "deploy"
LOAD_MS = 30_000


def test_the_image_is_slim_unprivileged_and_reports_its_health() -> None:
    docker = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim$", docker, re.M)
    assert re.search(r"^USER coach$", docker, re.M)  # not root
    assert "HEALTHCHECK" in docker and "/_stcore/health" in docker
    assert '"--address", "0.0.0.0"' in docker
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    for service in ("db:", "app1: *app", "app2: *app", "proxy:"):
        assert f"\n  {service}" in compose
    # Configured by environment only: no address or password written into the file.
    assert "COACH_DATABASE_URL: postgresql://coach:${COACH_DB_PASSWORD:?" in compose
    assert "COACH_PUBLIC_URL: ${COACH_PUBLIC_URL:?" in compose
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in compose


def _native_config(ports: tuple[int, int], listen: int, where: Path) -> Path:
    """deploy/haproxy.cfg as is, but for where things are here: the replicas on loopback."""
    cfg = (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")
    cfg = cfg.replace("bind :8080", f"bind 127.0.0.1:{listen}")
    for n, port in enumerate(ports, 1):
        cfg, found = re.subn(rf"app{n}:8501", f"127.0.0.1:{port}", cfg)
        assert found == 1, f"deploy/haproxy.cfg has no server app{n}:8501"
    path = where / "haproxy.cfg"
    path.write_text(cfg, encoding="utf-8")
    return path


def _healthy(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            health = f"{url}/_stcore/health"  # http on loopback, built here
            with urllib.request.urlopen(health, timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} never answered its health check")
        time.sleep(0.3)


@pytest.fixture
def hosted(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        if os.environ.get("COACH_E2E") == "1":
            pytest.fail("COACH_E2E=1 but haproxy is missing (apt-get install haproxy)")
        pytest.skip("haproxy is not installed (apt-get install haproxy)")
    build(Settings(database_url=postgres_url, public_url=None))  # the schema, once
    first, p1 = start_app(postgres_url, tmp_path)
    second, p2 = start_app(postgres_url, tmp_path)
    ports = (int(first.rsplit(":", 1)[1]), int(second.rsplit(":", 1)[1]))
    listen = free_port()
    cfg = _native_config(ports, listen, tmp_path)
    subprocess.run([haproxy, "-c", "-f", str(cfg)], check=True, capture_output=True)
    log = (tmp_path / "haproxy.log").open("w")
    proxy = subprocess.Popen([haproxy, "-db", "-f", str(cfg)], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{listen}"
    try:
        _healthy(url)
        yield url, postgres_url
    finally:
        for proc in (proxy, p1, p2):
            proc.terminate()
            proc.wait(timeout=20)
        log.close()


def test_phones_through_the_proxy_stay_on_their_replica_and_see_each_other(
    hosted: tuple[str, str], browser
) -> None:
    url, database = hosted
    svc = build(Settings(database_url=database, public_url=None))
    w, key = svc.workshops.create("Hosted event")
    contexts = [browser.new_context() for _ in range(2)]
    try:
        facilitator, phone = (c.new_page() for c in contexts)
        facilitator.goto(f"{url}/workshop?code={w.code}&key={key}")
        facilitator.get_by_text("Scan to join").wait_for(timeout=LOAD_MS)
        phone.goto(f"{url}/join?code={w.code}")
        phone.get_by_role(
            "textbox", name="Your name (optional: leave blank to stay anonymous)"
        ).fill("Ana")
        phone.get_by_role("button", name="Join").click()
        phone.get_by_role("textbox", name="Your mission statement").fill(
            "We welcome every guest by name."
        )
        phone.get_by_role("button", name="Submit").click()
        phone.get_by_text("Submitted ✓").wait_for(timeout=LOAD_MS)
        # Each browser was given a replica and kept it; the two landed on different ones.
        replicas = [
            {c["name"]: c["value"] for c in ctx.cookies()}.get("COACH_REPLICA") for ctx in contexts
        ]
        assert sorted(replicas) == ["app1", "app2"], replicas  # type: ignore[type-var]
        # What the phone did through one replica reaches the facilitator on the other.
        facilitator.get_by_text("1 of 1 members have submitted").wait_for(timeout=10_000)
    finally:
        for c in contexts:
            c.close()
