"""restore checks every value, not only its type: what the app would never write is
refused with the table, row and field, before a single row is stored."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from coach.bootstrap import build
from coach.cli import demo
from coach.config import Settings
from coach.storage.backup import BackupError, backup, loads, restore


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # Module-scoped, so the autouse database fixture has not run yet: a database of its own,
    # never the working tree's data/coach.db.
    where = tmp_path_factory.mktemp("restore-values") / "coach.db"
    svc = build(Settings(database_url=f"sqlite:///{where}", public_url=None))
    workshop, _ = demo.create(svc)
    return json.loads(json.dumps(backup(svc.store, workshop.id)))


def _spoilt(data: dict[str, Any], table: str, column: str, value: Any) -> dict[str, Any]:
    bad = copy.deepcopy(data)
    bad["tables"][table][0][column] = value
    return bad


@pytest.mark.parametrize(
    ("table", "column", "value", "says"),
    [
        ("rounds", "phase", "dancing", "rounds row 1: phase: 'dancing' is not one of"),
        ("rounds", "outcome", "maybe", "outcome: 'maybe' is not one of"),
        ("commitments", "cadence", "hourly", "cadence: 'hourly' is not one of"),
        ("commitments", "status", "lost", "status: 'lost' is not one of"),
        ("commitments", "elements", "not json", "elements: is not JSON"),
        ("commitments", "elements", '["teleportation"]', "elements: must list element keys"),
        ("draft_versions", "scores", "{", "scores: is not JSON"),
        ("draft_versions", "scores", '{"overall": 900}', "scores: must map criteria to scores"),
        ("checks", "desired", 99, "desired: 99 is not 0 to 5"),
        ("workshops", "code", "abc!", "code: 'abc!' is not a workshop code"),
        ("workshops", "facilitator_key_hash", "letmein", "not a key hash"),
        ("members", "position", 10**30, "position is a number too large to store"),
        ("members", "token", "a-link-not-a-hash", "token: is not a key hash"),
        ("plans", "timezone", "Mars/Olympus", "timezone: 'Mars/Olympus' is not a time zone"),
    ],
)
def test_impossible_values_are_refused_by_name(
    good: dict[str, Any], table: str, column: str, value: Any, says: str
) -> None:
    assert good["tables"][table], f"the demo should fill {table}"
    bad = _spoilt(good, table, column, value)
    with pytest.raises(BackupError, match=says.replace("(", r"\(").replace("[", r"\[")):
        loads(json.dumps(bad))
    svc = build()
    with pytest.raises(BackupError):
        restore(svc.store, bad)
    assert svc.store.workshop(good["tables"]["workshops"][0]["code"]) is None  # nothing stored


def test_deep_nesting_and_huge_numbers_are_refused_not_a_traceback() -> None:
    with pytest.raises(BackupError, match="nests too deeply"):
        loads("[" * 100_000 + "]" * 100_000)
    with pytest.raises(BackupError, match="not complete JSON"):
        loads('{"format": "mission-coach-backup", "version": ' + "9" * 5000 + "}")


def test_the_good_backup_still_restores(good: dict[str, Any]) -> None:
    svc = build()
    code = restore(svc.store, loads(json.dumps(good)))
    assert svc.workshops.find(code).name == good["tables"]["workshops"][0]["name"]
