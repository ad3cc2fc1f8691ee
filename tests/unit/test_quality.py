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
