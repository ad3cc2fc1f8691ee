"""`mission-coach demo` and `export`, in-process on a temp database (see conftest.py)."""

from __future__ import annotations

import csv
import io
import re
from contextlib import redirect_stdout
from pathlib import Path

import openpyxl
import pytest

from coach.cli.main import main
from coach.exports.table import COLUMNS, ConsensusTable
from tests.support.cli_runner import Cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The demo workshop, made once for this module: its database URL and what it printed."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'demo.db'}"
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, redirect_stdout(printed):
        mp.setenv("COACH_DATABASE_URL", url)
        assert main(["demo"]) == 0
    return url, printed.getvalue()


@pytest.fixture(autouse=True)
def _same_db(demo: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # The root fixture gives each test a fresh database; these share the demo's.
    monkeypatch.setenv("COACH_DATABASE_URL", demo[0])


@pytest.fixture
def code(demo: tuple[str, str]) -> str:
    match = re.search(r"join code:\s+(\S+)", demo[1])
    assert match, demo[1]
    return match.group(1)


def test_demo_prints_the_code_and_the_facilitators_links(demo: tuple[str, str]) -> None:
    printed = demo[1]
    assert "Created the demo workshop 'Front desk team (demo)' in sqlite storage." in printed
    code = re.search(r"join code:\s+(\w{4}-\w{4}-\w{4})\n", printed)
    link = re.search(
        r"facilitator link:\s+http://127\.0\.0\.1:8501/workshop\?code=(\w{12})&key=\S+", printed
    )
    assert code and link and code.group(1).replace("-", "") == link.group(1)


def test_export_json_has_drafts_candidates_and_the_adoption(cli: Cli, code: str) -> None:
    out = cli("export", code, "--format", "json")
    assert out.code == 0, out.err
    table = ConsensusTable.model_validate_json(out.out)
    kinds = [r.kind for r in table.rows]
    assert kinds.count("draft") == 6 and kinds.count("adopted") == 1
    assert table.adopted and table.rounds[0].status == "closed: consensus"
    adopted = next(r for r in table.rows if r.kind == "adopted")
    assert adopted.schulze_rank == 1 and adopted.f2f_clear_min == 3


def test_export_csv_parses_back(cli: Cli, code: str) -> None:
    out = cli("export", code, "--format", "csv")
    assert out.out.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = list(csv.reader(io.StringIO(out.out.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 9


def test_export_xlsx_goes_to_a_file(cli: Cli, code: str, tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"
    out = cli("export", code, "--format", "xlsx", "-o", str(target))
    assert out.code == 0 and f"Wrote {target} (8 rows)" in out.err and out.out == b""
    sheet = openpyxl.load_workbook(target)["Consensus"]
    assert sheet.max_row == 9  # a header and the 8 rows


def test_export_to_a_folder_that_is_not_there_is_a_clear_error(
    cli: Cli, code: str, tmp_path: Path
) -> None:
    out = cli("export", code, "--format", "csv", "-o", str(tmp_path / "no" / "t.csv"))
    assert out.code == 2 and "Choose another path with -o" in out.err


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_export_text_formats(cli: Cli, code: str, fmt: str) -> None:
    out = cli("export", code, "--format", fmt)
    assert out.code == 0
    assert "We welcome every guest like family and exceed their" in out.stdout


def test_export_unknown_code_is_a_clear_error(cli: Cli) -> None:
    out = cli("export", "0000-0000-0000")
    assert out.code == 2
    assert "No workshop has the code 0000-0000-0000" in out.err


def test_commitments_join_the_exports(cli: Cli, code: str) -> None:
    table = ConsensusTable.model_validate_json(cli("export", code, "--format", "json").out)
    people = {c.person for c in table.commitments}
    assert people == {"Ana", "Bo", "Chen", "Dana"} and table.followup_due is not None
    out = cli("export", code, "--format", "commitments-csv")
    rows = list(csv.DictReader(io.StringIO(out.out.decode("utf-8-sig"))))
    assert {r["person"] for r in rows} == people
