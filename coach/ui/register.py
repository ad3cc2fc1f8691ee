"""Step 7's register: recommendations with an owner, a status, what each builds on (Step 3
ideas, Step 5 strengths, Step 6 commitments), and management's response (Step 8)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from coach.domain.items import REC_STATUSES, Item, Recommendation, Result
from coach.domain.types import Workshop
from coach.service.steps import StepView
from coach.ui import steps
from coach.ui.common import services


def table(recs: list[Recommendation], names: dict[str, dict[int, str]]) -> pd.DataFrame:
    """The register as rows a person reads: what each entry builds on, in words."""

    def said(kind: str, ids: tuple[int, ...]) -> str:
        return "; ".join(names[kind].get(i, "(removed)") for i in ids)

    return pd.DataFrame(
        [
            {
                "#": n,
                "recommendation": r.text,
                "owner": r.owner,
                "status": r.status,
                "builds on ideas": said("ideas", r.ideas),
                "strengths": said("strengths", r.strengths),
                "commitments": said("commitments", r.commitments),
                "management's response": r.response,
            }
            for n, r in enumerate(recs, 1)
        ]
    )


def linkable(workshop: Workshop) -> tuple[list[Item], list[Result], dict[int, str]]:
    svc = services()
    ideas = list(svc.steps.view(workshop, "image").items)  # revealed, not withdrawn
    core = svc.steps.results(workshop, "core")
    team = svc.commitments.team(workshop)
    commitments = {r.view.commitment.id: f"{r.person}: {r.view.commitment.text}" for r in team.rows}
    return ideas, core, commitments


def render(workshop: Workshop, view: StepView, key: str | None) -> None:
    st.subheader(view.info.result)
    svc = services().steps
    recs = svc.recommendations(workshop)
    ideas, core, commitments = linkable(workshop)
    names = {
        "ideas": {i.id: i.text for i in ideas},
        "strengths": {r.id: r.text for r in core},
        "commitments": commitments,
    }
    with st.form("register_add", clear_on_submit=True):
        st.caption("Add to the register: pick a member's recommendation, or write one.")
        picked = st.selectbox(
            "From a member's recommendation",
            [None, *view.items],
            format_func=lambda i: "(write a new one below)" if i is None else i.text,
            key="register_pick",
        )
        text = st.text_area("Or write it", key="register_text", height=70)
        owner = st.text_input("Owner (who takes it forward)", key="register_owner")
        if st.form_submit_button("Add to the register", type="primary"):
            body = text.strip() or (picked.text if picked else "")
            steps.run(
                partial(
                    svc.add_recommendation,
                    workshop.code,
                    key,
                    body,
                    owner,
                    [picked.id] if picked else [],
                ),
                "Added to the register.",
            )
            st.rerun()
    if not recs:
        st.info("The register is empty: add the team's recommendations above.")
        _taken_out(workshop, key)
        return
    st.dataframe(table(recs, names), hide_index=True, key="register_table")
    chosen = st.selectbox(
        "Edit an entry",
        recs,
        format_func=lambda r: r.text if len(r.text) < 80 else r.text[:79] + "…",
        key="register_edit_pick",
    )
    if chosen is not None:
        _edit(workshop, key, chosen, ideas, core, commitments)
    _taken_out(workshop, key)


def _edit(
    workshop: Workshop,
    key: str | None,
    rec: Recommendation,
    ideas: list[Item],
    core: list[Result],
    commitments: dict[int, str],
) -> None:
    with st.form(f"register_edit_{rec.id}"):
        owner = st.text_input("Owner", rec.owner, key=f"rec_owner_{rec.id}")
        status = st.selectbox(
            "Status", REC_STATUSES, REC_STATUSES.index(rec.status), key=f"rec_status_{rec.id}"
        )
        idea_ids = _links(
            "Builds on these Step 3 ideas", {i.id: i.text for i in ideas}, rec.ideas, rec.id
        )
        strength_ids = _links(
            "Builds on these Step 5 strengths", {r.id: r.text for r in core}, rec.strengths, rec.id
        )
        commitment_ids = _links(
            "Builds on these Step 6 commitments", commitments, rec.commitments, rec.id
        )
        save, remove = st.columns(2)
        if save.form_submit_button("Save", type="primary"):
            steps.run(
                partial(
                    services().steps.update_recommendation,
                    workshop.code,
                    key,
                    rec.id,
                    owner=owner,
                    status=status,
                    ideas=idea_ids,
                    strengths=strength_ids,
                    commitments=commitment_ids,
                ),
                "Saved.",
            )
            st.rerun()
        if remove.form_submit_button("Take it out of the register"):
            steps.run(
                partial(
                    services().steps.update_recommendation,
                    workshop.code,
                    key,
                    rec.id,
                    removed=True,
                ),
                "Taken out of the register: it can go back from the list below.",
            )
            st.rerun()


def _taken_out(workshop: Workshop, key: str | None) -> None:
    """Entries taken out of the register, each with a way back (a click can hurt)."""
    gone = services().steps.taken_out(workshop)
    if not gone:
        return
    with st.expander(f"Taken out of the register ({len(gone)})"):
        for rec_id, text in gone:
            words, back = st.columns([4, 1])
            words.text(text)
            if back.button("Put it back", key=f"rec_back_{rec_id}"):
                steps.run(
                    partial(services().steps.put_back_recommendation, workshop.code, key, rec_id),
                    "Back in the register.",
                )
                st.rerun()


def _links(label: str, options: dict[int, str], chosen: tuple[int, ...], rec_id: int) -> list[int]:
    """What an entry builds on, chosen from what the workshop has (by id, shown as text)."""
    return st.multiselect(
        label,
        list(options),
        [i for i in chosen if i in options],
        format_func=lambda i: options[i],
        key=f"rec_{label.split()[-1]}_{rec_id}",
    )
