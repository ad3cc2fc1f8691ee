"""The team's commitments, their coverage of the service strategy, and management follow-up."""

from __future__ import annotations

from datetime import date
from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

from coach.domain import elements as elements_mod
from coach.errors import CoachError
from coach.service.commitments import Team
from coach.ui import facilitating, team_steps
from coach.ui.common import act, fail, link, services
from coach.ui.tab_memory import from_address


def render() -> None:
    svc = services()
    code = st.query_params.get("code", "")
    # A manager's link (read, feedback, date) unless this tab is the facilitator's.
    held = None if facilitating.in_session(code) else from_address("manager", "manager")
    if held is not None:
        st.title("The team's commitments")
        try:
            workshop, _ = svc.workshops.overseer(*held)
        except CoachError as exc:
            fail(exc)
            return
        key: str | None = held[1]
        st.caption(
            f"{workshop.name}: you are here as manager, to read the team's commitments, "
            "give feedback and keep the follow-up date."
        )
    else:
        opened = facilitating.open_workshop("The team's commitments", svc.workshops)
        if opened is None:
            return
        workshop, key = opened
        facilitating.nav(workshop.code, key or "", "team")
        _manager_link(workshop.code, key)
    team = svc.commitments.team(workshop)
    _followup(team, workshop.code, key, workshop.manager_email)
    if not team.rows:
        st.info(
            "No commitments yet. Members write theirs from their join page "
            '("Write my commitments").'
        )
    else:
        _commitments(team)
        _feedback(team, workshop.code, key)
    team_steps.render(workshop, key, team)


def _commitments(team: Team) -> None:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "person": r.person,
                    "commitment": r.view.commitment.text,
                    "overall": r.view.result.overall,
                    "status": r.view.commitment.status,
                    "due": r.view.commitment.due,
                    "cadence": r.view.commitment.cadence,
                    "partner": r.view.partner,
                    "line of sight": r.view.line_of_sight,
                }
                for r in team.rows
            ]
        ),
        hide_index=True,
        key="team_table",
    )
    _coverage(team)
    _kept(team)
    _ideas(team)


_MANAGER = "manager_link_shown"


def _manager_link(code: str, key: str | None) -> None:
    """The facilitator hands management a link of its own: no facilitator powers."""
    ws = services().workshops
    with st.expander("Manager's link (Step 8)", expanded=_MANAGER in st.session_state):
        st.caption(
            "A manager opens the team's commitments with it, gives feedback and keeps the "
            "follow-up date; it opens nothing else. Making a new one stops the old one."
        )
        shown = st.session_state.get(_MANAGER)
        if shown and shown[0] == code:
            st.code(link("team", code=code, manager=shown[1]), language=None)
            st.caption("Shown once: send it to the manager now.")
        left, right = st.columns(2)
        if left.button("Make a manager's link", key="manager_make"):
            try:
                st.session_state[_MANAGER] = (code, ws.manager_link(code, key))
            except CoachError as exc:
                fail(exc)
            else:
                st.rerun()
        if right.button("Revoke the manager's link", key="manager_revoke"):
            st.session_state.pop(_MANAGER, None)
            act(partial(ws.revoke_manager, code, key))


def _followup(team: Team, code: str, key: str | None, manager_email: str) -> None:
    st.subheader("Management follow-up (Step 8)")
    left = team.days_left()
    if left is None:
        st.caption("Set the date by which management gives feedback on these commitments.")
    elif left >= 0:
        st.info(f"Management feedback due by {team.followup_due:%Y-%m-%d}: {left} days left.")
    else:
        st.error(
            f"Management feedback was due {team.followup_due:%Y-%m-%d}: overdue by {-left} days."
        )
    email = st.text_input(
        "Manager's email, for a weekly reminder as the date comes near",
        value=manager_email,
        key="manager_email",
    )
    if st.button("Save the email", key="manager_email_save"):
        act(partial(services().commitments.set_manager_email, code, key, email))
    due = st.date_input(
        "Feedback due by",
        value=team.followup_due,
        key="followup_due",
        min_value=date(2000, 1, 1),
        format="YYYY-MM-DD",
    )
    if st.button("Save the date", key="followup_save"):
        act(partial(services().commitments.set_followup, code, key, due or None))


def _kept(team: Team) -> None:
    """Whether commitments are kept, week by week and per service element."""
    st.subheader("Kept, week by week")
    if not team.kept_weeks:
        st.caption("No check-ins yet: the rate appears once people check in on their commitments.")
        return
    st.caption("Kept: check-ins that say 'done' or 'in progress', out of all check-ins that week.")
    weeks = pd.DataFrame(
        [
            {"week": r.label, "check-ins": r.check_ins, "kept": r.kept, "kept rate": r.rate}
            for r in team.kept_weeks
        ]
    )
    st.altair_chart(
        alt.Chart(weeks)
        .mark_bar()
        .encode(
            x=alt.X("week:N", title=None),
            y=alt.Y("kept rate:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            tooltip=["week", "check-ins", "kept"],
        )
        .properties(height=220),
        key="kept_weeks_chart",
    )
    st.dataframe(
        weeks.assign(**{"kept rate": [f"{r:.0%}" for r in weeks["kept rate"]]}),
        hide_index=True,
        key="kept_weeks_table",
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "element": r.label,
                    "check-ins": r.check_ins,
                    "kept": r.kept,
                    "kept rate": f"{r.rate:.0%}" if r.check_ins else "-",
                }
                for r in team.kept_elements
            ]
        ),
        hide_index=True,
        key="kept_elements_table",
    )


def _ideas(team: Team) -> None:
    """004: how many new service ideas the team creates, tries and implements."""
    st.subheader("Service ideas: created, tried, implemented")
    f = team.funnel
    if not f.created:
        st.caption("No ideas yet: each person adds theirs on their commitments page.")
        return
    stages = pd.DataFrame(
        {"stage": ["created", "tried", "implemented"], "ideas": [f.created, f.tried, f.implemented]}
    )
    st.altair_chart(
        alt.Chart(stages)
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", sort=["created", "tried", "implemented"], title=None),
            x=alt.X("ideas:Q", title="ideas", axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=["stage", "ideas"],
        )
        .properties(height=150),
        key="ideas_funnel",
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "person": person or "Anonymous",
                    "idea": i.text,
                    "created": i.created_at.date().isoformat(),
                    "tried": i.tried_on.isoformat() if i.tried_on else "",
                    "implemented": i.implemented_on.isoformat() if i.implemented_on else "",
                }
                for person, i in team.ideas
            ]
        ),
        hide_index=True,
        key="ideas_table",
    )


def _coverage(team: Team) -> None:
    st.subheader("Coverage of the six elements of the service strategy")
    labels = {e.key: e.label for e in elements_mod.elements()}
    st.bar_chart(
        pd.DataFrame(
            {
                "element": [labels[k] for k in team.coverage],
                "commitments": list(team.coverage.values()),
            }
        ),
        x="element",
        y="commitments",
        horizontal=True,
    )
    for gap in team.gaps:
        st.warning(gap)


def _feedback(team: Team, code: str, key: str | None) -> None:
    st.subheader("Feedback from management")
    targets: list[int | None] = [None, *(r.view.commitment.id for r in team.rows)]
    names = {r.view.commitment.id: f"{r.person}: {r.view.commitment.text}" for r in team.rows}
    target = st.selectbox(
        "On",
        targets,
        key="feedback_target",
        format_func=lambda t: names[t] if t else "the team as a whole",
    )
    author = st.text_input("Your name", key="feedback_author")
    note = st.text_area("Feedback", key="feedback_note")
    if st.button("Record feedback", key="feedback_save"):
        act(partial(services().commitments.give_feedback, code, key, target, author, note))
    for f in team.feedback:
        about = names.get(f.commitment_id, "") if f.commitment_id else "the team"
        st.text(f"{f.created_at:%Y-%m-%d} · {f.author or 'Management'} on {about}: {f.note}")


render()
