"""The LLM's second opinion beside the rubric, on any page. Nothing here calls it on a rerun."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from coach.domain.limits import Window
from coach.llm.coaching import Coach, Feedback
from coach.llm.protocol import LLMError
from coach.ui.common import warn
from coach.ui.device import client_key, in_minutes

# LLM calls cost money: a browser may ask a dozen times in ten minutes, a workshop (every
# phone and the facilitator together) a hundred and fifty. Answers from the cache are free
# and do not count.
PER_CLIENT = Window(12, 600)
PER_WORKSHOP = Window(150, 600)


def budget_refusal(workshop_id: int | None, calls: int = 1) -> str | None:
    """None if this browser (and its workshop) may make `calls` more LLM calls now; else
    a sentence saying how long to wait."""
    who = client_key()
    for _ in range(calls):
        wait = PER_CLIENT.take(who)
        if wait is None and workshop_id is not None:
            wait = PER_WORKSHOP.take(f"w:{workshop_id}")
        if wait is not None:
            return (
                "The LLM coach has had many questions from here in the last ten minutes: "
                f"ask again in {in_minutes(wait)}. The rubric's scores and tips above stand."
            )
    return None


def feedback(
    coach: Coach,
    text: str,
    *,
    key: str,
    workshop_id: int | None = None,
    on_use: Callable[[str], None] | None = None,
) -> None:
    """A button that asks once; the answer stays in the session for this exact text."""
    if not coach.enabled:
        return
    held = st.session_state.get(f"{key}_llm")
    if held is not None and held[0] != text:
        held = None
    if st.button("Ask the LLM coach for a second opinion", key=f"{key}_ask"):
        if (refusal := budget_refusal(workshop_id)) is not None:
            warn(refusal)
            return
        with st.spinner("Asking the LLM coach…"):
            try:
                held = (text, coach.feedback(text, workshop_id=workshop_id))
            except LLMError as exc:
                warn(f"No LLM feedback this time: {exc} The rubric's scores above stand.")
                return
        st.session_state[f"{key}_llm"] = held
    if held is not None:
        show(held[1], key=key, on_use=on_use)


def show(fb: Feedback, *, key: str, on_use: Callable[[str], None] | None = None) -> None:
    st.caption(
        f"Second opinion from {fb.model}"
        + (" (cached)" if fb.cached else "")
        + ": shown beside the rubric, never replacing it."
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "criterion": s.label,
                    "LLM (1–5)": s.score,
                    "rubric (0–100)": s.rubric,
                    "LLM's reason": s.reason,
                }
                for s in fb.scores
            ]
        ),
        hide_index=True,
        key=f"{key}_llm_scores",
    )
    for note in fb.disagreements:
        st.info(f"The two disagree strongly. {note}.")
    for i, r in enumerate(fb.rewrites):
        with st.container(border=True):
            st.text(r.text)
            st.text(
                f"Rubric: overall {r.result.overall} · "
                + " · ".join(f"{c.label} {c.score}" for c in r.result.criteria.values())
            )
            if on_use is not None and st.button("Use this as my new version", key=f"{key}_use_{i}"):
                on_use(r.text)


def feedback_line(fb: Feedback | LLMError) -> str:
    """One line for a board card."""
    if isinstance(fb, LLMError):
        return f"LLM: no feedback ({fb})"
    line = "LLM: " + " · ".join(f"{s.label} {s.score}/5" for s in fb.scores)
    return line + (" · disagrees with the rubric" if fb.disagreements else "")
