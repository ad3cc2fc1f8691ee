"""Widgets shared by the facilitator's screen and a member's phone: a ballot, a fist-to-five."""

from __future__ import annotations

import streamlit as st

from coach.domain.types import QUESTIONS, Candidate
from coach.scoring.rubric import load_rubric

UNRANKED = "—"


def ranking(
    candidates: tuple[Candidate, ...], labels: dict[int, str], prefix: str
) -> list[list[int]]:
    """A place for each candidate (the same place for a tie; blank leaves it unranked)."""
    places = [UNRANKED, *[str(i) for i in range(1, len(candidates) + 1)]]
    chosen: dict[int, list[int]] = {}
    for c in candidates:
        left, right = st.columns([1, 5])
        place = left.selectbox(f"Place for {labels[c.id]}", places, key=f"{prefix}_{c.id}")
        right.text(f"{labels[c.id]}. {c.text}")
        if place != UNRANKED:
            chosen.setdefault(int(str(place)), []).append(c.id)
    return [chosen[p] for p in sorted(chosen)]


def fist_to_five(prefix: str) -> tuple[dict[str, int], str]:
    """The four Step 4 questions, 0 (no way) to 5 (fully behind it), and a one-line concern."""
    questions = {c.name: c.question for c in load_rubric("mission").criteria}
    scores = {q: int(st.slider(questions[q], 0, 5, 3, key=f"{prefix}_{q}")) for q in QUESTIONS}
    concern = st.text_input(
        "If any answer is below 3: what would change your mind? (one line)",
        key=f"{prefix}_concern",
        max_chars=200,
    )
    return scores, concern
