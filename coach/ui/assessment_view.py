"""The team's self-assessment of current practice: the spread per element, and the gaps
(an element everyone rates low that nobody commits to)."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from coach.domain.assessment import ElementSpread, gap_line
from coach.ui.common import warn


def rows(spread: tuple[ElementSpread, ...]) -> list[dict[str, object]]:
    return [
        {
            "element": e.label,
            "answers": len(e.ratings),
            "mean": round(e.mean, 1) if e.mean is not None else None,
            "lowest": min(e.ratings) if e.ratings else None,
            "highest": max(e.ratings) if e.ratings else None,
            "spread": e.spread if e.ratings else None,
            "commitments": e.commitments,
            "recommendations": e.recommendations,
        }
        for e in spread
    ]


def render(spread: tuple[ElementSpread, ...], *, key: str = "assessment") -> None:
    st.subheader("How the team rates current practice (1 to 5)")
    if not any(e.ratings for e in spread):
        st.info("No ratings yet: members rate each element on their phones.")
        return
    shown = [{k: "" if v is None else v for k, v in r.items()} for r in rows(spread)]
    st.dataframe(pd.DataFrame(shown), hide_index=True, key=f"{key}_table")
    gaps = [e for e in spread if e.gap]
    for e in gaps:
        warn(gap_line(e))
    if not gaps:
        st.caption("No element that everyone rates low is left without a commitment.")
    split = [e for e in spread if e.spread >= 3]
    if split:
        st.caption("Views differ most on: " + ", ".join(e.label for e in split) + ". Worth a talk.")
    comments = [(e.label, c) for e in spread for c in e.comments]
    if comments:
        with st.expander(f"Comments ({len(comments)})"):
            for label, comment in comments:
                st.text(f"{label}: {comment}")


def projected(spread: tuple[ElementSpread, ...]) -> str:
    """The spread as a large HTML table for the projector (every text escaped)."""
    body = "".join(
        f"<tr><td>{html.escape(e.label)}{' ⚠' if e.gap else ''}</td>"
        f"<td>{len(e.ratings)}</td>"
        f"<td>{e.mean:.1f}</td><td>{min(e.ratings)}–{max(e.ratings)}</td>"
        f"<td>{e.commitments}</td></tr>"
        if e.ratings
        else f"<tr><td>{html.escape(e.label)}</td><td>0</td><td></td><td></td>"
        f"<td>{e.commitments}</td></tr>"
        for e in spread
    )
    head = (
        "<tr><th>Element</th><th>Answers</th><th>Mean</th><th>Range</th><th>Commitments</th></tr>"
    )
    return f'<table class="mc-table">{head}{body}</table>'
