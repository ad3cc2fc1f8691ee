"""The facilitator's road to one statement: themes, candidates, vote, check, adopt."""

from __future__ import annotations

import streamlit as st

from coach.ui import consensus_parts as parts
from coach.ui import consensus_result, consensus_steps, facilitating, live, steps
from coach.ui.common import PAGES, services


def render() -> None:
    svc = services()
    opened = facilitating.open_workshop("Toward consensus", svc.workshops)
    if opened is None:
        return
    workshop, key = opened
    if not workshop.revealed:
        st.info(
            "Reveal the drafts on the facilitator screen first: the team builds candidates "
            "from what everyone wrote."
        )
        st.page_link(
            PAGES["workshop"],
            label="Back to the drafts",
            icon="🧑‍🏫",
            query_params={"code": workshop.code, "key": key or ""},
        )
        return
    live.follow(workshop, "all")  # ballots and answers as they come in
    facilitating.nav(workshop.code, key or "", "consensus")
    ctx = parts.Context.load(svc.consensus, svc.coach, svc.commitments, workshop, key or "")
    # Fixed slots: what comes and goes above the tabs never moves them on the page.
    with st.container():
        parts.adopted_banner(ctx)
    st.caption(parts.round_caption(ctx))
    with st.container():
        steps.flash()
    # Keyed and tracked by the server (on_change="rerun"), so a live redraw, or a message
    # coming or going above them, never sends the facilitator back to the first tab.
    themes, candidates, vote, check, result = st.tabs(
        ["Shared themes", "Candidates", "Ranked vote", "Four-criteria check", "Result & export"],
        key="consensus_tabs",
        on_change="rerun",
    )
    with themes:
        parts.themes_tab(ctx)
    with candidates:
        parts.candidates_tab(ctx)
    with vote:
        consensus_steps.vote_tab(ctx)
    with check:
        consensus_steps.check_tab(ctx)
    with result:
        consensus_result.result_tab(ctx)


render()
