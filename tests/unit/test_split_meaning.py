"""A commitment line of several actions becomes several promises that each stand alone:
the preamble, the shared object and the shared deadline or cadence go with every action;
an action that points back ("log it") stays with the one it points to."""

from __future__ import annotations

import pytest

from coach.scoring.scorer import get_scorer

CASES: list[tuple[str, list[str]]] = [
    (
        "I promise to greet every guest by name, and to answer every call bell within two minutes.",
        [
            "I promise to greet every guest by name",
            "I promise to answer every call bell within two minutes",
        ],
    ),
    (
        "I will call back and thank every caller within 2 hours.",
        [
            "I will call back every caller within 2 hours",
            "I will thank every caller within 2 hours",
        ],
    ),
    (
        "I will check every room before noon and log it in the shift report.",
        ["I will check every room before noon and log it in the shift report."],
    ),
    (
        "I will file the incident report and email the duty manager by Friday.",
        ["I will file the incident report by Friday", "I will email the duty manager by Friday"],
    ),
    (
        "I promise to restock the towels, and I will check the pool every morning.",
        ["I promise to restock the towels every morning", "I will check the pool every morning"],
    ),
    (
        "I will greet every guest by name and offer them a drink every shift.",
        ["I will greet every guest by name and offer them a drink every shift."],
    ),
    (
        "I will phone every discharged patient within two days and note what they tell me.",
        ["I will phone every discharged patient within two days and note what they tell me."],
    ),
    (
        "I will read every complaint on the day it arrives and reply to each one within 24 hours.",
        [
            "I will read every complaint on the day it arrives",
            "I will reply to each one within 24 hours",
        ],
    ),
    (
        "From Monday I will answer the phone by the third ring and take a name and number "
        "every time.",
        [
            "From Monday I will answer the phone by the third ring",
            "From Monday I will take a name and number every time",
        ],
    ),
    (
        "I promise to walk the platform at every delay and tell passengers their options.",
        ["I promise to walk the platform at every delay and tell passengers their options."],
    ),
    (
        "I will update the arrivals board every hour; I will also announce any gate change.",
        [
            "I will update the arrivals board every hour",
            "I will also announce any gate change",
        ],
    ),
    (
        "I will ask three departing guests each day what would make their stay better, and "
        "share it at the Friday huddle.",
        [
            "I will ask three departing guests each day what would make their stay better, "
            "and share it at the Friday huddle."
        ],
    ),
    (
        "I promise to clean the coffee station every hour and restock it before the lunch rush.",
        ["I promise to clean the coffee station every hour and restock it before the lunch rush."],
    ),
    (
        "I will thank one colleague at every Friday huddle and write it in the kudos book.",
        ["I will thank one colleague at every Friday huddle and write it in the kudos book."],
    ),
    (
        "I will check the dispensary fridge temperature every morning and record the reading.",
        [
            "I will check the dispensary fridge temperature every morning",
            "I will record the reading every morning",
        ],
    ),
    (
        "I will learn the names of my regulars and greet them by name from next week.",
        ["I will learn the names of my regulars and greet them by name from next week."],
    ),
    (
        "I will review open tickets at 9am daily, and close or escalate each one by 5pm.",
        ["I will review open tickets at 9am daily", "I will close or escalate each one by 5pm"],
    ),
    (
        "I promise to visit every new resident on their first day and introduce them to two "
        "neighbours.",
        [
            "I promise to visit every new resident on their first day and introduce them to two "
            "neighbours."
        ],
    ),
    (
        "I will return every voicemail by the end of my shift, and I will log each call.",
        [
            "I will return every voicemail by the end of my shift",
            "I will log each call by the end of my shift",
        ],
    ),
    (
        "I will greet every guest within one minute of arrival.",
        ["I will greet every guest within one minute of arrival."],
    ),
]


@pytest.mark.parametrize(("line", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_each_action_stands_alone(line: str, expected: list[str]) -> None:
    assert get_scorer("commitment").action_texts(line) == expected


def test_there_are_twenty_realistic_lines() -> None:
    assert len(CASES) == 20


@pytest.mark.parametrize(("line", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_no_action_is_an_orphan(line: str, expected: list[str]) -> None:
    for text in get_scorer("commitment").action_texts(line):
        words = text.split()
        assert words[0] in ("I", "From"), text  # every action keeps who promises
        assert "to to" not in text and "to I will" not in text, text
