"""The projector: read-only, no controls, no key in its address, following the workshop."""

from __future__ import annotations

import html

import streamlit as st

from coach.domain.types import Workshop
from coach.errors import CoachError
from coach.ui import agenda_bar, facilitating, live, projector, step_projector
from coach.ui.common import fail, services
from coach.ui.tab_memory import from_address


def render() -> None:
    svc = services()
    try:
        workshop = _opened()
    except CoachError as exc:
        fail(exc)
        return
    if workshop is None:
        facilitating.ask("Present")
        return
    live.follow(workshop, "all")
    st.html(projector.CSS)
    st.html(f'<div class="mc-big"><b>{html.escape(workshop.name)}</b></div>')
    if workshop.step != "mission":
        step_projector.render(workshop, agenda_bar.current(workshop))
        return
    if workshop.adopted_id is not None and (chosen := svc.consensus.adopted(workshop)):
        projector.adopted(chosen.text)
        return
    board = svc.workshops.board(workshop)
    members = [e for e in board.entries if e.member.counted]
    if not workshop.revealed:
        projector.joining(workshop, board.submitted, len(members))
        return
    rnd = svc.consensus.current(workshop)
    if rnd is None or rnd.phase == "candidates":
        projector.drafts(workshop, board.visible_drafts)
        if rnd is not None:
            projector.candidates(rnd, voting=False, ballots=0, members=len(members))
        return
    if rnd.phase == "voting":
        voted = len({b.member_id for b in rnd.ballots})
        projector.candidates(rnd, voting=True, ballots=voted, members=len(members))
        return
    if rnd.phase == "check":  # the vote in one line: the check's chart fits one screen
        projector.result_line(svc.consensus, rnd)
    else:
        projector.result(svc.consensus, rnd)
    if rnd.leader_id is not None:
        projector.check(rnd, len(members))


def _opened() -> Workshop | None:
    """With its read-only link, or in the facilitator's own session. The link's secret
    leaves the address bar once read (this screen is projected); the tab keeps it, so a
    reload of the projector still works."""
    ws = services().workshops
    held = from_address("view", "presenter")
    if held is not None:
        return ws.presenter(*held)
    found = facilitating.current()
    return ws.facilitator(*found) if found else None


render()
