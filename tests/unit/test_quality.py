"""The rubric orders the project's labelled pairs the way a careful facilitator would.

The dev pairs were used while writing the rubric; the holdout pairs were not, so their
threshold is lower. `make bench` prints the exact figures.
"""

from __future__ import annotations

import pytest

from bench.evaluate import PAIRS_DIR, load_pairs, pair_accuracy

SETS = [
    ("mission", "dev", 0.9, 20),
    ("mission", "holdout", 0.75, 10),
    ("commitment", "dev", 0.9, 15),
    ("commitment", "holdout", 0.75, 10),
]


@pytest.mark.parametrize(("rubric", "split", "floor", "min_pairs"), SETS)
def test_pair_accuracy(rubric: str, split: str, floor: float, min_pairs: int) -> None:
    acc = pair_accuracy(load_pairs(PAIRS_DIR / f"{rubric}_{split}.tsv"), rubric)
    for criterion, a in acc.items():
        assert a.total >= min_pairs, criterion
        assert a.rate >= floor, f"{rubric} {split} {criterion}: {a}"


# The issue-13 sets, as a whole: the dev sets were tuned on; the held-out ones were
# written by a different helper and measured once, after tuning (figures in make bench).
# These floors guard against regressions; they are below the measured figures.
WHOLE_SETS = [
    ("mission_meaning_dev", "mission", 0.95, 80),
    ("mission_meaning_holdout", "mission", 0.85, 120),
    ("adversarial_dev", "mission", 0.95, 30),
    ("adversarial_holdout", "mission", 0.90, 40),
    ("commitment_meaning_dev", "commitment", 0.85, 40),
    ("commitment_meaning_holdout", "commitment", 0.80, 60),
    ("mission_meaning_dev2", "mission", 0.90, 40),
    ("commitment_meaning_dev2", "commitment", 0.95, 40),
    # A second held-out set, written after the first was measured, measured once.
    ("mission_meaning_holdout2", "mission", 0.82, 100),
    ("adversarial_holdout2", "mission", 0.80, 40),
    ("commitment_meaning_holdout2", "commitment", 0.75, 60),
    # A third round: dev sets for tuning, and held-out sets by another helper, measured once.
    ("mission_meaning_dev3", "mission", 0.95, 100),
    ("adversarial_dev2", "mission", 0.90, 40),
    ("commitment_meaning_dev3", "commitment", 0.90, 80),
    ("mission_meaning_holdout3", "mission", 0.75, 120),
    ("adversarial_holdout3", "mission", 0.78, 40),
    ("commitment_meaning_holdout3", "commitment", 0.82, 75),
    # 60 desired pairs only, written after the rubric's last change and measured once:
    # the clean figure for the criterion the rubric reads worst.
    ("desired_holdout4", "mission", 0.50, 60),
]


@pytest.mark.parametrize(("stem", "rubric", "floor", "pairs"), WHOLE_SETS)
def test_whole_set_accuracy(stem: str, rubric: str, floor: float, pairs: int) -> None:
    acc = pair_accuracy(load_pairs(PAIRS_DIR / f"{stem}.tsv"), rubric)
    right, total = sum(a.correct for a in acc.values()), sum(a.total for a in acc.values())
    assert total == pairs
    assert right / total >= floor, f"{stem}: {right}/{total}"
