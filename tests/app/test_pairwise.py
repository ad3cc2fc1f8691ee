"""The Ranked vote tab's figures read the way their captions say."""

from __future__ import annotations

import pandas as pd

from coach.bootstrap import Services
from tests.app.conftest import open_page

TEAM = {
    "Ana": "We welcome every guest like family.",
    "Bo": "We answer every call within three rings.",
    "Cy": "We make every stay feel easy.",
    "Di": "We greet every guest by name.",
    "Ed": "We fix every problem before the guest leaves.",
}


def _vote(svc: Services, ballot: list[list[str]]) -> tuple[str, str]:
    """Five members, candidates A to D (Ana's to Di's drafts), every ballot the same."""
    w, key = svc.workshops.create("Desk")
    tokens = []
    for name, text in TEAM.items():
        _, m = svc.workshops.join(w.code, name)
        svc.workshops.submit(w.code, m.token, text, f"n-{name}")
        tokens.append(m.token)
    svc.workshops.set_revealed(w.code, key, True)
    drafts = {d.member_name: d.id for d in svc.store.drafts(w.id)}
    ids = {}
    for label, name in zip("ABCD", ("Ana", "Bo", "Cy", "Di"), strict=True):
        ids[label] = svc.consensus.promote(w.code, key, drafts[name]).id
    svc.consensus.open_vote(w.code, key)
    for token in tokens:
        svc.consensus.ballot(w.code, token, [[ids[c] for c in group] for group in ballot])
    svc.consensus.close_vote(w.code, key, ids[ballot[0][0]])  # the result shows once closed
    return w.code, key


def _pairwise(frames: list[pd.DataFrame]) -> pd.DataFrame:
    found = [df for df in frames if list(df.columns) == ["A", "B", "C", "D"]]
    assert len(found) == 1, [list(df.columns) for df in frames]
    return found[0]


def test_pairwise_cell_counts_row_over_column(svc: Services) -> None:
    code, key = _vote(svc, [["D"], ["B"], ["C"], ["A"]])
    at = open_page("consensus", code=code, key=key)
    captions = [c.value for c in at.caption]
    assert any("rank the row's candidate above the column's" in c for c in captions)
    table = _pairwise([df.value for df in at.dataframe])
    assert list(table.index) == ["A", "B", "C", "D"]
    assert table.loc["D", "A"] == 5  # all five rank D (the row) above A (the column)
    assert table.loc["A", "D"] == 0
    assert table.loc["B", "C"] == 5 and table.loc["C", "B"] == 0
    assert not at.exception


def test_first_preferences_explain_a_tied_ballot(svc: Services) -> None:
    code, key = _vote(svc, [["A", "B"], ["C"], ["D"]])
    at = open_page("consensus", code=code, key=key)
    points = next(df.value for df in at.dataframe if "Borda points" in df.value.columns)
    column = next(c for c in points.columns if c.startswith("first preferences"))
    assert "tie" in column  # the header itself says why a share can be a fraction
    shares = points.set_index("candidate")[column].to_dict()
    assert shares == {"A": 2.5, "B": 2.5, "C": 0.0, "D": 0.0}
    captions = " ".join(c.value for c in at.caption)
    assert "splits its one first preference" in captions
    assert not at.exception
