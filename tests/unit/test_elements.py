"""Tagging commitments with the six elements of a service strategy, from rubric data."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.domain.elements import ELEMENTS_FILE, coverage, elements, gaps, load_elements, tag
from coach.errors import CoachError, RubricError

KEYS = ("understand", "standards", "develop", "listen", "measure", "recognise")
SHOULD_TAG = [
    pytest.param(e.key, text, id=f"{e.key}-{i}")
    for e in elements()
    for i, text in enumerate(e.should_tag)
]
SHOULD_NOT_TAG = [
    pytest.param(e.key, text, id=f"{e.key}-{i}")
    for e in elements()
    for i, text in enumerate(e.should_not_tag)
]


@pytest.mark.parametrize(("key", "text"), SHOULD_TAG)
def test_should_tag_examples_carry_their_element(key: str, text: str) -> None:
    assert key in tag(text)


@pytest.mark.parametrize(("key", "text"), SHOULD_NOT_TAG)
def test_should_not_tag_examples_do_not(key: str, text: str) -> None:
    assert key not in tag(text)


def test_the_six_elements_in_order_with_enough_examples_and_words() -> None:
    assert tuple(e.key for e in elements()) == KEYS
    for e in elements():
        assert len(e.should_tag) >= 2, e.key
        assert len(e.should_not_tag) >= 2, e.key
        assert 15 <= len(e.items) <= 40, e.key
        assert len(set(e.items)) == len(e.items), e.key
        assert e.label and e.gap, e.key


def test_matching_is_case_insensitive_on_word_boundaries() -> None:
    assert tag("WE WILL CELEBRATE") == ("recognise",)
    assert tag("Thanks, team!") == ("recognise",)
    assert tag("I will follow-up with Dana") == ("measure",)  # hyphen joins a phrase
    # 'minute*' must start a token, so 'ten-minute' is not a standard; 'role play*' is found.
    assert tag("a ten-minute role-play") == ("develop",)
    assert tag("cross-training and a shout-out") == ("develop", "recognise")
    assert tag("hire-purchase, a key-ring") == ()  # a single word never inside a token
    assert tag("Following up with Dana") == ("measure",)  # prefix word inside a phrase
    assert tag("unexpected") == ()  # 'expect*' starts at a word, not inside one
    assert tag("I will put my heart into it") == ()  # 'hear' is a whole word
    assert tag("I’ll thank the team") == ("recognise",)  # curly apostrophe
    assert tag("") == ()


def test_tags_come_in_file_order_and_once_each() -> None:
    text = "I will thank, and listen to, and measure; and thank again, every caller."
    assert tag(text) == ("standards", "listen", "measure", "recognise")


def test_coverage_counts_commitments_per_element() -> None:
    sets = [("listen", "measure"), ("listen",), ("recognise", "recognise"), (), ("gone",)]
    counts = coverage(sets)
    assert list(counts) == list(KEYS)  # every key, even with no carrier
    assert counts == {
        "understand": 0,
        "standards": 0,
        "develop": 0,
        "listen": 2,
        "measure": 1,
        "recognise": 1,  # a repeated tag counts the commitment once
    }
    assert coverage([]) == dict.fromkeys(KEYS, 0)


def test_gaps_are_the_uncarried_elements_in_file_order() -> None:
    by_key = {e.key: e.gap for e in elements()}
    assert gaps([("listen", "measure"), ("recognise",)]) == [
        by_key["understand"],
        by_key["standards"],
        by_key["develop"],
    ]
    assert gaps([KEYS]) == []
    assert gaps([]) == [by_key[k] for k in KEYS]
    assert by_key["recognise"] == "Nobody commits to recognising great service."


def test_coverage_of_real_commitments() -> None:
    commitments = [
        "I promise to call back every caller within 2 hours.",
        "I will ask two customers a week for feedback.",
        "I will thank a colleague in every team meeting.",
    ]
    sets = [tag(c) for c in commitments]
    assert sets == [("standards",), ("listen",), ("recognise",)]
    assert len(gaps(sets)) == 3


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    raw = ELEMENTS_FILE.read_text(encoding="utf-8")
    assert old in raw
    path = tmp_path / "elements.toml"
    path.write_text(raw.replace(old, new, 1), encoding="utf-8")
    return path


def test_an_unchanged_copy_loads(tmp_path: Path) -> None:
    assert load_elements(_copy(tmp_path, "[[element]]", "[[element]]")) == elements()


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        pytest.param('key = "listen"', 'key = "listen', "not valid TOML", id="bad-toml"),
        pytest.param('key = "listen"', 'key = "listen"\ncolour = "red"', "colour", id="extra"),
        pytest.param('key = "listen"', 'key = "measure"', "repeated: measure", id="dup-key"),
        pytest.param('gap = "Nobody commits to listening', 'gop = "', "gap", id="missing"),
        pytest.param('"listen*", ', '"listen*", "", ', "item ''", id="empty-item"),
        pytest.param('"listen*", ', '"li*sten", ', "li\\*sten", id="inner-star"),
        pytest.param(
            '    "I promise to call back every caller within 2 hours.",\n'
            '    "I will thank a colleague by name in every team meeting.",\n]',
            "]",
            "should_not_tag",
            id="one-example",
        ),
    ],
)
def test_malformed_file_is_a_coach_error_naming_it(
    tmp_path: Path, old: str, new: str, says: str
) -> None:
    path = _copy(tmp_path, old, new)
    with pytest.raises(CoachError, match=says) as err:
        load_elements(path)
    assert isinstance(err.value, RubricError)
    assert str(path) in str(err.value)


def test_missing_or_binary_file_is_a_coach_error(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match="Cannot read elements file"):
        load_elements(tmp_path / "nope.toml")
    bad = tmp_path / "elements.toml"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(RubricError, match=str(bad)):
        load_elements(bad)
