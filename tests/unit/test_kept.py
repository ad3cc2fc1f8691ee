"""Kept rates per week and per element, and the ideas funnel, counted by hand."""

from __future__ import annotations

from datetime import date

from coach.domain import kept


def test_kept_per_week_counts_done_and_in_progress_as_kept() -> None:
    rows = kept.by_week(
        [
            (date(2026, 11, 23), "done"),  # Monday of W48
            (date(2026, 11, 29), "planned"),  # Sunday of W48
            (date(2026, 11, 30), "in progress"),  # Monday of W49
            (date(2026, 12, 2), "dropped"),
            (date(2026, 12, 3), "done"),
            (date(2025, 12, 29), "done"),  # ISO week 1 of 2026, though in 2025
        ]
    )
    assert [(r.label, r.check_ins, r.kept) for r in rows] == [
        ("2026-W01", 1, 1),
        ("2026-W48", 2, 1),
        ("2026-W49", 3, 2),
    ]
    assert rows[2].rate == 2 / 3
    assert kept.by_week([]) == []


def test_kept_per_element_counts_each_element_a_commitment_serves() -> None:
    labels = {"listen": "Listening", "recognise": "Recognition", "train": "Training"}
    rows = kept.by_element(
        [("done", ("listen", "recognise")), ("dropped", ("listen",)), ("done", ("unknown",))],
        labels,
    )
    assert [(r.label, r.check_ins, r.kept) for r in rows] == [
        ("Listening", 2, 1),
        ("Recognition", 1, 1),
        ("Training", 0, 0),
    ]
    assert rows[2].rate == 0.0  # no check-ins: no rate, not a division by zero


def test_the_ideas_funnel() -> None:
    d = date(2026, 11, 26)
    f = kept.funnel([(None, None), (d, None), (d, d), (None, d)])
    assert (f.created, f.tried, f.implemented) == (4, 3, 2)  # implemented counts as tried
