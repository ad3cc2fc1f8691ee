"""A member's page, sized for a phone: join with the code, write a draft, revise it."""

from __future__ import annotations

import secrets

import pandas as pd
import streamlit as st

from coach.domain.codes import format_code, parse_code
from coach.domain.types import Member, Workshop
from coach.errors import CoachError, InputError
from coach.scoring.rubric import load_rubric, load_sectors
from coach.scoring.scorer import score_text
from coach.service.workshops import NotFound, Workshops
from coach.ui import agenda_bar, live, llm_panel, member_consensus, results, step_phone, timer
from coach.ui.common import PAGES, fail, services, submit_once
from coach.ui.device import client, device_memory


def render() -> None:
    ws = services().workshops
    code = st.query_params.get("code", "")
    workshop = _workshop(ws, code) if code else None
    if workshop is None:
        st.title("Join a workshop")
        _code_form(ws)
        return
    token = st.query_params.get("member")
    member = ws.member(workshop, token)
    st.title(workshop.name if member is not None else "Join a workshop")
    # The code this page was opened with, never a newer one: a photo of an old code must
    # not reveal the code that replaced it.
    shown_code = format_code(parse_code(code))
    if member is not None:
        st.caption(f"Join code {shown_code}")
    else:
        st.text(f"{workshop.name} · join code {shown_code}")
    if token and member is None:
        st.error("This member link is not part of the workshop. Join again below.")
    if member is None:
        _welcome_back(ws, workshop)
        if workshop.join_code and parse_code(code) != workshop.join_code:
            st.warning(
                "This join code has been replaced by the facilitator. Ask them for the new "
                "code on the shared screen, then enter it here."
            )
            _code_form(ws)
            return
        _name_form(ws, workshop, code)
        return
    if member.removed:
        st.warning(
            "The facilitator has removed you from this workshop. If that was a mistake, ask "
            "them to bring you back: your draft is kept."
        )
        return
    if not member.admitted:
        live.follow(workshop, "all", member=member)  # let in: the page moves on by itself
        st.info(
            f"Welcome, {member.own_name}. You are in the lobby: the facilitator lets "
            "each person in. This page moves on by itself once they do."
        )
        return
    agenda = agenda_bar.current(workshop)
    if agenda.current != "mission":
        step_phone.render(workshop, member, agenda)
        _remember_me(workshop, member)
        return
    # Step 3's image feeds Step 4: read once here, not on every live redraw below (it
    # changes only while the room is on Step 3, which redraws the whole page).
    image = tuple(r.text for r in services().steps.results(workshop, "image"))
    _live(workshop.code, member.token, image)
    if agenda.on("commit") and st.button("Write my commitments (Step 6)", key="my_commitments"):
        plan = services().commitments.for_member(workshop, member)
        st.switch_page(PAGES["commitments"], query_params={"plan": plan.token})
    if workshop.programme_id is not None and _organisation_round(workshop.id, workshop.code):
        # The teams' statements are the drafts: people here rank and check them.
        st.text(f"You are {member.own_name}.")
    elif workshop.revealed:  # the team is on the shared drafts now: the own draft steps back
        with st.expander("My draft and its scores", expanded=False):
            _drafting(ws, workshop, member)
    else:
        _drafting(ws, workshop, member)
    _remember_me(workshop, member)


@st.cache_data(show_spinner=False, max_entries=1024)
def _organisation_round(workshop_id: int, code: str) -> bool:
    """Whether the workshop is a programme's organisation round: set when it is created,
    never changed, so read once per workshop, not on every rerun (keyed by its random
    code too: another database may give another workshop the same id)."""
    return services().programmes.store.by_round(workshop_id) is not None


def _remember_me(workshop: Workshop, member: Member) -> None:
    """Opt-in: this phone lists the workshop on its home page and welcomes the member back
    if they open the join link again. Off by default: on a shared device, the next person
    would be taken for them."""
    key = f"remember_me_{workshop.code}"
    if st.session_state.pop(f"{key}_now", False):
        device_memory(
            add={
                "code": workshop.code,
                "name": workshop.name,
                "organisation": workshop.organisation,
                "role": "member",
                "secret": member.token,
            }
        )
        st.session_state[key] = True
    if st.session_state.get(key):
        st.caption("This phone remembers you. Forget it from the home page, under Recent.")
        return
    st.button(
        "Remember me on this phone",
        key="remember_me",
        on_click=st.session_state.__setitem__,
        args=(f"{key}_now", True),
    )
    st.caption("Only on your own phone: whoever uses this browser next would be taken for you.")


def _workshop(ws: Workshops, code: str) -> Workshop | None:
    try:
        return ws.find(code)
    except (InputError, NotFound) as exc:  # a wrong code: ask for it
        fail(exc)
        return None
    except CoachError as exc:  # an outage: say so, keep the page, and come back by itself
        fail(exc)
        _back_when_the_database_answers(ws, code)
        st.stop()
    return None


@st.fragment(run_every=3)
def _back_when_the_database_answers(ws: Workshops, code: str) -> None:
    """Every 3 s, one light read; when it answers, the whole page draws again, with what
    the member had typed still in the box."""
    try:
        ws.find(code)
    except CoachError:
        st.caption("Trying again every few seconds…")
        return
    st.rerun(scope="app")


def _code_form(ws: Workshops) -> None:
    with st.form("join_code_form"):
        raw = st.text_input("Join code", key="member_code", placeholder="K7QM-4XHD-9TRB")
        if st.form_submit_button("Continue", type="primary"):
            try:
                ws.find(raw)
                st.query_params["code"] = parse_code(raw)  # a join code stays one
            except CoachError as exc:
                fail(exc)
            else:
                st.rerun()


def _welcome_back(ws: Workshops, workshop: Workshop) -> None:
    """The same phone opening the join link again gets its member back, not a second one
    (the member link it had is remembered on this device)."""
    for entry in device_memory() or []:
        if entry.get("code") != workshop.code or entry.get("role") != "member":
            continue
        mine = ws.member(workshop, entry.get("secret"))
        if mine is None or mine.removed:
            continue
        st.info(f"This phone has joined this workshop before, as {mine.own_name}.")
        if st.button(f"Continue as {mine.own_name}", type="primary", key="join_again"):
            st.query_params["member"] = mine.token
            st.rerun()
        st.caption("Or, if you are someone else using this phone, join below.")
        return


def _name_form(ws: Workshops, workshop: Workshop, code: str) -> None:
    # An organisation round that everyone may join: each person votes for their team.
    teams = (
        dict(services().programmes.round_teams(workshop))
        if workshop.programme_id is not None and _organisation_round(workshop.id, workshop.code)
        else {}
    )
    if teams:
        st.caption(
            "This is the vote on the organisation's statement: everyone from every team "
            "can join. Choose your team, so that your vote counts for it."
        )
    with st.form("join_name_form"):
        name = st.text_input(
            "Your name (optional: leave blank to stay anonymous)", key="member_name"
        )
        team = None
        if teams:
            team = st.selectbox(
                "Your team",
                list(teams),
                index=None,
                format_func=teams.__getitem__,
                placeholder="Choose your team",
                key="member_team",
            )
        if st.form_submit_button("Join", type="primary"):
            try:
                browser, address = client()
                if teams:
                    _, member = services().programmes.join_round(
                        code, name, team, browser=browser, address=address
                    )
                else:
                    _, member = ws.join(code, name, browser=browser, address=address)
            except CoachError as exc:
                fail(exc)
            else:
                # The member's link carries the workshop's lasting code, which a later
                # rotation of the join code does not change.
                st.query_params["code"] = workshop.code
                st.query_params["member"] = member.token
                st.rerun()


@st.fragment
def _live(code: str, token: str, image: tuple[str, ...] = ()) -> None:
    """What follows the facilitator (lock, reveal, the vote, the check, adoption): when it
    changes, only this part redraws, not the draft and its scores below."""
    try:  # a fragment's error stays in the fragment: say it here, as the router would
        svc = services()
        workshop, member = svc.workshops.membership(code, token)
        if workshop.step != "mission":  # the room moved on: the whole page follows it
            st.rerun(scope="app")
        rnd = svc.consensus.current(workshop)
        live.follow(workshop, "phone", rnd, member=member)
        if workshop.locked:
            st.warning("Drafting is locked by the facilitator for now.")
        if not workshop.revealed:
            timer.show(workshop, key="timer_phone")
            _brief(workshop, image)
        member_consensus.render(svc.consensus, workshop, member, rnd)
    except CoachError as exc:
        fail(exc)


def _brief(workshop: Workshop, image: tuple[str, ...]) -> None:
    """While people write: the focus, and the four questions the team's statement must pass."""
    if workshop.focus:
        st.info(f"Focus: {workshop.focus}")
    for text in image:  # Step 3 feeds Step 4
        st.caption("The team's image of the future (Step 3):")
        st.text(text)
    with st.expander("What makes a good mission statement", expanded=True):
        for c in load_rubric("mission").criteria:
            st.text(f"{c.label}: {c.question}")


def _drafting(ws: Workshops, workshop: Workshop, member: Member) -> None:
    st.text(f"You are {member.own_name}.")
    if workshop.anonymous:
        st.caption(f"The shared screen shows you as Member {member.position}, never by name.")
    draft = ws.own_draft(workshop, member)
    text_key = f"member_draft_{member.id}"
    kept = f"member_draft_kept_{member.id}"  # survives runs where the box is not drawn
    if text_key not in st.session_state:
        st.session_state[text_key] = st.session_state.get(kept) or (
            draft.latest.text if draft else ""
        )
    if (adopted := st.session_state.pop("member_adopted_rewrite", None)) is not None:
        st.session_state[text_key] = adopted  # the box shows the version just submitted
    st.caption(
        "All drafts are revealed: a revision you submit now shows on the shared screen too."
        if workshop.revealed
        else "Write one sentence on your own. Others see only that you submitted, "
        "until the facilitator reveals all drafts at once."
    )
    text = st.text_area("Your mission statement", key=text_key, height=120)
    st.session_state[kept] = text  # an outage or a page that could not draw loses nothing
    if st.button(
        "Submit" if draft is None else "Submit revision",
        type="primary",
        key="member_submit",
        disabled=workshop.locked,
    ):
        done = submit_once(ws, workshop.code, member.token, text, "member_nonce")
        if done is not None:
            if done.created:
                st.success(f"Submitted ✓ (version {done.version.version}).")
            else:
                st.info("No change: this is already your latest version.")
            draft = ws.own_draft(workshop, member)
    if draft is None:
        return
    if draft.deleted:
        st.warning(
            "The facilitator removed your draft from the board. Submit again to bring it back."
        )
    st.subheader("Your latest draft")
    sector = load_sectors().detect(f"{workshop.organisation} {workshop.focus}")
    results.full(score_text(draft.latest.text, "mission", None, sector), key="member_result")

    def use(text: str) -> None:
        try:
            ws.submit(workshop.code, member.token, text, secrets.token_hex(8))
        except CoachError as exc:
            fail(exc)
            return
        st.session_state["member_adopted_rewrite"] = text
        st.rerun()

    llm_panel.feedback(
        services().coach, draft.latest.text, key="member", workshop_id=workshop.id, on_use=use
    )
    if len(draft.versions) > 1:
        with st.expander(f"History ({len(draft.versions)} versions)"):
            st.dataframe(
                pd.DataFrame(
                    [{"version": v.version, **v.scores, "text": v.text} for v in draft.versions]
                ),
                hide_index=True,
                key="member_history",
            )


render()
