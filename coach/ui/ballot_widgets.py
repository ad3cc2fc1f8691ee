"""Widgets shared by the facilitator's screen and a member's phone: a ballot, a fist-to-five."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import streamlit as st

from coach.domain.types import QUESTIONS
from coach.scoring.rubric import load_rubric

UNRANKED = "—"


class Rankable(Protocol):
    """A candidate statement (Step 4) or a candidate result (Steps 3 and 5)."""

    @property
    def id(self) -> int: ...

    @property
    def text(self) -> str: ...


def ranking(candidates: Sequence[Rankable], labels: dict[int, str], prefix: str) -> list[list[int]]:
    """A place for each candidate (the same place for a tie; blank leaves it unranked)."""
    places = [UNRANKED, *[str(i) for i in range(1, len(candidates) + 1)]]
    for c in candidates:
        with st.container(border=True):  # the statement first, then its place: phones stack
            st.text(f"{labels[c.id]}. {c.text}")
            st.selectbox(f"Place for {labels[c.id]}", places, key=f"{prefix}_{c.id}")
    return ranking_chosen(candidates, prefix)


def ranking_chosen(candidates: Sequence[Rankable], prefix: str) -> list[list[int]]:
    """The ranking as the widgets hold it now (a button's callback reads it here)."""
    chosen: dict[int, list[int]] = {}
    for c in candidates:
        place = st.session_state.get(f"{prefix}_{c.id}", UNRANKED)
        if place != UNRANKED:
            chosen.setdefault(int(str(place)), []).append(c.id)
    return [chosen[p] for p in sorted(chosen)]


SCALE = (0, 1, 2, 3, 4, 5)


def fist_to_five(prefix: str) -> tuple[dict[str, int], str]:
    """The four Step 4 questions, 0 (no way) to 5 (fully behind it), and a one-line concern.

    Nothing is chosen to start with: an answer nobody gave must not count as consent.
    """
    questions = {c.name: c.question for c in load_rubric("mission").criteria}
    st.caption("0 = I cannot support it, 3 = I can live with it, 5 = fully behind it.")
    for q in QUESTIONS:
        st.radio(
            questions[q],
            SCALE,
            index=None,
            horizontal=True,
            key=f"{prefix}_{q}",
        )
    st.text_input(
        "If any answer is below 3: what would change your mind? (one line)",
        key=f"{prefix}_concern",
        max_chars=200,
    )
    return answers_chosen(prefix)


def answers_chosen(prefix: str) -> tuple[dict[str, int], str]:
    """The answers given so far (unanswered questions are left out) and the concern."""
    scores = {
        q: int(v) for q in QUESTIONS if (v := st.session_state.get(f"{prefix}_{q}")) is not None
    }
    return scores, str(st.session_state.get(f"{prefix}_concern", ""))
