"""`python -m coach demo` and `export`, run as real subprocesses on a temp database."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from coach.exports.table import COLUMNS, ConsensusTable
from tests.conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "coach", *args],
        capture_output=True,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('cli') / 'demo.db'}"


@pytest.fixture(autouse=True)
def _same_db(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The root fixture gives each test a fresh database; these share the demo's.
    monkeypatch.setenv("COACH_DATABASE_URL", demo_db)


@pytest.fixture(scope="module")
def code(demo_db: str) -> str:
    env = dict(os.environ, COACH_DATABASE_URL=demo_db)
    out = subprocess.run(
        [sys.executable, "-m", "coach", "demo"],
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert "facilitator link:" in text and "&key=" in text
    match = re.search(r"join code:\s+(\S+)", text)
    assert match
    return match.group(1)


def test_export_json_has_drafts_candidates_and_the_adoption(code: str) -> None:
    out = run("export", code, "--format", "json")
    assert out.returncode == 0, out.stderr
    table = ConsensusTable.model_validate_json(out.stdout)
    kinds = [r.kind for r in table.rows]
    assert kinds.count("draft") == 6 and kinds.count("adopted") == 1
    assert table.adopted and table.rounds[0].status == "closed: consensus"
    adopted = next(r for r in table.rows if r.kind == "adopted")
    assert adopted.schulze_rank == 1 and adopted.f2f_clear_min == 3


def test_export_csv_parses_back(code: str) -> None:
    out = run("export", code, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out.stdout.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 9


def test_export_xlsx_goes_to_a_file(code: str, tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"
    out = run("export", code, "--format", "xlsx", "-o", str(target))
    assert out.returncode == 0 and "Wrote" in out.stderr.decode()
    sheet = openpyxl.load_workbook(target)["Consensus"]
    assert sheet.max_row == 9


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_export_text_formats(code: str, fmt: str) -> None:
    out = run("export", code, "--format", fmt)
    assert out.returncode == 0
    assert "We welcome every guest like family and exceed their" in out.stdout.decode()


def test_export_unknown_code_is_a_clear_error() -> None:
    out = run("export", "0000-0000-0000")
    assert out.returncode == 2
    assert "No workshop has the code 0000-0000-0000" in out.stderr.decode()


def test_export_json_is_valid_json(code: str) -> None:
    assert json.loads(run("export", code, "--format", "json").stdout)["workshop"]


def test_commitments_join_the_exports(code: str) -> None:
    table = ConsensusTable.model_validate_json(run("export", code, "--format", "json").stdout)
    people = {c.person for c in table.commitments}
    assert people == {"Ana", "Bo", "Chen", "Dana"} and table.followup_due is not None
    out = run("export", code, "--format", "commitments-csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8-sig"))))
    assert {r["person"] for r in rows} == people
