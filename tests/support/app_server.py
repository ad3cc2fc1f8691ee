"""Start a real `streamlit run` on a free loopback port, for browser tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# The app as `mission-coach serve` runs it: the pages plus the live watch endpoint.
SERVER = ROOT / "coach" / "ui" / "serving" / "server.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_streamlit(
    script: Path,
    log_dir: Path,
    database_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> tuple[str, subprocess.Popen[bytes]]:
    """The script served on 127.0.0.1; returns its URL once healthy, and the process.
    No OPENAI_ setting leaks in from outside; `extra_env` may set one (a local fake)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "COACH_LIVE"))}
    if database_url is not None:
        env["COACH_DATABASE_URL"] = database_url
    env.update(extra_env or {})
    log_path = log_dir / f"streamlit-{port}.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(script),
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",  # as `mission-coach serve` runs it
                "none",
                "--runner.postScriptGC",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return url, proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not start: {log_path.read_text()}")
