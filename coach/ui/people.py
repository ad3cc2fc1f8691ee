"""Who is in the room: joined, submitted, voted, checked; the facilitator marks who counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

import pandas as pd
import streamlit as st

from coach.domain.types import Member, Round
from coach.service.workshops import Board, Entry
from coach.ui import steps
from coach.ui.board import status
from coach.ui.common import link, qr_png, services

QUIET_AFTER = timedelta(minutes=1)  # a phone polls every 0.4 s while its screen is on


def render(board: Board, rnd: Round | None, key: str | None, *, mission: bool = True) -> None:
    """The People table; its draft, vote and check columns are Step 4's, shown on Step 4
    (`mission`) only."""
    entries = board.entries
    st.subheader("People")
    if not entries:
        st.info("Nobody has joined yet: share the join code, or add people at this screen.")
        return
    _gone_quiet(board.workshop.id)
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
    now = datetime.now(UTC)
    twins = _same_names(entries)
    rows = pd.DataFrame(
        [
            {
                "member": e.member.display_name,
                "state": _state(e.member),
                "draft": status(e.submitted, e.versions, e.deleted),
                "voted": "✓" if e.member.id in voted else "",
                "checked": "✓" if e.member.id in checked else "",
                "last seen": ago(e.member.last_seen, now),
                "note": twins.get(e.member.id, ""),
            }
            for e in entries
        ]
    )
    st.dataframe(
        rows if mission else rows.drop(columns=["draft", "voted", "checked"]),
        hide_index=True,
        key="people_table",
    )
    waiting = [e for e in entries if not e.member.admitted and not e.member.removed]
    with st.expander(
        f"Let people in ({len(waiting)} waiting), mark someone absent, remove or merge a duplicate"
        if waiting
        else "Mark someone absent, remove or merge a duplicate join",
        expanded=bool(waiting),
    ):
        _new_link_shown(board.workshop.code)
        for e in entries:
            _controls(board.workshop.code, key, e.member)
        _merge(board, key)


_NEW_LINK = "member_new_link"


def _new_link(code: str, key: str | None, member: Member) -> None:
    token = services().workshops.new_member_link(code, key, member.id)
    st.session_state[_NEW_LINK] = (code, member.display_name, token)


def _new_link_shown(code: str) -> None:
    """A member's renewed link, shown once for them to scan or copy."""
    shown = st.session_state.get(_NEW_LINK)
    if not shown or shown[0] != code:
        return
    _, name, token = shown
    url = link("join", code=code, member=token)
    with st.container(border=True):
        st.text(f"{name}'s new link: they scan it or open it on their phone.")
        left, right = st.columns([3, 1])
        left.code(url, language=None)
        left.caption("Their old link no longer works. Their draft, votes and plan stay.")
        right.image(qr_png(url), width=180)
        st.button(
            "Done: hide this link",
            key="new_link_done",
            on_click=st.session_state.pop,
            args=(_NEW_LINK, None),
        )


def _same_names(entries: Sequence[Entry]) -> dict[int, str]:
    """Members whose name another member already has: maybe one person joined twice."""
    first: dict[str, Member] = {}
    out = {}
    for e in entries:
        m = e.member
        key = " ".join(m.name.casefold().split())
        if not key or m.removed:
            continue
        if key in first:
            out[m.id] = f"same name as #{first[key].position}: merge if one person"
        else:
            first[key] = m
    return out


def ago(when: datetime | None, now: datetime) -> str:
    """ "just now", "3 min ago", "2 h ago"; "-" if the member's screen never reported."""
    if when is None:
        return "-"
    seconds = max(0, int((now - when).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


@st.fragment(run_every=30)
def _gone_quiet(workshop_id: int) -> None:
    """Who has not been seen for a while (a phone locked, a tab closed): a light read every
    30 s, so the facilitator can mark them absent before a vote waits for them."""
    now = datetime.now(UTC)
    # A full rerun of the page runs this too: read at most once per 25 s either way.
    read = st.session_state.get("quiet_read")
    if read is None or read[0] != workshop_id or (now - read[1]).total_seconds() > 25:
        read = (workshop_id, now, services().store.members(workshop_id))
        st.session_state["quiet_read"] = read
    quiet = [
        m.display_name
        for m in read[2]
        if m.counted and m.last_seen is not None and now - m.last_seen > QUIET_AFTER
    ]
    if quiet:
        st.caption(
            "Screen off or closed for over a minute: "
            + ", ".join(quiet)
            + ". Mark them absent if they have left, so the vote and check need not wait."
        )


def _merge(board: Board, key: str | None) -> None:
    """One person who joined twice (two phones, or a new tab): fold one into the other."""
    members = [e.member for e in board.entries if not e.member.removed]
    if len(members) < 2:
        return
    st.markdown("**Merge a duplicate join**")
    names = {m.id: f"{m.display_name} (#{m.position})" for m in members}
    dup_col, keep_col = st.columns(2)
    dup = dup_col.selectbox(
        "Duplicate", list(names), format_func=names.__getitem__, index=None, key="merge_duplicate"
    )
    keep = keep_col.selectbox(
        "Merge into", list(names), format_func=names.__getitem__, index=None, key="merge_keep"
    )
    if dup is None or keep is None or dup == keep:
        st.caption("Choose the duplicate and the member to keep.")
        return
    ws = services().workshops
    steps.confirmed(
        "Merge",
        f"Merge {names[dup]} into {names[keep]}? What {names[keep]} lacks (a draft, a ballot, "
        f"an answer) comes over from the duplicate; the rest stays in the record, removed. "
        f"The duplicate's phone then acts as {names[keep]}. This cannot be undone.",
        partial(ws.merge, board.workshop.code, key, keep, dup),
        key=f"merge_{dup}_{keep}",
        done=f"{names[dup]} is merged into {names[keep]}.",
    )


def _state(m: Member) -> str:
    if m.merged_into is not None:
        return "merged"
    if m.removed:
        return "removed"
    if not m.admitted:
        return "waiting to be let in"
    return "absent" if m.absent else "here"


def _controls(code: str, key: str | None, m: Member) -> None:
    ws = services().workshops
    name, left, right, renew = st.columns([3, 2, 2, 2])
    name.text(f"{m.display_name} ({_state(m)})")
    if not m.admitted and not m.removed:
        left.button(
            "Let in",
            key=f"admit_{m.id}",
            type="primary",
            on_click=steps.run,
            args=(partial(ws.admit, code, key, m.id), f"{m.display_name} is in."),
        )
    if m.merged_into is not None:
        return  # merged: nothing to undo from here
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
    with renew:
        steps.confirmed(
            "New link",
            f"Give {m.display_name} a new link? Their old link stops working at once (a lost "
            "phone, or a link sent to the wrong person). You show them the new one.",
            partial(_new_link, code, key, m),
            key=f"renew_{m.id}",
            primary=False,
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
