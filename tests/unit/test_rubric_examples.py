"""Every rubric check carries examples, and every example behaves as it says."""

from __future__ import annotations

import pytest

from coach.scoring.examples import Example, examples, fires
from coach.scoring.rubric import RUBRIC_NAMES, load_rubric
from coach.scoring.scorer import get_scorer

ALL = [(name, ex) for name in RUBRIC_NAMES for ex in examples(load_rubric(name))]


@pytest.mark.parametrize(
    ("rubric", "example"),
    ALL,
    ids=[f"{ex.check}:{'flag' if ex.should_flag else 'pass'}:{ex.text[:40]}" for _, ex in ALL],
)
def test_example(rubric: str, example: Example) -> None:
    assert fires(get_scorer(rubric), example) is example.should_flag


@pytest.mark.parametrize("rubric", RUBRIC_NAMES)
def test_every_check_has_examples_both_ways(rubric: str) -> None:
    missing = [
        f"{c.name}.{k.id}"
        for c in load_rubric(rubric).criteria
        for k in c.checks
        if not (k.should_flag and k.should_pass)
    ]
    assert missing == [], f"checks without should_flag and should_pass examples: {missing}"


def test_examples_cover_every_check() -> None:
    for name in RUBRIC_NAMES:
        rubric = load_rubric(name)
        covered = {ex.check for ex in examples(rubric)}
        every = {f"{c.name}.{k.id}" for c in rubric.criteria for k in c.checks}
        assert covered == every
