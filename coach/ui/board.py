"""The board of drafts, and the light read that tells a live screen when to redraw it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coach.domain.types import Draft
from coach.scoring.rubric import load_rubric
from coach.scoring.scorer import score_text
from coach.service.workshops import Board
from coach.ui import llm_panel, results
from coach.ui.common import services


def current(code: str) -> Board:
    """One light query per rerun or refresh; the full board (and round) only after a change."""
    svc = services()
    workshop = svc.workshops.find(code)
    cached: Board | None = st.session_state.get("board")
    if cached is None or cached.workshop != workshop:
        cached = svc.workshops.board(workshop)
        st.session_state["board"] = cached
        st.session_state["board_round"] = svc.consensus.current(workshop)
    return cached


def render(current: Board) -> None:
    total = len(current.entries)
    st.subheader("Drafts")
    if not total:
        st.info("Waiting for members: share the join code, or add people at this screen.")
        return
    st.progress(
        current.submitted / total, text=f"{current.submitted} of {total} members have submitted"
    )
    if not current.workshop.revealed:
        st.caption("Private until you reveal: the People table shows who has submitted.")
        return
    drafts = current.visible_drafts
    if not drafts:
        st.info("Revealed, but no drafts yet.")
        return
    if not current.workshop.scores_shown:
        st.caption("Scores are hidden on this screen: show them when the team is ready.")
        cols = st.columns(2)
        for i, d in enumerate(drafts):
            with cols[i % 2], st.container(border=True):
                st.text(f"👤 {d.member_name}")
                st.text(d.latest.text)
        return
    _scoreboard(drafts)
    cols = st.columns(2)
    for i, d in enumerate(drafts):
        with cols[i % 2], st.container(border=True):
            _card(d)


def status(submitted: bool, versions: int, deleted: bool) -> str:
    if deleted:
        return "removed"
    if not submitted:
        return "writing…"
    return "submitted ✓" + (f" ({versions} versions)" if versions > 1 else "")


def _scoreboard(drafts: list[Draft]) -> None:
    # Short names keep the table and the chart readable on one screen.
    labels = {
        c.name: c.name.replace("_", " ").capitalize() for c in load_rubric("mission").criteria
    }
    rows = [
        {
            "member": d.member_name,
            "overall": d.latest.scores.get("overall"),
            **{labels[k]: d.latest.scores.get(k) for k in labels},
            "versions": len(d.versions),
            "draft": d.latest.text,
        }
        for d in drafts
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        key="scoreboard",
        column_config={
            "overall": st.column_config.ProgressColumn(
                "overall", min_value=0, max_value=100, format="%d"
            )
        },
    )
    long = pd.DataFrame(
        [
            {"draft": d.member_name, "criterion": labels[k], "score": d.latest.scores.get(k, 0)}
            for d in drafts
            for k in labels
        ]
    )
    st.bar_chart(
        long,
        x="criterion",
        y="score",
        color="draft",
        stack=False,
        horizontal=True,
        height=120 + 18 * len(drafts) * len(labels) // 2,
    )


def _card(d: Draft) -> None:
    result = score_text(d.latest.text, "mission")
    st.text(f"👤 {d.member_name} · overall {result.overall} ({result.band})")
    results.marked(result)
    st.text(" · ".join(f"{c.label} {c.score} ({c.band})" for c in result.criteria.values()))
    results.tips(result)
    opinion = st.session_state.get("board_llm", {}).get(d.latest.text)
    if opinion is not None:
        st.text(llm_panel.feedback_line(opinion))
    if len(d.versions) > 1:
        with st.expander(f"History ({len(d.versions)} versions)"):
            st.dataframe(
                pd.DataFrame(
                    [
                        {"version": v.version, "overall": v.scores.get("overall"), "text": v.text}
                        for v in d.versions
                    ]
                ),
                hide_index=True,
                key=f"history_{d.id}",
            )
