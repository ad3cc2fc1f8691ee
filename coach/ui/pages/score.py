"""Score one statement: a mission draft or a personal commitment."""

from __future__ import annotations

import streamlit as st

from coach.errors import CoachError
from coach.scoring.rubric import load_sectors
from coach.scoring.scorer import score_text
from coach.ui import llm_panel, results
from coach.ui.common import fail, services, warn

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
    sectors = load_sectors()
    names = {s.name: s.label for s in sectors.sectors}
    sector = st.selectbox(
        "Your sector (for the tips' examples)",
        list(names),
        format_func=names.__getitem__,
        index=None,
        placeholder="Guess it from my words",
        key="score_sector",
        help="A bank gets a bank example, a hospital a hospital one.",
    )
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
        result = score_text(text, rubric, mission or None, sector)
    except CoachError as exc:
        fail(exc)
        return
    results.full(result, key="score")
    svc = services()
    if rubric == "mission":
        llm_panel.feedback(svc.coach, text, key="score")
    elif svc.coach.enabled:
        about = f"{text}\n{mission or ''}"
        if st.button(
            "Ask the LLM coach for a sharper rewrite",
            key="commitment_llm",
            disabled=llm_panel.asking("commitment_llm"),
        ):
            if (refusal := llm_panel.budget_refusal(None)) is not None:
                warn(refusal)
                return
            coach = svc.coach
            llm_panel.start(
                "commitment_llm", about, lambda: coach.rewrite_commitment(text, mission or "")
            )
        _, got, why = llm_panel.answer("commitment_llm", about)
        if why is not None:
            warn(f"No LLM rewrite this time: {why}")
            return
        if got is not None:
            st.session_state["commitment_llm_answer"] = (about, got)
        held = st.session_state.get("commitment_llm_answer")
        better = held[1] if held is not None and held[0] == about else None
        if better is not None:
            st.text(better.text)
            st.text(f"Why: {better.why}")
            st.text(f"Rubric: overall {better.result.overall} (yours {result.overall})")


render()
