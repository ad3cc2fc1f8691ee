"""Rubric files are validated strictly; a broken file gets a message that says what to fix."""

from __future__ import annotations

import re

import pytest

from coach.errors import RubricError
from coach.scoring.rubric import RUBRIC_DIR, load_rubric, parse_rubric

MINIMAL = """
name = "mission"
version = "t"
title = "Mission statement"
max_chars = 100

[[criteria]]
name = "bold"
label = "Bold"
question = "Bold?"
weight = 1
base = 50

[[criteria.checks]]
id = "hedges"
kind = "phrases"
label = "Hedge"
points = 10
cap = 20
items = ["try to"]
message = "Hedge: '{match}'"
tip = "Drop '{match}'."
"""


def test_minimal_rubric_parses() -> None:
    rubric = parse_rubric(MINIMAL.encode())
    assert rubric.criterion("bold").checks[0].id == "hedges"
    assert len(rubric.digest) == 12


def test_invalid_toml_names_the_file() -> None:
    with pytest.raises(RubricError, match=r"x\.toml is not valid TOML"):
        parse_rubric(b"name = ", "x.toml")


def test_unknown_field_is_refused() -> None:
    with pytest.raises(RubricError, match="schema"):
        parse_rubric((MINIMAL + 'colour = "red"\n').encode())


def test_penalty_without_tip_is_refused() -> None:
    with pytest.raises(RubricError, match="no tip"):
        parse_rubric(MINIMAL.replace("tip = \"Drop '{match}'.\"", "").encode())


def test_unknown_check_reference_is_refused() -> None:
    bad = MINIMAL + 'unless_checks = ["clear.nothing"]\n'
    with pytest.raises(RubricError, match=re.escape("unknown check 'clear.nothing'")):
        parse_rubric(bad.encode())


def test_fixed_tip_needs_replacements() -> None:
    bad = MINIMAL.replace("tip = \"Drop '{match}'.\"", "tip = \"Write '{fixed}'.\"")
    with pytest.raises(RubricError, match="no replacement"):
        parse_rubric(bad.encode())


def test_unknown_rubric_name() -> None:
    with pytest.raises(RubricError, match="choose one of mission, commitment"):
        load_rubric("vision")


def test_shipped_rubrics_have_the_named_criteria() -> None:
    assert [c.name for c in load_rubric("mission").criteria] == [
        "desired",
        "bold",
        "clear",
        "stretching",
    ]
    assert [c.name for c in load_rubric("commitment").criteria] == [
        "specific",
        "measurable",
        "time_bound",
        "owned",
        "linked",
    ]
    assert (RUBRIC_DIR / "mission.toml").is_file()
