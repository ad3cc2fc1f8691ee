"""The facilitator's road to one statement: themes, candidates, vote, check, adopt."""

from __future__ import annotations

import streamlit as st

from coach.errors import CoachError
from coach.ui import consensus_parts as parts
from coach.ui import consensus_result, consensus_steps, facilitating, steps
from coach.ui.common import PAGES, fail, services


def render() -> None:
    svc = services()
    found = facilitating.current()
    if found is None:
        facilitating.ask("Toward consensus")
        return
    code, key = found
    st.title("Toward consensus")
    try:
        workshop = svc.workshops.facilitator(code, key)
    except CoachError as exc:
        fail(exc)
        return
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
    facilitating.nav(workshop.code, key or "", "consensus")
    ctx = parts.Context.load(svc.consensus, svc.coach, svc.commitments, workshop, key or "")
    parts.adopted_banner(ctx)
    st.caption(parts.round_caption(ctx))
    steps.flash()
    themes, candidates, vote, check, result = st.tabs(
        ["Shared themes", "Candidates", "Ranked vote", "Four-criteria check", "Result & export"]
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
