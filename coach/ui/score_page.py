"""Score one statement: a mission draft or a personal commitment."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coach import view
from coach.errors import CoachError
from coach.scoring import ScoreResult, score_text

KINDS = {"Mission statement": "mission", "Commitment": "commitment"}
PLACEHOLDER = {
    "mission": "e.g. We welcome every guest like family and make each visit the best part "
    "of their day.",
    "commitment": "e.g. I promise to call back every customer who leaves a voicemail within "
    "2 hours, and thank one colleague for great service every Friday.",
}


def render() -> None:
    st.title("Score a statement")
    st.caption(
        "A transparent, offline rubric: every score shows the words behind it and what to try next."
    )
    kind_label = st.radio("What are you writing?", list(KINDS), horizontal=True, key="score_kind")
    rubric = KINDS[str(kind_label)]
    mission = None
    if rubric == "commitment":
        mission = st.text_input(
            "Your team's mission statement (optional)",
            key="score_mission",
            help="With the mission, the coach checks each commitment's line of sight to it.",
        )
    text = st.text_area(
        "Your statement" if rubric == "mission" else "Your commitment",
        key=f"score_text_{rubric}",
        placeholder=PLACEHOLDER[rubric],
        height=110,
        help="One sentence. Press Ctrl+Enter or Score to see the result.",
    )
    st.button("Score", type="primary", key="score_button")

    if not text.strip():
        st.info(
            "Write or paste one sentence above and press **Score**. "
            "The coach checks it against the workshop's criteria and suggests concrete fixes."
        )
        return
    try:
        result = score_text(text, rubric, mission or None)
    except CoachError as exc:
        st.error(str(exc))
        return
    show_result(result)


def show_result(result: ScoreResult) -> None:
    head, *_ = st.columns([1, 2])
    head.metric("Overall", f"{result.overall}/100", help="The weighted mean of the criteria.")
    st.badge(f"{result.band.capitalize()} overall", color=view.BAND_COLOR[result.band])
    for flag in result.flags:
        st.warning(flag.message, icon="⚠️")

    cols = st.columns(len(result.criteria))
    for col, (_name, c) in zip(cols, result.criteria.items(), strict=True):
        with col:
            st.metric(c.label, c.score, help=c.question)
            st.progress(c.score / 100)
            st.badge(c.band, color=view.BAND_COLOR[c.band])

    st.subheader("What the coach saw")
    st.text(view.marked_text(result.text, view.all_evidence(result)))
    st.caption("Words in ⟦ ⟧ triggered a check; the table says which and why.")

    if result.actions:
        st.subheader("Each action")
        st.dataframe(pd.DataFrame(view.action_rows(result)), hide_index=True, key="actions_df")

    st.subheader("Tips")
    tips = [(c.label, t) for c in result.criteria.values() for t in c.tips]
    if not tips:
        st.success("Nothing to fix: every criterion is strong.")
    for label, tip in tips:
        st.text(f"→ {label}: {tip}")

    rows = view.evidence_rows(result)
    with st.expander(f"Evidence ({len(rows)})", expanded=False):
        if rows:
            frame = pd.DataFrame(rows).drop(columns=["_key"])
            st.dataframe(frame, hide_index=True, key="evidence_df")
        else:
            st.text("No check fired on this text.")
