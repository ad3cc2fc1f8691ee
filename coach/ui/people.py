"""Who is in the room: joined, submitted, voted, checked; the facilitator marks who counts."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from coach.domain.types import Member, Round
from coach.service.workshops import Board
from coach.ui import steps
from coach.ui.board import status
from coach.ui.common import services


def render(board: Board, rnd: Round | None, key: str | None) -> None:
    entries = board.entries
    st.subheader("People")
    if not entries:
        st.info("Nobody has joined yet: share the join code, or add people at this screen.")
        return
    voted = {b.member_id for b in rnd.ballots} if rnd else set()
    checked = {c.member_id for c in rnd.checks if c.candidate_id == rnd.leader_id} if rnd else set()
    here = [e for e in entries if not e.member.removed]
    st.caption(
        f"{sum(not e.member.absent for e in here)} here"
        + (
            f", {sum(e.member.absent for e in here)} absent"
            if any(e.member.absent for e in here)
            else ""
        )
        + (f", {len(entries) - len(here)} removed" if len(here) < len(entries) else "")
        + ". Only people who are here count in the vote and the check."
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "member": e.member.display_name,
                    "state": _state(e.member),
                    "draft": status(e.submitted, e.versions, e.deleted),
                    "voted": "✓" if e.member.id in voted else "",
                    "checked": "✓" if e.member.id in checked else "",
                }
                for e in entries
            ]
        ),
        hide_index=True,
        key="people_table",
    )
    waiting = [e for e in entries if not e.member.admitted and not e.member.removed]
    with st.expander(
        f"Let people in ({len(waiting)} waiting), mark someone absent, or remove a duplicate"
        if waiting
        else "Mark someone absent, or remove a duplicate join",
        expanded=bool(waiting),
    ):
        for e in entries:
            _controls(board.workshop.code, key, e.member)


def _state(m: Member) -> str:
    if m.removed:
        return "removed"
    if not m.admitted:
        return "waiting to be let in"
    return "absent" if m.absent else "here"


def _controls(code: str, key: str | None, m: Member) -> None:
    ws = services().workshops
    name, left, right = st.columns([3, 2, 2])
    name.text(f"{m.display_name} ({_state(m)})")
    if not m.admitted and not m.removed:
        left.button(
            "Let in",
            key=f"admit_{m.id}",
            type="primary",
            on_click=steps.run,
            args=(partial(ws.admit, code, key, m.id), f"{m.display_name} is in."),
        )
    if m.removed:
        right.button(
            "Bring back",
            key=f"back_{m.id}",
            on_click=steps.run,
            args=(partial(ws.remove_member, code, key, m.id, False), f"{m.display_name} is back."),
        )
        return
    absent = not m.absent
    if m.admitted:  # someone waiting is let in (above) or removed, not marked absent
        left.button(
            "Mark absent" if absent else "Mark here",
            key=f"absent_{m.id}",
            on_click=steps.run,
            args=(
                partial(ws.set_absent, code, key, m.id, absent),
                f"{m.display_name} is marked {'absent' if absent else 'here'}.",
            ),
        )
    with right:
        steps.confirmed(
            "Remove",
            f"Remove {m.display_name}? Their ballot and answers leave every count; their "
            "draft stays in the record, marked removed. You can bring them back.",
            partial(ws.remove_member, code, key, m.id),
            key=f"remove_{m.id}",
            done=f"{m.display_name} is removed.",
        )
