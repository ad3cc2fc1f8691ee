"""The database and backups hold member links and drafts: readable by their owner only."""

from __future__ import annotations

import stat
from pathlib import Path

from coach.bootstrap import build
from coach.cli import demo
from coach.config import Settings
from tests.support.cli_runner import Cli


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_folder_are_private(tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "coach.db"
    svc = build(Settings(database_url=f"sqlite:///{db}", public_url=None))
    svc.workshops.create("Desk")
    assert _mode(db) == 0o600 and _mode(db.parent) == 0o700
    for extra in db.parent.glob("coach.db-*"):  # WAL and shared memory, if any
        assert _mode(extra) & 0o077 == 0, extra


def test_a_backup_file_is_private(cli: Cli, tmp_path: Path) -> None:
    svc = build()
    workshop, _ = demo.create(svc)
    target = tmp_path / "b.json"
    assert cli("backup", workshop.code, "-o", str(target)).code == 0
    assert _mode(target) == 0o600
