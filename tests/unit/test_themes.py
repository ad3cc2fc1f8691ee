from __future__ import annotations

import os
import subprocess
import sys

import pytest

from coach.domain.themes import (
    Coverage,
    Theme,
    carried_by,
    coverage,
    default_min_drafts,
    shared_themes,
    similar_groups,
    theme_keys,
)
from tests.conftest import ROOT

HOTEL = [
    "We welcome every guest with care and a smile.",
    "Every guest is greeted with care and a smile.",
    "We look after each guest as family.",
]
SERVICE = [
    "We serve every customer with care at every level.",
    "Every customer gets our care, at every level of the company.",
    "We answer quickly and serve every customer with care.",
]


def _labels(themes: list[Theme]) -> list[str]:
    return [t.label for t in themes]


def _by_label(themes: list[Theme], label: str) -> Theme:
    return next(t for t in themes if t.label == label)


def test_every_customer_across_case_and_plural_variants() -> None:
    drafts = [
        "Every customer leaves our hotel feeling welcome.",
        "We greet every customers' family by name.",
        "EVERY CUSTOMER deserves an answer the same day.",
        "We keep our lobby spotless for the guests.",
    ]
    # "customer" and "every" occur exactly where "every customer" does, so only it shows.
    assert shared_themes(drafts) == [Theme("every customer", "every customer", (0, 1, 2))]
    assert shared_themes(drafts)[0].count == 3


def test_stop_words_numbers_and_short_words_never_start_or_end_a_theme() -> None:
    drafts = [
        "We will answer to the needs of our guests 24 hours a day.",
        "We will listen to the ideas of our staff, 24 hours a day.",
        "We will be there for the people of our town.",
    ]
    themes = shared_themes(drafts, limit=50)
    assert _labels(themes) == ["hours a day"]
    for text in drafts:
        keys = theme_keys(text)
        assert not keys & {"we will", "to the", "of our", "we", "will", "the", "24", "a"}


def test_a_phrase_in_one_draft_only_is_not_a_theme() -> None:
    keys = {t.key for t in shared_themes(HOTEL)}
    once = theme_keys("look") | theme_keys("welcome")  # each in one draft only
    assert once <= theme_keys(HOTEL[2]) | theme_keys(HOTEL[0])
    assert not keys & once
    assert all(t.count >= 2 for t in shared_themes(HOTEL))
    assert shared_themes(["We welcome every guest with care."]) == []
    assert shared_themes([]) == []


def test_redundancy_order_and_ties() -> None:
    themes = shared_themes(HOTEL)
    # "guest" is kept beside "every guest" because a third draft uses it; "every" is
    # dropped because it occurs exactly where "every guest" does. Equal counts: longer
    # phrase first, then alphabetical ("care" before "smile").
    assert _labels(themes) == ["guest", "every guest", "care", "smile"]
    assert [t.drafts for t in themes] == [(0, 1, 2), (0, 1), (0, 1), (0, 1)]
    assert "every" not in {t.key for t in themes}


def test_longer_phrases_replace_shorter_ones_with_the_same_drafts() -> None:
    themes = shared_themes(SERVICE)
    assert _labels(themes) == [
        "every customer",
        "care",
        "customer with care",
        "serve every customer",
        "every level",
    ]
    assert "serve" not in _labels(themes)  # only where "serve every customer" is


def test_trigram_may_hold_a_stop_word_in_the_middle() -> None:
    drafts = [
        "We offer the same level of service to every member.",
        "Members get one level of service, whoever they are.",
        "Service is our first job.",
    ]
    themes = shared_themes(drafts)
    assert _labels(themes) == ["service", "level of service", "member"]
    assert _by_label(themes, "level of service").drafts == (0, 1)


def test_limit_and_min_drafts() -> None:
    assert _labels(shared_themes(HOTEL, limit=2)) == ["guest", "every guest"]
    assert shared_themes(HOTEL, limit=0) == []
    assert _labels(shared_themes(HOTEL, min_drafts=3)) == ["guest"]


def test_default_min_drafts_grows_with_the_organisation() -> None:
    assert [default_min_drafts(n) for n in (0, 3, 12, 13, 40, 41, 100, 2000)] == [
        2,
        2,
        2,
        2,
        2,
        3,
        5,
        100,
    ]
    # Unwritten drafts still count towards the team's size.
    drafts = ["We welcome every guest.", "Every guest matters.", "Each day, every guest."]
    drafts += ["Our lobby shines.", "A clean lobby."]
    assert _labels(shared_themes([*drafts, *[""] * 35])) == ["every guest", "lobby"]
    # 60 drafts need three: "every guest" has three, "lobby" only two.
    assert _labels(shared_themes([*drafts, *[""] * 55])) == ["every guest"]


def test_word_forms_meet() -> None:
    drafts = [
        "Customers come first.",
        "We put the customer's needs first.",
        "Every customer matters.",
        "We delight our guests.",
        "Guests leave delighted.",
        "Delighting people is our job.",
        "Small delights every day.",
    ]
    themes = shared_themes(drafts)
    assert _by_label(themes, "delight").drafts == (3, 4, 5, 6)
    assert _by_label(themes, "customer").drafts == (0, 1, 2)
    assert _by_label(themes, "guests").drafts == (3, 4)
    assert theme_keys("guest") == theme_keys("guests")
    assert theme_keys("serve every customer") == theme_keys("serving every customers'")


def test_label_is_the_most_common_surface_form() -> None:
    drafts = ["Guests leave delighted.", "Every guest feels delighted.", "We delight them."]
    assert _by_label(shared_themes(drafts), "delighted").drafts == (0, 1, 2)


def test_theme_keys_respect_punctuation_and_hyphens() -> None:
    keys = theme_keys("With care, every day; customer-focused.")
    assert "car every" not in keys
    assert "every day" in keys
    assert theme_keys("customer focused") <= keys


NEAR = [
    "We welcome every guest warmly and make them feel at home.",
    "Our hotel keeps every room spotless and safe.",
    "We warmly welcome every guest and make them feel at home.",
    "We answer every call within two rings.",
    "We keep every room spotless, safe and ready on time.",
    "Every room is kept spotless and safe.",
    "We train our staff to grow their careers.",
]


def test_similar_groups_finds_a_pair_and_a_trio() -> None:
    assert similar_groups(NEAR) == [(1, 4, 5), (0, 2)]
    # A stricter threshold keeps only the reworded pair.
    assert similar_groups(NEAR, threshold=0.7) == [(0, 2)]


def test_similar_groups_edge_cases() -> None:
    assert similar_groups([]) == []
    assert similar_groups(["We welcome every guest."]) == []
    assert similar_groups(["", "..."]) == []
    assert similar_groups(["Rooms ready on time.", "Calls answered within two rings."]) == []
    assert similar_groups(["Rooms ready on time.", "ROOMS READY ON TIME!"], threshold=1) == [(0, 1)]
    with pytest.raises(ValueError):
        similar_groups(NEAR, threshold=0)


def test_coverage_summaries() -> None:
    themes = shared_themes(SERVICE)
    full = coverage(SERVICE[0], themes)
    assert full.summary() == "covers all 5 shared themes"
    assert full.missing == ()
    partial = coverage("We serve every customer with care.", themes)
    assert partial.summary() == "covers 4 of 5 shared themes; missing: every level"
    two = coverage("Every customer matters to us.", themes)
    assert two.summary() == (
        "covers 1 of 5 shared themes; missing: care, customer with care, serve every customer, "
        "every level"
    )
    assert coverage("At every level we say hello.", themes[-1:]).summary() == (
        "covers the 1 shared theme"
    )
    assert coverage("Anything.", []).summary() == "no shared themes yet"
    assert Coverage((), tuple(themes[-2:])).summary() == (
        "covers 0 of 2 shared themes; missing: serve every customer, every level"
    )


def test_carried_by_shared_themes() -> None:
    themes = shared_themes(HOTEL)
    candidates = [
        "Every guest is welcomed with care.",
        "We care about costs.",
        "Our lobby is spotless.",
    ]
    # The draft holds guest, every guest, care and smile: the first candidate carries three
    # of the four, the second only care, the last none.
    assert carried_by(HOTEL[0], candidates, themes) == [0]
    assert carried_by(HOTEL[0], candidates, themes, min_share=0.75) == [0]
    assert carried_by(HOTEL[0], candidates, themes, min_share=0.25) == [0, 1]
    assert carried_by(HOTEL[0], candidates, themes, min_share=1) == []
    assert carried_by(HOTEL[2], candidates, themes) == [0]  # its one theme: guest


def test_carried_by_falls_back_to_content_words() -> None:
    themes = shared_themes(HOTEL)
    draft = "Our lobby stays spotless."
    candidates = ["A spotless lobby for every guest.", "Rooms ready on time.", "Lobby hours."]
    assert carried_by(draft, candidates, themes) == [0]
    assert carried_by(draft, candidates, themes, min_share=0.3) == [0, 2]
    assert carried_by("", candidates, themes) == []


def test_same_input_same_output() -> None:
    drafts = [*HOTEL, *SERVICE, *NEAR]
    assert shared_themes(drafts) == shared_themes(list(drafts))
    assert similar_groups(drafts) == similar_groups(list(drafts))
    assert [coverage(d, shared_themes(drafts)) for d in drafts] == [
        coverage(d, shared_themes(drafts)) for d in drafts
    ]


def test_output_does_not_depend_on_hash_order() -> None:
    script = (
        "from coach.domain.themes import shared_themes, similar_groups\n"
        f"d = {[*HOTEL, *SERVICE, *NEAR]!r}\n"
        "print(shared_themes(d), similar_groups(d))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=60,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert "every guest" in outputs.pop()
