"""The rest of the workshop on the team's page, for the facilitator and the manager: the
image, the positive core, the assessment, and the register with management's responses."""

from __future__ import annotations

from functools import partial

import streamlit as st

from coach.domain.types import Workshop
from coach.service.commitments import Team
from coach.ui import assessment_view, register, steps
from coach.ui.common import services


def render(workshop: Workshop, secret: str | None, team: Team) -> None:
    svc = services().steps
    agenda = svc.agenda(workshop)
    image = svc.results(workshop, "image")
    core = svc.results(workshop, "core")
    if image or core:
        st.subheader("What the team agreed")
        for r in image:
            st.caption("Image of the future (Step 3)")
            st.text(r.text)
        if core:
            st.caption("Positive core (Step 5)")
            for r in core:
                st.text(f"• {r.text}" + (f" (for example: {r.example})" if r.example else ""))
    if agenda.on("assess"):
        assessment_view.render(svc.assessment(workshop, team.coverage), key="team_assessment")
    recs = svc.recommendations(workshop)
    if not recs:
        return
    st.subheader("Recommendations: management's response (Step 8)")
    ideas, core_items, commitments = register.linkable(workshop)
    names = {
        "ideas": {i.id: i.text for i in ideas},
        "strengths": {r.id: r.text for r in core_items},
        "commitments": commitments,
    }
    st.dataframe(register.table(recs, names), hide_index=True, key="team_register")
    unanswered = [r for r in recs if not r.response]
    st.caption(f"{len(recs) - len(unanswered)} of {len(recs)} have a response.")
    chosen = st.selectbox(
        "Respond to",
        recs,
        format_func=lambda r: ("✓ " if r.response else "") + r.text,
        key="respond_pick",
    )
    if chosen is None:
        return
    with st.form(f"respond_{chosen.id}", clear_on_submit=False):
        text = st.text_area("Management's response", chosen.response, key=f"response_{chosen.id}")
        if st.form_submit_button("Save the response", type="primary"):
            steps.run(
                partial(svc.respond, workshop.code, secret, chosen.id, text),
                "Response saved: the team sees it on the record.",
            )
            st.rerun()
    steps.flash()
