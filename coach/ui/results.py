"""How a score result looks on any page: plain text for everything a person wrote."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from coach.scoring import view
from coach.scoring.scorer import ScoreResult, score_text


def scores_row(result: ScoreResult) -> None:
    """The criterion scores side by side, each with its band and question."""
    cols = st.columns(len(result.criteria))
    for col, c in zip(cols, result.criteria.values(), strict=True):
        with col:
            st.metric(c.label, c.score, help=c.question)
            st.progress(c.score / 100)
            st.badge(c.band, color=view.BAND_COLOR[c.band])


def marked(result: ScoreResult) -> None:
    st.text(view.marked_text(result.text, view.all_evidence(result)))


def tips(result: ScoreResult) -> None:
    found = [(c.label, t) for c in result.criteria.values() for t in c.tips]
    if not found:
        if any(f.code == "not_english" for f in result.flags):
            st.info("No tips: the offline coach gives tips on English drafts only.")
        elif all(c.band == "strong" for c in result.criteria.values()):
            st.success("Nothing to fix: every criterion is strong.")
        else:
            st.info("No tip points at a word here: the scores above show where it can grow.")
    for label, tip in found:
        st.text(f"→ {label}: {tip.text}")
        if tip.rewrite:
            st.caption("With this tip applied:")
            st.text(f"   {tip.rewrite}")


def evidence_table(result: ScoreResult, key: str) -> None:
    rows = view.evidence_rows(result)
    with st.expander(f"Evidence ({len(rows)})", expanded=False):
        if rows:
            st.dataframe(pd.DataFrame(rows).drop(columns=["_key"]), hide_index=True, key=key)
        else:
            st.text("No check fired on this text.")


def full(result: ScoreResult, key: str = "result") -> None:
    """Overall, flags, criteria, the marked text, tips and the evidence table."""
    head, *_ = st.columns([1, 2])
    head.metric("Overall", f"{result.overall}/100", help="The weighted mean of the criteria.")
    st.badge(f"{result.band.capitalize()} overall", color=view.BAND_COLOR[result.band])
    for flag in result.flags:
        st.warning(flag.message, icon="⚠️")
    scores_row(result)
    st.subheader("What the coach saw")
    marked(result)
    st.caption("Words in ⟦ ⟧ triggered a check; the evidence table says which and why.")
    if result.actions:
        st.subheader("Each action")
        st.dataframe(pd.DataFrame(view.action_rows(result)), hide_index=True, key=f"{key}_actions")
    st.subheader("Tips")
    tips(result)
    evidence_table(result, key=f"{key}_evidence")


def adopted(text: str, note: str) -> None:
    """The team's statement, large, with its scores: escaped, so shown exactly as typed."""
    st.html(
        '<div style="font-size:1.5rem;font-weight:600;padding:1rem;border-radius:.5rem;'
        f'background:#eef7ee">{html.escape(text)}</div>'
    )
    st.caption(note)
    scores_row(score_text(text, "mission"))
