"""Exports are for the larger group: a draft the facilitator removed stays out of every one
of them, and stays in the backup, marked removed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from coach.bootstrap import build
from tests.support.cli_runner import Cli

KEPT = "We welcome every guest like family."
REMOVED = "Our rude joke about the manager, posted by mistake."


@pytest.fixture
def code() -> str:
    svc = build()
    w, key = svc.workshops.create("Front desk")
    for i, text in enumerate((KEPT, REMOVED)):
        _, m = svc.workshops.join(w.code, f"P{i}")
        svc.workshops.submit(w.code, m.token, text, f"n{i}")
    removed = next(d for d in svc.store.drafts(w.id) if d.latest.text == REMOVED)
    svc.workshops.set_draft_removed(w.code, key, removed.id, True)
    return w.code


@pytest.mark.parametrize("fmt", ["csv", "md", "html", "json"])
def test_a_removed_draft_is_in_no_shared_export(cli: Cli, code: str, fmt: str) -> None:
    out = cli("export", code, "--format", fmt)
    assert out.code == 0, out.err
    # Markdown escapes punctuation: look for words the texts alone have. The HTML summary
    # lists candidates, and counts the drafts.
    shown = "1 draft submitted" if fmt == "html" else "guest like family"
    assert shown in out.stdout and "rude joke" not in out.stdout


def test_nor_in_the_spreadsheet(cli: Cli, code: str, tmp_path: Path) -> None:
    target = tmp_path / "x.xlsx"
    assert cli("export", code, "--format", "xlsx", "-o", str(target)).code == 0
    wb = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
    values = {c.value for ws in wb.worksheets for line in ws.iter_rows() for c in line}
    assert KEPT in values and REMOVED not in values


def test_but_the_backup_keeps_it_marked_removed(cli: Cli, code: str, tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    assert cli("backup", code, "-o", str(target)).code == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    versions = {v["draft_id"]: v["text"] for v in data["tables"]["draft_versions"]}
    removed = [d for d in data["tables"]["drafts"] if versions[d["id"]] == REMOVED]
    assert removed and removed[0]["deleted_at"] is not None
