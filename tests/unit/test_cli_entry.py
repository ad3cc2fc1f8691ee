"""The entry points as a person runs them: real processes, real pipes, real exit codes.

Only these few start a process; every other CLI test calls `main(argv)` in-process."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from coach.bootstrap import build
from coach.cli import demo
from tests.conftest import ROOT

SCRIPT = Path(sys.executable).parent / "mission-coach"  # installed by `pip install -e .`


def run(*command: str | Path, stdin: str = "") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(part) for part in command],
        input=stdin.encode("utf-8"),
        capture_output=True,
        cwd=ROOT,
        env=dict(os.environ),  # the root fixture's temp database and no LLM
        timeout=120,
        check=False,
    )


def test_python_m_coach_scores_stdin_to_stdout() -> None:
    out = run(sys.executable, "-m", "coach", "score", "--json", stdin="We try to help.\n")
    assert out.returncode == 0, out.stderr
    [obj] = [json.loads(line) for line in out.stdout.decode("utf-8").splitlines()]
    assert obj["text"] == "We try to help." and 0 <= obj["overall"] <= 100


def test_the_console_script_says_what_went_wrong_on_stderr_with_exit_2() -> None:
    out = run(SCRIPT, "export", "0000-0000-0000")
    assert out.returncode == 2 and out.stdout == b""
    assert b"No workshop has the code 0000-0000-0000" in out.stderr
    assert b"Traceback" not in out.stderr


def test_export_writes_bytes_untouched_from_the_configured_database() -> None:
    svc = build()  # the same COACH_DATABASE_URL the process will read
    workshop, _ = demo.create(svc)
    out = run(sys.executable, "-m", "coach", "export", workshop.code, "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(b"\xef\xbb\xbf")  # the BOM reaches the pipe
    rows = list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8-sig"))))
    assert [r["kind"] for r in rows].count("adopted") == 1
