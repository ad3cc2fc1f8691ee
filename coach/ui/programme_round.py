"""The organisation round on the programme page: start it, send each team's delegates,
follow the vote and check, and see the line of sight once a statement is adopted."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coach.domain.codes import format_code
from coach.domain.types import Programme
from coach.errors import CoachError
from coach.service.programmes import ProgrammeView
from coach.ui.common import fail, link, qr_png, services


def render(programme: Programme, key: str, view: ProgrammeView) -> None:
    st.subheader("The organisation's statement")
    svc = services().programmes
    state = view.round  # read with the dashboard, once per change of any team
    if state is None:
        ready = sum(t.statement is not None for t in view.teams)
        st.caption(
            f"{ready} of {len(view.teams)} teams have adopted a statement. The round turns "
            "each team's statement into a draft; each team's delegates (or everyone, by the "
            "round's join link) rank and check them."
        )
        runner_up = st.checkbox(
            "Add each team's runner-up too",
            key="round_runner_up",
            help="The statement each team ranked second in its vote becomes a draft as well.",
        )
        if st.button("Start the organisation round", key="round_start", disabled=ready < 2):
            try:
                svc.start_round(programme.code, key, runner_up=runner_up)
            except CoachError as exc:
                fail(exc)
            else:
                st.rerun()
        return
    st.link_button(
        "Facilitate the round: candidates, vote, four-criteria check",
        link("consensus", code=state.workshop.code, key=key),  # the key leaves the address
    )
    _everyone(state.workshop.joining_code)
    _delegates(programme, key, view, state.workshop.code)
    if state.candidates:
        st.dataframe(
            pd.DataFrame(
                [
                    {"candidate": letter, "text": text, "carries the ideas of": ", ".join(teams)}
                    for letter, text, teams in state.candidates
                ]
            ),
            hide_index=True,
            key="round_candidates",
        )
    if state.teams:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "team": t.team,
                        "delegates": ", ".join(t.delegates) or "none yet",
                        "answered the check": f"{t.answered} of {len(t.delegates)}",
                        "below 3": "; ".join(t.below),
                        "agrees": "✓" if t.agrees else "",
                    }
                    for t in state.teams
                ]
            ),
            hide_index=True,
            key="round_teams",
        )
    if state.adopted is not None:
        st.success("Adopted by every team's delegates:")
        st.text(state.adopted)
        _line_of_sight(view)
    elif state.workshop.adopted_id is not None:
        st.warning(
            "The round has adopted a statement, but not every team's delegates gave 3 or "
            "more on all four questions: it is not the organisation's statement yet."
        )


def _everyone(join_code: str) -> None:
    with st.expander("Everyone votes: the round's join link and QR code"):
        st.caption(
            "Show it to the whole room, or send it: each person joins with their name and "
            "chooses their team, and counts as one of that team's delegates. The statement "
            "then needs 3 or more on all four questions from everyone who joined."
        )
        url = link("join", code=join_code)
        st.subheader(f"Join code {format_code(join_code)}")
        st.code(url, language=None)
        st.image(qr_png(url), width=360)


def _delegates(programme: Programme, key: str, view: ProgrammeView, round_code: str) -> None:
    with st.form("delegate_form", clear_on_submit=True):
        team = st.selectbox(
            "Team", view.teams, format_func=lambda t: t.workshop.name, key="delegate_team"
        )
        name = st.text_input("Delegate's name", key="delegate_name")
        if st.form_submit_button("Add a delegate") and team is not None:
            try:
                member = services().programmes.add_delegate(
                    programme.code, key, team.workshop.id, name
                )
            except CoachError as exc:
                fail(exc)
            else:
                st.session_state.setdefault("delegate_links", {})[member.display_name] = link(
                    "join", code=round_code, member=member.token
                )
                st.rerun()  # the tables above show the new delegate
    for who, url in st.session_state.get("delegate_links", {}).items():
        st.text(f"{who}: send this link (shown here only)")
        st.code(url, language=None)


def _line_of_sight(view: ProgrammeView) -> None:
    st.subheader("Line of sight")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "team": t.workshop.name,
                    "statement": t.statement or "(none adopted)",
                    "links up to the organisation's": "✓" if t.links_up else "no",
                    "people whose commitments link to nothing": ", ".join(t.unlinked),
                }
                for t in view.teams
            ]
        ),
        hide_index=True,
        key="line_of_sight",
    )
