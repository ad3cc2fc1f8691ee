"""The facilitator's screen for every step but Step 4: what members do, the reveal, and
the team's result (Steps 3 and 5), register (Step 7), assessment, commitments, follow-up.

Everything a person wrote is shown with st.text or a table: plain text, never markdown."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from coach.domain import assessment
from coach.domain.agenda import Agenda, info
from coach.domain.items import Item
from coach.domain.types import Workshop
from coach.domain.voting import Tally, top
from coach.service.steps import StepView
from coach.service.workshops import OnBehalf
from coach.ui import assessment_view, register, step_draft, steps, timer
from coach.ui.common import PAGES, services


def render(workshop: Workshop, agenda: Agenda, key: str | None) -> None:
    s = info(agenda.current)
    st.info(s.ask)
    if s.form:
        st.text(f"In the workshop's words: “{s.form}”")
    st.caption(s.team)
    if s.kind == "items":
        _items(workshop, agenda, key)
    elif s.kind == "assess":
        _framework(workshop, key)
        timer.controls(services().workshops, workshop, key, agenda.item("assess").minutes)
        team = services().commitments.team(workshop)
        assessment_view.render(services().steps.assessment(workshop, team.coverage))
    elif s.kind == "commit":
        _commitments(workshop, key)
    else:
        _followup(workshop, key)


def _framework(workshop: Workshop, key: str | None) -> None:
    """Which assessment the team uses: the six elements, or an organisation's own file."""
    found = assessment.frameworks()
    keys = list(found)
    if len(keys) == 1:
        st.caption(f"Assessment: {found[keys[0]].title}. {found[keys[0]].source}")
        return
    st.selectbox(
        "Assessment",
        keys,
        index=keys.index(workshop.framework) if workshop.framework in keys else 0,
        format_func=lambda k: found[k].title,
        key="assessment_choice",
        on_change=lambda: steps.run(
            partial(
                services().steps.set_framework,
                workshop.code,
                key,
                st.session_state["assessment_choice"],
            )
        ),
        help="Add your own as a file in COACH_ASSESSMENTS_DIR (see rubrics/assessments/).",
    )


def _items(workshop: Workshop, agenda: Agenda, key: str | None) -> None:
    svc = services().steps
    step = agenda.current
    view = svc.view(workshop, step, agenda)
    st.subheader(f"{view.writers} of {view.counted} have written")
    revealed = view.item.revealed
    st.button(
        "Hide the items" if revealed else "Reveal everyone's items",
        key=f"reveal_{step}",
        type="secondary" if revealed else "primary",
        on_click=steps.run,
        args=(partial(svc.set_revealed, workshop.code, key, step, not revealed),),
    )
    if not view.agreed:
        _on_behalf(workshop, view, key)
    if not revealed:
        st.caption("Items are private until you reveal them: screens show only who has written.")
        timer.controls(services().workshops, workshop, key, view.item.minutes)
    else:
        shown(view)
        step_draft.render(workshop, view, key)
    if step == "recommend":
        register.render(workshop, view, key)
    else:
        _result(workshop, view, key)


def _on_behalf(workshop: Workshop, view: StepView, key: str | None) -> None:
    """For someone without a phone: the facilitator types their item at this screen."""
    s = view.info
    members = [m for m in services().store.members(workshop.id) if m.counted]
    if not members:
        return
    with (
        st.expander("At this screen: enter an item for someone without a phone"),
        st.form(f"behalf_{s.key}", clear_on_submit=True),
    ):
        who = st.selectbox(
            "Who is writing?",
            members,
            format_func=lambda m: m.display_name,
            key=f"behalf_who_{s.key}",
        )
        text = st.text_area(s.label, key=f"behalf_text_{s.key}", height=80)
        example = (
            st.text_input(s.example_label, key=f"behalf_example_{s.key}") if s.example_label else ""
        )
        if st.form_submit_button("Add their item") and who is not None:
            steps.run(
                partial(
                    services().steps.add_item,
                    workshop.code,
                    OnBehalf(key, who.id),
                    s.key,
                    text,
                    example,
                ),
                f"Added for {who.display_name} (private until the reveal).",
            )
            st.rerun()


def shown(view: StepView) -> None:
    """The revealed items, with the themes they share."""
    if not view.items:
        st.info("Nobody has written anything in this step yet.")
        return
    found = view.themes()
    if found:
        st.text("Shared themes: " + ", ".join(f"{t.label} ({t.count})" for t in found[:8]))
    rows = [
        {
            "#": n,
            "member": i.member_name,
            "text": i.text,
            **({"example": i.example or "⚠ no example yet"} if view.info.example_label else {}),
        }
        for n, i in enumerate(view.items, 1)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"items_{view.info.key}")


def item_label(i: Item) -> str:
    text = i.text if len(i.text) <= 70 else i.text[:69] + "…"
    return f"{i.member_name}: {text}"


def _result(workshop: Workshop, view: StepView, key: str | None) -> None:
    svc = services().steps
    step = view.info.key
    st.subheader(view.info.result)
    several = len(view.results) > 1
    for r in view.results:
        letter = f"{view.label(r.id)}. " if several else ""
        st.text(letter + r.text + (f"\nFor example: {r.example}" if r.example else ""))
        if not view.agreed and not view.voting:
            steps.button(
                "Take this one out",
                partial(svc.remove_result, workshop.code, key, step, r.id),
                key=f"result_out_{r.id}",
            )
    if view.agreed:
        st.success("The team agreed this ✓. Everyone's phone shows it.")
        steps.button("Reopen it", partial(svc.reopen, workshop.code, key, step), key="reopen")
        return
    if several or view.voting:
        _vote(workshop, view, key)
    if not view.voting:
        _propose(workshop, view, key)
    if view.checking:
        _check_state(workshop, view, key)


def _vote(workshop: Workshop, view: StepView, key: str | None) -> None:
    """A ranked vote between the candidates, counted as Step 4's vote is (Schulze)."""
    svc = services().steps
    step = view.info.key
    if view.voting:
        st.text(f"Ranked vote: {view.ballots} of {view.counted} have ranked the candidates.")
        steps.button(
            "Close the vote",
            partial(svc.close_vote, workshop.code, key, step),
            key=f"close_vote_{step}",
            primary=True,
        )
        return
    if view.tally is not None:
        order = " > ".join(
            " = ".join(view.label(int(c)) for c in group) for group in view.tally.ranking
        )
        st.text(f"The vote ({view.tally.ballots} ballots): {order}")
        leaders = [int(c) for c in view.tally.winner]
        if not view.info.result_many:
            steps.button(
                f"Keep {' and '.join(view.label(i) for i in leaders)}, take the others out",
                partial(svc.keep, workshop.code, key, step, leaders),
                key=f"keep_{step}",
                primary=True,
            )
        elif len(view.results) > 2:
            _keep_top(workshop, view, view.tally, key)
    steps.button(
        "Open a ranked vote on these candidates",
        partial(svc.open_vote, workshop.code, key, step),
        key=f"open_vote_{step}",
    )
    if not view.info.result_many:
        st.caption("The check comes once one image is left: vote, or take the others out.")


def _keep_top(workshop: Workshop, view: StepView, tally: Tally, key: str | None) -> None:
    """Many candidates (Step 5's aspects): keep the vote's top N, in one press."""
    step = view.info.key
    narrow, _ = st.columns([1, 3])
    n = narrow.number_input(
        "How many to keep",
        min_value=1,
        max_value=len(view.results) - 1,
        value=min(3, len(view.results) - 1),
        key=f"keep_n_{step}",
    )
    kept = [int(c) for c in top(tally, int(n))]
    tie = " (a tie at the last place keeps both)" if len(kept) > n else ""
    steps.button(
        f"Keep {', '.join(view.label(i) for i in kept)}, take the others out{tie}",
        partial(services().steps.keep, workshop.code, key, step, kept),
        key=f"keep_top_{step}",
        primary=True,
    )


def _propose(workshop: Workshop, view: StepView, key: str | None) -> None:
    step = view.info.key
    many = view.info.result_many
    title = (
        "Add a core aspect"
        if many
        else ("Write another candidate image" if view.results else "Write the team's image")
    )
    with st.form(f"propose_{step}", clear_on_submit=True):
        st.caption(
            title + ": put it to the team, who answer with a fist-to-five on their phones "
            "(3 or more supports it). Several candidates can go to a ranked vote first; any "
            "change starts the check again."
        )
        text = st.text_area(title, key=f"propose_text_{step}", height=90)
        example = st.text_input("Its example", key=f"propose_example_{step}") if many else ""
        sources = st.multiselect(
            "Built from these items",
            view.items,
            format_func=item_label,
            key=f"propose_sources_{step}",
        )
        if st.form_submit_button("Put it to the team", type="primary"):
            steps.run(
                partial(
                    services().steps.propose,
                    workshop.code,
                    key,
                    step,
                    text,
                    example,
                    [i.id for i in sources],
                ),
                "Put to the team: phones ask for a fist-to-five now.",
            )
            st.rerun()


def _check_state(workshop: Workshop, view: StepView, key: str | None) -> None:
    answered = view.counted - len(view.missing)
    st.text(f"Fist-to-five: {answered} of {view.counted} have answered.")
    if view.missing:
        st.caption("Waiting for: " + ", ".join(m.display_name for m in view.missing))
    for member, check in view.below:
        st.text(f"{member.display_name} gives {check.score}: {check.concern}")
    ready = not (view.missing or view.below)
    st.button(
        "The team agrees",
        key=f"agree_{view.info.key}",
        type="primary",
        disabled=not ready,
        on_click=steps.run,
        args=(partial(services().steps.agree, workshop.code, key, view.info.key), "Agreed ✓"),
    )
    if not ready:
        st.caption("The team agrees once everyone here has answered, all with 3 or more.")


def _commitments(workshop: Workshop, key: str | None) -> None:
    team = services().commitments.team(workshop)
    people = len({r.person for r in team.rows})
    n = len(team.rows)
    st.subheader(
        f"{n} commitment{'' if n == 1 else 's'} from {people} "
        f"{'person' if people == 1 else 'people'}"
    )
    for gap in team.gaps:
        st.text(gap)
    core = services().steps.results(workshop, "core")
    if core:
        st.caption("The positive core the commitments can build on:")
        for r in core:
            st.text(f"• {r.text}")
    _team_link(workshop, key, "See every commitment on the Team commitments page")


def _followup(workshop: Workshop, key: str | None) -> None:
    due = workshop.followup_due
    st.subheader(f"Management follows up by {due:%d %B %Y}" if due else "No follow-up date yet")
    recs = services().steps.recommendations(workshop)
    answered = sum(bool(r.response) for r in recs)
    if recs:
        st.text(f"{answered} of {len(recs)} recommendations have management's response.")
    _team_link(
        workshop, key, "Set the date, give the manager their link, see responses: Team commitments"
    )


def _team_link(workshop: Workshop, key: str | None, label: str) -> None:
    st.page_link(
        PAGES["team"],
        label=label,
        icon="📋",
        query_params={"code": workshop.code, "key": key or ""},
    )
