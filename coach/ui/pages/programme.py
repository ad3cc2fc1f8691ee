"""A programme: an organisation's event with many team workshops, for its lead. Start one,
add teams (each gets a facilitator link to hand on), and follow every team live."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from coach.domain.codes import format_code
from coach.domain.types import Programme
from coach.errors import CoachError, InputError
from coach.exports import programme as exports
from coach.exports.programme import ProgrammeRecord
from coach.service.programmes import ProgrammeView
from coach.ui import programme_round
from coach.ui.common import fail, link, services
from coach.ui.device import creation_refusal
from coach.ui.tab_memory import from_address

REFRESH_S = 2  # the dashboard asks every 2 s whether any team changed (one light read)


def render() -> None:
    st.title("Programme")
    held = from_address("lead", "programme")
    if held is None:
        _start()
        return
    try:
        programme = services().programmes.lead(*held)
    except CoachError as exc:
        fail(exc)
        return
    st.text(" · ".join(x for x in (programme.name, programme.organisation) if x))
    _created_link(programme)
    _dashboard(programme, held[1])  # what the lead watches comes first
    shown = st.session_state.get("programme_view")  # what the dashboard just drew
    _add_team(programme, held[1], first=shown is None or not shown[1].teams)


def _start() -> None:
    st.caption(
        "A programme holds many team workshops of one organisation: you add the teams, hand "
        "each facilitator their link, and follow every team here."
    )
    with st.form("programme_form"):
        name = st.text_input("Programme name", key="programme_name")
        org = st.text_input("Organisation (optional)", key="programme_org")
        if st.form_submit_button("Create programme", type="primary"):
            try:
                if (refusal := creation_refusal("workshop")) is not None:
                    raise InputError(refusal)
                programme, key = services().programmes.create(name, org)
            except CoachError as exc:
                fail(exc)
            else:
                st.session_state["programme_new"] = (programme.code, key)
                st.query_params["code"] = programme.code
                st.query_params["lead"] = key
                st.rerun()


def _created_link(programme: Programme) -> None:
    new = st.session_state.get("programme_new")
    if new and new[0] == programme.code:
        st.warning(
            "Save your lead link now: it is shown once, and it is the only way back to this "
            "programme."
        )
        st.code(link("programme", code=programme.code, lead=new[1]), language=None)


def _add_team(programme: Programme, key: str, *, first: bool) -> None:
    with (
        # Open while the lead is adding teams (this session has added one), or has none.
        st.expander("Add a team", expanded=first or bool(st.session_state.get("team_links"))),
        st.form("team_form", clear_on_submit=True),
    ):
        name = st.text_input("Team name", key="team_name")
        focus = st.text_input("Focus (optional)", key="team_focus")
        if st.form_submit_button("Add team", type="primary"):
            try:
                team, team_key = services().programmes.add_team(programme.code, key, name, focus)
            except CoachError as exc:
                fail(exc)
            else:
                st.session_state["team_links"] = st.session_state.get("team_links", {}) | {
                    team.name: link("workshop", code=team.code, key=team_key)
                }
    links = st.session_state.get("team_links", {})
    if links:
        with st.expander(f"Facilitator links to hand on ({len(links)}, shown once)", True):
            for name, url in links.items():
                st.text(name)
                st.code(url, language=None)


@st.fragment(run_every=REFRESH_S)
def _dashboard(programme: Programme, key: str) -> None:
    """Every team, redrawn when any of them changes."""
    svc = services().programmes
    seen = (programme.id, svc.revision(programme))
    held = st.session_state.get("programme_view")
    if held is None or held[0] != seen:
        held = (seen, svc.view(programme))
        st.session_state["programme_view"] = held
    view: ProgrammeView = held[1]
    if not view.teams:
        st.info("No teams yet: add the first above.")
        return
    st.subheader(f"{len(view.teams)} teams")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "team": t.workshop.name,
                    "stage": t.stage,
                    "mission statement": t.statement or "",
                    "image": " / ".join(t.image),
                    "core aspects": len(t.core),
                    "commitments": t.commitments,
                    "recommendations": len(t.recommendations),
                }
                for t in view.teams
            ]
        ),
        hide_index=True,
        key="programme_teams",
    )
    st.subheader("Themes teams share")
    if not view.themes:
        st.caption("No phrase is shared by two teams yet.")
    for theme in view.themes:
        st.text(f"{theme.label}: {', '.join(theme.teams)}")
    st.subheader("The six elements across teams")
    st.dataframe(
        pd.DataFrame(
            [
                {"element": label, "commitments": n, "teams": ", ".join(teams)}
                for label, n, teams in view.coverage
            ]
        ),
        hide_index=True,
        key="programme_coverage",
    )
    if view.uncovered:
        st.warning("No team's commitments carry: " + ", ".join(view.uncovered))
    recs = [(t.workshop.name, r) for t in view.teams for r in t.recommendations]
    programme_round.render(programme, key, view)
    _downloads(programme)
    if recs:
        st.subheader("Recommendations, by team")
        st.dataframe(
            pd.DataFrame(
                [
                    {"team": team, "recommendation": r.text, "owner": r.owner, "status": r.status}
                    for team, r in recs
                ]
            ),
            hide_index=True,
            key="programme_recs",
        )


def _downloads(programme: Programme) -> None:
    """The programme's record for the larger group, built when a button is pressed."""
    st.caption("The programme's record, for the larger group:")
    writers: dict[str, tuple[Callable[[ProgrammeRecord], str | bytes], str]] = {
        "html": (exports.to_html, "text/html"),
        "xlsx": (
            exports.to_xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "json": (exports.to_json, "application/json"),
    }
    for col, (fmt, (write, mime)) in zip(st.columns(3), writers.items(), strict=True):
        col.download_button(
            fmt.upper(),
            data=partial(_export, programme, write),
            file_name=f"programme-{programme.code.lower()}.{fmt}",
            mime=mime,
            key=f"programme_{fmt}",
            on_click="ignore",
        )
    st.caption(
        "A backup of the whole programme (every team and the organisation round), for "
        "whoever runs the server: "
        f"`mission-coach backup {format_code(programme.code)}`"
    )


def _export(programme: Programme, write: Callable[[ProgrammeRecord], str | bytes]) -> bytes:
    out = write(services().programmes.record(programme))
    return out.encode("utf-8") if isinstance(out, str) else out


render()
