"""A member's phone in every step but Step 4: write items privately, see them revealed,
answer the fist-to-five on the team's result, rate current practice, go to commitments.

What people wrote is shown with st.text: plain text, never markdown."""

from __future__ import annotations

from functools import partial

import streamlit as st

from coach.domain import assessment
from coach.domain.agenda import Agenda, StepInfo, info
from coach.domain.types import Member, Workshop
from coach.scoring.scorer import score_text
from coach.scoring.view import md_escape
from coach.service.steps import StepView
from coach.ui import ballot_widgets, live, steps, timer
from coach.ui.common import PAGES, services


def render(workshop: Workshop, member: Member, agenda: Agenda) -> None:
    live.follow(workshop, "all", member=member)  # the room moving on, reveal, results
    s = info(agenda.current)
    st.subheader(s.title)
    timer.show(workshop, key="timer_phone")
    steps.flash()
    if s.kind == "items":
        _items(workshop, member, agenda, s)
    elif s.kind == "assess":
        _assess(workshop, member)
    elif s.kind == "commit":
        _commit(workshop, member)
    else:
        st.info(s.ask)
        st.text("Your commitments and the team's recommendations go to management now.")
        _commitments_button(workshop, member)


def _items(workshop: Workshop, member: Member, agenda: Agenda, s: StepInfo) -> None:
    svc = services().steps
    item = agenda.item(s.key)
    st.info(s.ask)
    if s.form:
        st.caption(md_escape(f"For instance: “{s.form}”"))
    open_ = item.agreed_at is None
    view = svc.view(workshop, s.key, agenda)
    if view.results:  # what the team is deciding now comes first; own items step back
        _result(workshop, member, view)
        with st.expander("My items", expanded=False):
            _own(workshop, member, s, open_)
    else:
        _own(workshop, member, s, open_)
    if item.revealed:
        with st.expander(f"Everyone's items ({len(view.items)})", expanded=not view.results):
            for it in view.items:
                example = f" (e.g. {it.example})" if it.example else ""
                st.text(f"{it.member_name}: {it.text}{example}")
    else:
        st.caption(
            f"{view.writers} of {view.counted} have written. Items stay private until "
            "the facilitator reveals them."
        )


def _own(workshop: Workshop, member: Member, s: StepInfo, open_: bool) -> None:
    """The member's own items, with a tip each, and the box for one more."""
    svc = services().steps
    mine = svc.own_items(workshop, member, s.key)
    if mine:
        st.text(f"You wrote {len(mine)} of at most {s.max_items}:")
    for it in mine:
        st.text(it.text + (f"\nFor example: {it.example}" if it.example else ""))
        if s.example_label and it.needs_example:
            st.warning("This one has no example yet: withdraw it and add it again with one.")
        if s.rubric:
            _tips(s.rubric, it.text)
        if open_:
            steps.button(
                "Withdraw",
                partial(svc.withdraw_item, workshop.code, member.token, it.id),
                key=f"withdraw_{it.id}",
            )
    if open_ and len(mine) < s.max_items:
        _add(workshop, member, s)


def _tips(rubric: str, text: str) -> None:
    """The step's rubric on this item: the first tip, if any (scored once per text)."""
    result = score_text(text, rubric)  # cached by text inside the scorer
    found = [t for c in result.criteria.values() for t in c.tips]
    if found:
        st.caption(md_escape("Tip: " + found[0].text))


def _add(workshop: Workshop, member: Member, s: StepInfo) -> None:
    with st.form(f"add_item_{s.key}", clear_on_submit=True):
        text = st.text_area(s.label, key=f"item_text_{s.key}", height=90)
        example = (
            st.text_input(s.example_label, key=f"item_example_{s.key}") if s.example_label else ""
        )
        if st.form_submit_button("Add", type="primary"):
            steps.run(
                partial(
                    services().steps.add_item, workshop.code, member.token, s.key, text, example
                ),
                "Added ✓ (private until the reveal).",
            )
            st.rerun()


def _result(workshop: Workshop, member: Member, view: StepView) -> None:
    """The candidates the team is deciding on: a ranked vote, then the fist-to-five."""
    s = view.info
    st.subheader(s.result)
    several = len(view.results) > 1
    if view.voting:
        _rank(workshop, member, view)
        return
    for r in view.results:
        letter = f"{view.label(r.id)}. " if several else ""
        st.text(letter + r.text + (f"\nFor example: {r.example}" if r.example else ""))
    if view.agreed:
        st.success("The team agreed this ✓")
        return
    if not view.checking:
        st.caption("The facilitator is narrowing the candidates to one: this page follows.")
        return
    svc = services().steps
    mine = svc.own_check(workshop, member, s.key)
    st.caption(
        "Can you support it? Show 0 to 5 fingers: 3 or more supports it; below 3, say what "
        "would have to change."
    )
    with st.form(f"check_{s.key}"):
        score = st.radio(
            "Fingers",
            range(6),
            index=mine.score if mine else None,
            horizontal=True,
            key=f"fist_{s.key}",
        )
        concern = st.text_input(
            "What would have to change (needed below 3)",
            mine.concern if mine else "",
            key=f"fist_concern_{s.key}",
        )
        if st.form_submit_button("Send my answer", type="primary"):
            if score is None:
                st.error("Choose 0 to 5 fingers first.")
            else:
                steps.run(
                    partial(svc.check, workshop.code, member.token, s.key, int(score), concern),
                    "Answer sent ✓",
                )
                st.rerun()
    if mine:
        st.caption(f"Your answer: {mine.score}. You can change it until the team agrees.")


def _rank(workshop: Workshop, member: Member, view: StepView) -> None:
    svc = services().steps
    step = view.info.key
    st.caption("Rank the candidates: 1 for your first choice. Leave out any you cannot rank.")
    labels = {r.id: view.label(r.id) for r in view.results}
    prefix = f"step_rank_{step}"
    chosen = ballot_widgets.ranking(view.results, labels, prefix)
    if st.button("Send my ranking", key=f"send_rank_{step}", type="primary"):
        steps.run(partial(svc.rank, workshop.code, member.token, step, chosen), "Ranking saved ✓")
        st.rerun()
    mine = svc.own_ballot(workshop, member, step)
    if mine:
        said = " > ".join(" = ".join(labels.get(i, "?") for i in g) for g in mine)
        st.caption(f"Your ranking: {said}. You can change it until the vote closes.")


def _assess(workshop: Workshop, member: Member) -> None:
    fw = assessment.framework(workshop.framework)
    st.info(info("assess").ask)
    mine = services().steps.own_ratings(workshop, member)
    rated = sum(1 for e in fw.element if (fw.key, e.key) in mine)
    if rated:
        st.caption(f"You have rated {rated} of {len(fw.element)}. You can change your ratings.")
    answers: dict[str, tuple[int, str]] = {}
    with st.form("assess_form"):
        for e in fw.element:
            had = mine.get((fw.key, e.key))
            st.text(f"{e.label}: {e.question}")
            rating = st.radio(
                e.label,
                range(1, 6),
                index=had.rating - 1 if had else None,
                horizontal=True,
                key=f"rate_{e.key}",
                label_visibility="collapsed",
            )
            comment = st.text_input(
                "Comment (optional)", had.comment if had else "", key=f"rate_note_{e.key}"
            )
            if rating is not None:
                answers[e.key] = (int(rating), comment)
        st.caption(" · ".join(f"{n} = {w}" for n, w in enumerate(fw.scale, 1)))
        if st.form_submit_button("Save my ratings", type="primary"):
            steps.run(
                partial(services().steps.rate_all, workshop.code, member.token, answers),
                f"Saved ✓ ({len(answers)} of {len(fw.element)} rated).",
            )
            st.rerun()


def _commit(workshop: Workshop, member: Member) -> None:
    st.info(info("commit").ask)
    st.caption(md_escape(f"For instance: “{info('commit').form}”"))
    core = services().steps.results(workshop, "core")
    if core:
        st.text("Build on what the team is already good at:")
        for r in core:
            st.text(f"• {r.text}")
    _commitments_button(workshop, member)


def _commitments_button(workshop: Workshop, member: Member) -> None:
    if st.button("Write my commitments (Step 6)", key="my_commitments_step", type="primary"):
        plan = services().commitments.for_member(workshop, member)
        st.switch_page(PAGES["commitments"], query_params={"plan": plan.token})
