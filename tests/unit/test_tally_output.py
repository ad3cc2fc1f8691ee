"""`tally` as text: the pairwise table and first preferences read as their notes say."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from coach.cli.main import main, render_tally
from coach.domain.voting import tally
from coach.exports.table import FIRST_PREFERENCES_NOTE, PAIRWISE_NOTE


def _rendered(ballots: list[tuple[tuple[str, ...], ...]]) -> str:
    out = io.StringIO()
    render_tally(tally(ballots, ["A", "B", "C", "D"]), out)
    return out.getvalue()


def _words(text: str) -> str:
    """The text with its wrapping undone."""
    return " ".join(text.split())


def _table(text: str, header: str) -> dict[str, list[str]]:
    """Row name -> cells of the table whose header line matches, up to the blank line."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if re.fullmatch(header, line))
    rows = {}
    for line in lines[at + 1 :]:
        if not line.strip():
            break
        m = re.fullmatch(r" +\d+\. (\S+) +(.*)", line)
        assert m, line
        rows[m.group(1)] = m.group(2).split()
    return rows


def test_pairwise_row_counts_voters_ranking_it_above_the_column() -> None:
    text = _rendered([(("D",), ("B",), ("C",), ("A",))] * 5)
    assert _words(PAIRWISE_NOTE) in _words(text)
    rows = _table(text, r" +1 +2 +3 +4")
    assert rows["D"] == ["5", "5", "5", "—"]  # D over A, B and C: all five voters
    assert rows["A"] == ["—", "0", "0", "0"]


def test_first_preferences_say_why_a_share_is_a_fraction() -> None:
    text = _rendered([(("A", "B"), ("C",))] * 3 + [(("C",),)])
    assert _words(FIRST_PREFERENCES_NOTE) in _words(text)
    rows = _table(text, r" +Borda +First prefs")
    assert {name: cells[1] for name, cells in rows.items()} == {
        "A": "1.5",
        "B": "1.5",
        "C": "1",
        "D": "0",
    }


def test_tally_command_prints_both_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ballots.csv"
    path.write_text("ana,A=B,C\nbo,C,A\n", encoding="utf-8")
    assert main(["tally", str(path)]) == 0
    out = _words(capsys.readouterr().out)
    assert _words(PAIRWISE_NOTE) in out and _words(FIRST_PREFERENCES_NOTE) in out
