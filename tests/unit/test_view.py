from __future__ import annotations

from coach.scoring import view
from coach.scoring.scorer import score_text


def test_marked_text_wraps_evidence_and_keeps_everything_else() -> None:
    r = score_text("We try to provide great service.")
    marked = view.marked_text(r.text, view.all_evidence(r))
    assert "⟦try to⟧" in marked
    assert marked.replace("⟦", "").replace("⟧", "") == r.text


def test_overlapping_spans_merge() -> None:
    r = score_text("We will never make mistakes and never fail anyone.")
    marked = view.marked_text(r.text, view.all_evidence(r))
    assert marked.count("⟦") == marked.count("⟧")
    assert marked.replace("⟦", "").replace("⟧", "") == r.text


def test_evidence_rows_are_strongest_first_within_a_criterion() -> None:
    rows = view.evidence_rows(score_text("We try to maybe help some people."))
    bold = [row["points"] for row in rows if row["_key"] == "bold"]
    assert bold == sorted(bold, key=lambda p: -abs(int(str(p))))
