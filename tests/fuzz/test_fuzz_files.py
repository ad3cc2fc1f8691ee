"""Hostile files: any text as a ballot file, any change to a good backup. The only outcome
besides success is the app's own error with a sentence; never a traceback, never a
half-stored workshop."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coach.bootstrap import build
from coach.cli import demo
from coach.config import Settings
from coach.domain.voting import MAX_CANDIDATES, parse_ballots_csv
from coach.errors import InputError
from coach.storage.backup import BackupError, backup, loads, restore
from tests.fuzz.test_fuzz_inputs import FEW, FUZZ, hostile_text

CELLS = st.one_of(
    hostile_text(),
    st.sampled_from(["A", "B", "C=D", "=", '"', '"A,B"', ",", "\ufeff", "", " ", "A\nB"]),
)


@FUZZ
@given(rows=st.lists(st.lists(CELLS, max_size=6), max_size=8), sep=st.sampled_from([",", ";"]))
def test_any_ballot_file_is_read_or_refused_with_a_line(rows: list[list[str]], sep: str) -> None:
    text = "\n".join(sep.join(r) for r in rows)
    try:
        voters, ballots = parse_ballots_csv(text)
    except InputError as exc:
        message = str(exc)
        assert message and message[0].isupper() and "Traceback" not in message
        return
    assert len(voters) == len(ballots) == len(set(voters))
    for ballot in ballots:
        names = [n for group in ballot for n in group]
        assert all(n.strip() == n and n for n in names)  # an empty ballot abstains
        assert len(names) == len(set(names)) <= MAX_CANDIDATES


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # Module-scoped: a database of its own, never the working tree's data/coach.db.
    where = tmp_path_factory.mktemp("fuzz-files") / "coach.db"
    svc = build(Settings(database_url=f"sqlite:///{where}", public_url=None))
    workshop, _ = demo.create(svc)
    return json.loads(json.dumps(backup(svc.store, workshop.id)))


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    hostile_text(),
    st.sampled_from(["[]", "{}", '{"overall": 500}', '["x"]', "2026-13-40", "voting", "done"]),
    st.lists(st.integers(), max_size=3),
)


@FEW
@given(data=st.data())
def test_any_change_to_a_good_backup_restores_whole_or_is_refused_by_name(
    good: dict[str, Any], data: st.DataObject
) -> None:
    bad = copy.deepcopy(good)
    tables = [t for t, rows in bad["tables"].items() if rows]
    for _ in range(data.draw(st.integers(1, 3))):
        table = data.draw(st.sampled_from(tables))
        rows = bad["tables"][table]
        row = rows[data.draw(st.integers(0, len(rows) - 1))]
        column = data.draw(st.sampled_from(sorted(row)))
        row[column] = data.draw(VALUES)
    svc = build()
    try:
        checked = loads(json.dumps(bad))
        code = restore(svc.store, checked)
    except BackupError as exc:
        message = str(exc)  # a sentence naming what is wrong, never a traceback
        assert message[:1].isupper() and "Traceback" not in message
        return
    # Restored: every page's reads work on it.
    workshop = svc.workshops.find(code)
    svc.workshops.board(workshop)
    svc.consensus.history(workshop)
    svc.commitments.team(workshop)
