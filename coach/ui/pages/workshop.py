"""The facilitator's shared screen: join code and QR, controls, the live board."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from urllib.parse import urlsplit

import streamlit as st

from coach.domain.agenda import Agenda, info
from coach.domain.codes import format_code
from coach.domain.types import Member, Workshop
from coach.errors import CoachError
from coach.service.workshops import Board, OnBehalf, Workshops
from coach.ui import (
    agenda_bar,
    board,
    facilitating,
    live,
    llm_panel,
    people,
    results,
    step_room,
    steps,
    timer,
)
from coach.ui.common import PAGES, act, fail, link, qr_png, services, submit_once, warn
from coach.ui.device import device_memory


def render() -> None:
    ws = services().workshops
    found = facilitating.current()
    if found is None:
        facilitating.ask("Facilitate")
        return
    code, key = found
    try:
        latest = board.current(code)
        _authorise(ws, latest.workshop, key)
    except CoachError as exc:
        st.title("Facilitate")
        fail(exc)
        st.page_link(PAGES["home"], label="Go to Workshops", icon="🏠")
        return
    workshop = latest.workshop
    agenda = agenda_bar.current(workshop)
    if agenda.current != "mission":
        _header(workshop, key or "", agenda)
        live.follow(workshop, "all")
        steps.flash()
        step_room.render(workshop, agenda, key)
        people.render(latest, None, key, mission=False)
        facilitating.nav(workshop.code, key or "", "workshop")
        return
    chosen = services().consensus.adopted(workshop) if workshop.adopted_id else None
    if chosen is not None:
        results.adopted(chosen.text, "The team's mission statement, adopted by consensus.")
    facilitating.nav(workshop.code, key or "", "workshop")
    _header(workshop, key or "", agenda)
    _controls(ws, workshop, key, agenda.item("mission").minutes)
    live.follow(workshop, "all")  # joins, drafts, votes: redrawn as they happen
    steps.flash()
    people.render(latest, st.session_state.get("board_round"), key)
    board.render(latest)
    _at_this_screen(ws, latest, key)
    _manage(ws, latest, key)


def _authorise(ws: Workshops, workshop: Workshop, key: str | None) -> None:
    """Check the key once per session; every action checks it again in the service."""
    if st.session_state.get("facilitator_of") != (workshop.code, key):
        ws.facilitator(workshop.code, key)
        st.session_state["facilitator_of"] = (workshop.code, key)


def _header(workshop: Workshop, key: str, agenda: Agenda) -> None:
    st.title(info(agenda.current).title)
    st.text(" · ".join(x for x in (workshop.name, workshop.organisation) if x))
    agenda_bar.render(workshop, agenda, key)  # where the room is, first: Back and Next
    if workshop.focus:
        st.text(f"Focus: {workshop.focus}")
    # The join code fills the screen while people join (the first step); later it folds
    # away for anyone joining late, and the step's work comes up to the top.
    first = agenda.current == next((i.step for i in agenda.enabled), agenda.current)
    with st.container() if first else st.expander("Join code and QR, for anyone joining late"):
        _join(workshop, key)
    renewed = st.session_state.get(_RENEWED) == workshop.code
    with st.expander("Facilitator link (keep it private)", expanded=renewed):
        _link_and_devices(workshop, key, renewed)


def _join(workshop: Workshop, key: str) -> None:
    join_url = link("join", code=workshop.joining_code)
    left, right = st.columns([2, 1])
    with left:
        st.metric("Join code", format_code(workshop.joining_code))
        st.caption("On a phone: scan the code, or open the link and enter the join code.")
        st.code(join_url, language=None)
        if urlsplit(join_url).hostname in ("127.0.0.1", "localhost", "::1"):
            st.caption(
                "Phones cannot open a 127.0.0.1 link. To let them join, start the app with "
                "`make run ADDRESS=0.0.0.0` and set COACH_PUBLIC_URL to this computer's "
                "address, e.g. http://192.168.1.20:8501."
            )
    right.image(qr_png(join_url), caption="Scan to join", width=260)
    with right:
        steps.confirmed(
            "New join code",
            "Give the workshop a new join code? The old code and its QR stop letting new "
            "people in (use this if the code was seen outside the room). Everyone already "
            "in, and your facilitator and projector links, keep working.",
            partial(services().workshops.rotate_join_code, workshop.code, key),
            key="rotate_join_code",
            done="The workshop has a new join code: the projector shows it.",
            primary=False,
        )


def _link_and_devices(workshop: Workshop, key: str, renewed: bool) -> None:
    ws = services().workshops
    if (entry := st.session_state.pop(_REMEMBER, None)) is not None:
        device_memory(add=entry)  # the browser stores the device token, never the key
    held = st.session_state.get("holds_key")
    if not held or held[:2] != (workshop.code, key):  # one read per key and session
        held = (workshop.code, key, ws.holds_key(workshop, key))
        st.session_state["holds_key"] = held
    if not held[2]:
        st.caption(
            "Opened from this device's memory. To see or renew the facilitator link, open "
            "the link you saved."
        )
        return
    if renewed:
        st.success(
            "Your new facilitator key is in the link below. Save it now: the old link and "
            "the old projector link no longer work, and this one is shown here only."
        )
    st.code(link("workshop", code=workshop.code, key=key), language=None)
    steps.confirmed(
        "New facilitator key",
        "Make a new facilitator key? The old facilitator link stops working at once, "
        "everywhere (use this if it was seen on a screen or left on a shared computer), "
        "and the projector and remembered devices need it again. Members' links keep working.",
        partial(_rotate_key, workshop.code, key),
        key="rotate_key",
        done="New facilitator key made: save the new link above.",
        primary=False,
    )
    st.button(
        "Remember on this device",
        key="remember_device",
        on_click=steps.run,
        args=(partial(_remember, workshop, key), "This device remembers the workshop."),
    )
    st.caption(
        "Only on your own computer: anyone who uses this browser could then open this "
        "screen from the home page. The browser keeps a token you can revoke, not your key."
    )
    steps.confirmed(
        "Forget on every device",
        "Make every device that remembers this workshop forget it? They will need the "
        "facilitator link again. (A new facilitator key does this too.)",
        partial(_forget_everywhere, workshop.code, key),
        key="forget_devices",
        primary=False,
    )


def _forget_everywhere(code: str, key: str) -> None:
    n = services().workshops.forget_devices(code, key)
    said = f"{n} device{'' if n == 1 else 's'} forgot this workshop." if n else ""
    st.session_state[steps.FLASH] = ("success", said or "No device remembered it.")


_REMEMBER = "remember_device_entry"


def _remember(workshop: Workshop, key: str) -> None:
    token = services().workshops.remember_device(workshop.code, key)
    st.session_state[_REMEMBER] = {
        "code": workshop.code,
        "name": workshop.name,
        "organisation": workshop.organisation,
        "role": "facilitator",
        "secret": token,
        "opened": datetime.now(UTC).date().isoformat(),
    }


_RENEWED = "key_renewed"


def _rotate_key(code: str, key: str) -> None:
    new = services().workshops.rotate_key(code, key)
    facilitating.adopt(code, new)  # this tab goes on with the new key
    st.session_state[_RENEWED] = code


def _controls(ws: Workshops, workshop: Workshop, key: str | None, minutes: int) -> None:
    reveal, lock = st.columns(2)
    # Each button sends what it says (reveal, hide...), bound when drawn: a stale tab's
    # "Reveal all drafts" can never hide them.
    reveal.button(
        "Hide drafts" if workshop.revealed else "Reveal all drafts",
        type="primary",
        key="toggle_reveal",
        width="stretch",
        on_click=steps.run,
        args=(partial(ws.set_revealed, workshop.code, key, not workshop.revealed),),
    )
    lock.button(
        "Unlock drafting" if workshop.locked else "Lock drafting",
        key="toggle_lock",
        width="stretch",
        on_click=steps.run,
        args=(partial(ws.set_locked, workshop.code, key, not workshop.locked),),
    )
    _privacy(ws, workshop, key)
    if not workshop.revealed:
        timer.controls(ws, workshop, key, minutes)
    coach = services().coach
    if workshop.revealed and coach.enabled:
        about = f"board:{workshop.id}"
        if st.button(
            "Get LLM feedback for every draft", key="llm_all", disabled=llm_panel.asking("llm_all")
        ):
            drafts = [d.latest.text for d in services().store.drafts(workshop.id)]
            if (refusal := llm_panel.budget_refusal(workshop.id, len(drafts))) is not None:
                warn(refusal)
            else:
                wid = workshop.id
                llm_panel.start(
                    "llm_all", about, lambda: coach.feedback_many(drafts, workshop_id=wid)
                )
        _, got, why = llm_panel.answer("llm_all", about)
        if why is not None:
            warn(f"No LLM feedback this time: {why}")
        elif got is not None:
            st.session_state["board_llm"] = got
    state = "revealed" if workshop.revealed else "private: shown only as submitted ✓"
    st.caption(f"Drafts are {state}. Drafting is {'locked' if workshop.locked else 'open'}.")


def _privacy(ws: Workshops, workshop: Workshop, key: str | None) -> None:
    """Names and scores on the shared screen: what the team sees together, and when."""
    left, right = st.columns(2)
    left.toggle(
        "Admission: new joins wait until you let them in",
        value=workshop.admission,
        key="admission_on",
        on_change=steps.toggled,
        args=("admission_on", partial(ws.set_admission, workshop.code, key)),
    )
    left.toggle(
        "Anonymous: names hidden on this screen and in exports",
        value=workshop.anonymous,
        key="privacy_anonymous",
        on_change=steps.toggled,
        args=("privacy_anonymous", partial(_anonymous, ws, workshop.code, key)),
    )
    if workshop.revealed:
        shown = workshop.scores_shown
        right.button(
            "Hide the scores" if shown else "Show the scores",
            key="toggle_scores",
            on_click=steps.run,
            args=(partial(ws.set_privacy, workshop.code, key, scores_shown=not shown),),
        )


def _anonymous(ws: Workshops, code: str, key: str | None, on: bool) -> None:
    ws.set_privacy(code, key, anonymous=on)


def _at_this_screen(ws: Workshops, current: Board, key: str | None) -> None:
    st.subheader("At this screen")
    workshop = current.workshop
    members = [e.member for e in current.entries]
    with st.form("add_member_form", clear_on_submit=True):
        name = st.text_input("Add a member (leave blank to stay anonymous)", key="new_member")
        if st.form_submit_button("Add member"):
            act(lambda: ws.add_member(workshop.code, key, name))
    if not members:
        st.info("No members yet. Add them here, or let them join from their phones.")
        return
    if st.session_state.pop("draft_clear", False):
        st.session_state["shared_draft"] = ""  # private: the next person starts blank
    who = st.selectbox("Who is writing?", members, format_func=_name, key="shared_member")
    text = st.text_area("Their draft (private until you reveal)", key="shared_draft", height=100)
    if st.button("Submit draft", key="shared_submit", disabled=workshop.locked) and who:
        done = submit_once(ws, workshop.code, OnBehalf(key, who.id), text, "shared_nonce")
        if done is not None:
            st.session_state["draft_clear"] = True
            st.session_state["flash"] = (
                f"Draft submitted ✓ (version {done.version.version})"
                if done.created
                else "Already submitted: no change."
            )
            st.rerun()
    if flash := st.session_state.pop("flash", None):
        st.success(flash)


def _name(member: Member) -> str:
    return member.display_name


def _manage(ws: Workshops, current: Board, key: str | None) -> None:
    workshop = current.workshop
    with st.expander("Manage members and drafts"):
        members = [e.member for e in current.entries]
        if members:
            m = st.selectbox("Member", members, format_func=_name, key="rename_member")
            new = st.text_input("New name", key="rename_to")
            if st.button("Rename", key="rename_go") and m:
                act(lambda: ws.rename(workshop.code, key, m.id, new))
        drafts = [e for e in current.entries if e.draft_id and not e.deleted]
        if drafts:
            e = st.selectbox(
                "Draft", drafts, format_func=lambda e: e.member.display_name, key="remove_pick"
            )
            if st.button("Remove draft…", key="remove_ask"):
                st.session_state["confirm_remove"] = (e.draft_id, e.member.display_name)
        for e in current.entries:
            if not e.deleted or e.draft_id is None:
                continue
            row = st.columns([4, 1])
            row[0].text(f"Removed: the draft of {e.member.display_name}")
            if row[1].button("Restore", key=f"restore_{e.draft_id}"):
                act(partial(ws.set_draft_removed, workshop.code, key, e.draft_id, False))
    if "confirm_remove" in st.session_state:
        _confirm_remove(ws, workshop.code, key)


@st.dialog("Remove this draft?")
def _confirm_remove(ws: Workshops, code: str, key: str | None) -> None:
    draft_id, who = st.session_state["confirm_remove"]
    st.text(f"The draft of {who} leaves the board. You can restore it later.")
    yes, no = st.columns(2)
    if yes.button("Remove", type="primary", key="remove_yes"):
        del st.session_state["confirm_remove"]
        act(lambda: ws.set_draft_removed(code, key, draft_id, True))
    if no.button("Cancel", key="remove_no"):
        del st.session_state["confirm_remove"]
        st.rerun()


render()
