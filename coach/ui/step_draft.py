"""With the LLM coach on: a first draft of Step 3's image or Step 7's recommendations from
the team's revealed items, each sentence citing the items it came from (checked first)."""

from __future__ import annotations

import hashlib
from functools import partial

import streamlit as st

from coach.domain.types import Workshop
from coach.llm.coaching import Drafted
from coach.service.steps import StepView
from coach.ui import llm_panel, steps
from coach.ui.common import services, warn

MOST = {"image": 3, "recommend": 5}


def render(workshop: Workshop, view: StepView, key: str | None) -> None:
    coach = services().coach
    s = view.info
    if not coach.enabled or not view.items or view.agreed:
        return
    items = view.items
    texts = [i.text for i in items]
    about = hashlib.sha256("\x00".join([s.key, *texts]).encode()).hexdigest()[:16]
    job = f"draft_{s.key}"
    if st.button(
        "Draft it with the LLM coach", key=job, disabled=llm_panel.asking(job), type="secondary"
    ):
        if (refusal := llm_panel.budget_refusal(workshop.id)) is not None:
            warn(refusal)
        else:
            wid = workshop.id
            llm_panel.start(
                job,
                about,
                lambda: coach.draft(
                    texts, what=s.result, guidance=s.team, most=MOST[s.key], workshop_id=wid
                ),
            )
    _, got, why = llm_panel.answer(job, about)
    if why is not None:
        warn(f"No LLM draft this time: {why}")
    elif got is not None:
        st.session_state[f"{job}_got"] = (about, got)
    held = st.session_state.get(f"{job}_got")
    if held is None or held[0] != about:  # the items changed: that draft is stale
        return
    drafted: Drafted = held[1]
    st.caption(
        f"Draft from {drafted.model}{' (cached)' if drafted.cached else ''}: each sentence "
        "cites the items it came from, by their # in the table above."
        + (
            f" {drafted.dropped} sentence(s) left out: they did not match the items they cited."
            if drafted.dropped
            else ""
        )
    )
    if not drafted.sentences:
        st.info("Nothing in the draft held up against the items it cited. Try again.")
        return
    svc = services().steps
    for n, (text, cited) in enumerate(drafted.sentences):
        st.text(f"{text}  [items {', '.join(f'#{c + 1}' for c in cited)}]")
        if s.key == "recommend":
            steps.button(
                "Add to the register",
                partial(
                    svc.add_recommendation,
                    workshop.code,
                    key,
                    text,
                    "",
                    [items[c].id for c in cited],
                ),
                key=f"draft_add_{n}",
                done="Added to the register.",
            )
    if s.key == "image":
        whole = " ".join(t for t, _ in drafted.sentences)
        sources = sorted({items[c].id for _, cited in drafted.sentences for c in cited})
        steps.button(
            "Put this draft to the team",
            partial(svc.propose, workshop.code, key, "image", whole, "", sources),
            key="draft_propose",
            primary=True,
            done="Put to the team: phones ask for a fist-to-five now.",
        )
