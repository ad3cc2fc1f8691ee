from __future__ import annotations

from coach.scoring import view
from coach.scoring.scorer import Evidence, score_text


def _at(start: int, end: int) -> Evidence:
    return Evidence("bold.negative", "Bold", "penalty", "", start, end, "", -1.0)


def test_marked_text_wraps_evidence_and_keeps_everything_else() -> None:
    r = score_text("We try to provide great service.")
    marked = view.marked_text(r.text, view.all_evidence(r))
    assert "⟦try to⟧" in marked
    assert marked.replace("⟦", "").replace("⟧", "") == r.text


def test_overlapping_spans_merge() -> None:
    text = "We will never make mistakes and never fail anyone."
    # "never" (8-13) lies inside "never make" (8-18); "make mistakes" (14-27) overlaps it;
    # 32-42 is one span given twice; "anyone" (43-49) touches nothing.
    spans = [_at(8, 13), _at(8, 18), _at(14, 27), _at(32, 42), _at(32, 42), _at(43, 49)]
    assert view.marked_text(text, spans) == (
        "We will ⟦never make mistakes⟧ and ⟦never fail⟧ ⟦anyone⟧."
    )


def test_the_scorers_overlapping_evidence_is_marked_once() -> None:
    r = score_text("We will never make mistakes and never fail anyone.")
    evidence = view.all_evidence(r)
    assert {(e.start, e.end) for e in evidence} >= {(8, 13), (8, 18)}  # overlapping spans
    assert view.marked_text(r.text, evidence).count("⟦never") == 2


def test_spans_outside_the_text_are_ignored() -> None:
    assert view.marked_text("We help.", [_at(3, 99), _at(5, 5)]) == "We help."


def test_evidence_rows_are_strongest_first_within_a_criterion() -> None:
    rows = view.evidence_rows(score_text("We try to maybe help some people."))
    bold = [row["points"] for row in rows if row["_key"] == "bold"]
    assert len(set(bold)) > 1  # else any order would pass
    assert bold == sorted(bold, key=lambda p: -abs(int(str(p))))
