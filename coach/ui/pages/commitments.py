"""Step 6 for one person: commitments scored, linked to the mission, kept and checked in."""

from __future__ import annotations

import zoneinfo
from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

from coach.domain import elements as elements_mod
from coach.domain.reminders import to_ics
from coach.domain.types import CADENCES, STATUSES, Commitment, Member, Plan
from coach.errors import CoachError, InputError
from coach.llm.coaching import Coach
from coach.notify.channels import configured
from coach.service.commitments import NO_LINK, Commitments, CommitmentView, Partnered
from coach.ui import llm_panel, results
from coach.ui.common import act, fail, link, services, warn
from coach.ui.device import creation_refusal


def render() -> None:
    svc = services()
    cm = svc.commitments
    st.title("My commitments")
    st.caption(
        "Step 6: what will you do more of, or differently, to deliver superior "
        'customer service? "I promise to do x, and y."'
    )
    try:
        plan = cm.open(st.query_params.get("plan")) if st.query_params.get("plan") else None
    except CoachError as exc:
        fail(exc)
        plan = None
    if plan is None:
        _start(cm)
        return
    st.text("Your personal link: come back to it any day, on any device.")
    st.code(link("commitments", plan=plan.token), language=None)
    _mission(cm, plan)
    _add(cm, plan)
    if not plan.commitments:
        st.info("No commitments yet: write your first one above.")
    team = cm.team_of(plan)  # read once for the whole page
    partners = {m.id: m.display_name for m in team if m.id != plan.member_id}
    _management(cm, plan)
    _new_notes(cm, plan, partners)
    partnered = cm.partnering(plan, team)
    if partnered:
        owners = sorted({p.owner for p in partnered})
        st.caption(
            f"You are accountability partner for {', '.join(owners)}: their commitments are "
            "below yours."
        )
    for v in cm.view(plan, _first(len(plan.commitments)), PAGE, team):
        with st.container(border=True):
            _card(cm, svc.coach, plan, v, partners)
    _calendar(cm, plan, team)
    _digest(cm, plan)
    _partnering(cm, plan, partnered)
    _ideas(cm, plan)


_NOTE_SAYS = {
    "confirm": "✓ {who} confirmed your check-in",
    "question": "? {who} asks",
    "cheer": "💬 {who}",
}


def _management(cm: Commitments, plan: Plan) -> None:
    """Step 8: management's feedback on this person's commitments and on the team."""
    given = cm.my_feedback(plan)
    if not given:
        return
    new = sum(is_new for _, is_new in given)
    texts = {c.id: c.text for c in plan.commitments}
    with st.container(border=True):
        st.subheader("Feedback from management")
        if new:
            st.info(f"{new} new: read it below.", icon="📣")
        for f, is_new in given:
            about = f"on '{texts[f.commitment_id]}'" if f.commitment_id else "to the team"
            st.text(
                f"{f.created_at:%Y-%m-%d} · {f.author or 'Management'} {about}: {f.note}"
                + (" · new" if is_new else "")
            )
        if new and st.button("Mark feedback as read", key="feedback_read"):
            act(partial(cm.feedback_read, plan.token))


def _new_notes(cm: Commitments, plan: Plan, partners: dict[int, str]) -> None:
    """A notice while a partner's note is unread, with a button to mark them read."""
    new = [n for c in plan.commitments for n in c.notes if not n.read]
    if not new:
        return
    who = sorted({partners.get(n.partner_id, "your partner") for n in new})
    st.info(
        f"{len(new)} new note{'' if len(new) == 1 else 's'} from {', '.join(who)}: see "
        "them under your commitments below.",
        icon="🤝",
    )
    if st.button("Mark as read", key="notes_read"):
        act(partial(cm.mark_read, plan.token))


def _notes(c: Commitment, partners: dict[int, str]) -> None:
    for n in c.notes:
        said = _NOTE_SAYS[n.kind].format(who=partners.get(n.partner_id, "Your partner"))
        line = f"{said}: {n.note}" if n.note else said
        st.text(f"{line} · {n.created_at:%Y-%m-%d}" + ("" if n.read else " · new"))


def _partnering(cm: Commitments, plan: Plan, items: list[Partnered]) -> None:
    """The colleagues' commitments this person is accountability partner for."""
    if not items:
        return
    st.subheader("You are accountability partner for")
    for item in items:
        c, key = item.commitment, f"p{item.commitment.id}"
        with st.container(border=True):
            st.text(f"{item.owner}: {c.text}")
            last = c.checkins[-1] if c.checkins else None
            st.text(
                f"Last check-in: {last.created_at:%Y-%m-%d} · {last.status}"
                + (f": {last.note}" if last.note else "")
                if last
                else "No check-in yet."
            )
            mine = [n for n in c.notes if n.partner_id == plan.member_id]
            if mine:
                st.caption(f"You have sent {len(mine)} note{'' if len(mine) == 1 else 's'}.")
            if st.session_state.pop(f"{key}_sent", False):
                st.session_state[f"{key}_note"] = ""  # sent: the box starts empty again
                st.success(f"Sent: {item.owner} sees it on their page.")
            note = st.text_input(f"A word for {item.owner}", key=f"{key}_note", max_chars=300)
            cols = st.columns(3)
            kinds = (
                ("confirm", "Confirm the check-in", last is None),
                ("question", "Ask about it", False),
                ("cheer", "Send encouragement", False),
            )
            for col, (kind, label, disabled) in zip(cols, kinds, strict=True):
                if col.button(label, key=f"{key}_{kind}", disabled=disabled):
                    try:
                        cm.respond(plan.token, c.id, kind, note)
                    except CoachError as exc:
                        fail(exc)
                    else:
                        st.session_state[f"{key}_sent"] = True
                        st.rerun()


PAGE = 10  # commitments drawn (and scored) at once: a long plan, a restored one say, stays quick


def _first(total: int) -> int:
    """The first commitment of the page chosen; a page picker once there are more than PAGE."""
    if total <= PAGE:
        return 0
    pages = -(-total // PAGE)
    page = st.number_input(
        f"Page (of {pages})", min_value=1, max_value=pages, step=1, key="plan_page"
    )
    first = (int(page) - 1) * PAGE
    st.caption(f"Commitments {first + 1}–{min(first + PAGE, total)} of {total:,}.")
    return first


def _start(cm: Commitments) -> None:
    with st.form("plan_form"):
        name = st.text_input("Your name (optional)", key="plan_name")
        mission = st.text_area(
            "Your organisation's mission statement (optional; you can add it later)",
            key="plan_mission",
        )
        if st.form_submit_button("Start my commitments", type="primary"):
            try:
                if (refusal := creation_refusal("plan")) is not None:
                    raise InputError(refusal)
                st.query_params["plan"] = cm.start(name, mission).token
            except CoachError as exc:
                fail(exc)
            else:
                st.rerun()


def _mission(cm: Commitments, plan: Plan) -> None:
    st.subheader("The mission")
    st.text(plan.mission or "No mission yet: add one so each commitment shows its line of sight.")
    with st.expander("Change the mission"):
        text = st.text_area(
            "Paste your organisation's mission", key="mission_text", value=plan.mission
        )
        if st.button("Save the mission", key="mission_save"):
            act(partial(cm.set_mission, plan.token, text))
        code = st.text_input(
            "…or use a workshop's adopted statement: its join code", key="mission_code"
        )
        if st.button("Use that workshop's statement", key="mission_from_workshop"):
            act(partial(cm.use_workshop_mission, plan.token, code))


def _add(cm: Commitments, plan: Plan) -> None:
    if st.session_state.pop("commitment_clear", False):
        st.session_state["new_commitment"] = ""
    text = st.text_area(
        "New commitment",
        key="new_commitment",
        height=80,
        placeholder="I promise to call back every guest who leaves a "
        "voicemail within 2 hours, and thank one colleague every Friday.",
    )
    if st.button("Add", type="primary", key="commitment_add"):
        try:
            n = cm.add(plan.token, text)
        except CoachError as exc:
            fail(exc)
        else:
            st.session_state["commitment_clear"] = True
            st.session_state["commitment_flash"] = (
                f"Saved {n} commitments: the line held {n} actions." if n > 1 else "Saved ✓"
            )
            st.rerun()
    if flash := st.session_state.pop("commitment_flash", None):
        st.success(flash)


def _card(
    cm: Commitments, coach: Coach, plan: Plan, v: CommitmentView, partners: dict[int, str]
) -> None:
    c, key = v.commitment, f"c{v.commitment.id}"
    st.text(c.text)
    st.text(
        f"Overall {v.result.overall} · "
        + " · ".join(f"{x.label} {x.score}" for x in v.result.criteria.values())
    )
    if v.line_of_sight == NO_LINK:
        st.warning(NO_LINK, icon="🔭")
    else:
        st.text(v.line_of_sight)
    results.tips(v.result)
    labels = {e.key: e.label for e in elements_mod.elements()}
    cols = st.columns(4)
    due = cols[0].date_input("Due", value=c.due, key=f"{key}_due", format="YYYY-MM-DD")
    cadence = cols[1].selectbox(
        "Cadence",
        CADENCES,
        index=CADENCES.index(c.cadence),
        key=f"{key}_cadence",
        format_func=lambda x: x or "none",
    )
    status = cols[2].selectbox(
        "Status", STATUSES, index=STATUSES.index(c.status), key=f"{key}_status"
    )
    options = [None, *partners]
    partner = cols[3].selectbox(
        "Partner",
        options,
        key=f"{key}_partner",
        index=options.index(c.partner_id) if c.partner_id in options else 0,
        format_func=lambda i: partners.get(i, "none") if i else "none",
    )
    tags = st.multiselect(
        "Serves these elements of the service strategy",
        list(labels),
        default=list(v.elements),
        format_func=labels.__getitem__,
        key=f"{key}_elements",
    )
    if st.button("Save", key=f"{key}_save"):
        chosen = tuple(tags) if tuple(tags) != elements_mod.tag(c.text) else None
        act(
            partial(
                cm.update,
                plan.token,
                c.id,
                due=due or None,
                cadence=cadence,
                status=status,
                partner_id=partner,
                elements=chosen,
            )
        )
    note = st.text_input("Check-in note", key=f"{key}_note", max_chars=300)
    if st.button("Check in", key=f"{key}_checkin"):
        act(partial(cm.check_in, plan.token, c.id, status, note))
    _timeline(c, key)
    for k in c.checkins:
        st.text(f"{k.created_at:%Y-%m-%d} · {k.status}" + (f": {k.note}" if k.note else ""))
    _notes(c, partners)
    _llm_rewrite(cm, coach, plan, v)
    if st.button("Remove", key=f"{key}_remove"):
        act(partial(cm.remove, plan.token, c.id))


_STATUS_ORDER = ["dropped", "planned", "in progress", "done"]


def _timeline(c: Commitment, key: str) -> None:
    """The check-ins as a timeline: each a dot on its day, higher the nearer to done."""
    if len(c.checkins) < 2:
        return
    data = pd.DataFrame(
        [{"day": k.created_at.date().isoformat(), "status": k.status} for k in c.checkins]
    )
    chart = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=90))
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("status:N", sort=_STATUS_ORDER[::-1], title=None),
        )
        .properties(height=140)
    )
    st.altair_chart(chart, key=f"{key}_timeline")


def _ideas(cm: Commitments, plan: Plan) -> None:
    """Step 8 of 004: new service ideas, and whether each was tried and implemented."""
    st.subheader("My service ideas")
    st.caption(
        "An idea for better service you could try. Mark it when you try it, and when it sticks."
    )
    if st.session_state.pop("idea_clear", False):
        st.session_state["new_idea"] = ""
    text = st.text_input("A new idea", key="new_idea", max_chars=300)
    if st.button("Add the idea", key="idea_add"):
        try:
            cm.add_idea(plan.token, text)
        except CoachError as exc:
            fail(exc)
        else:
            st.session_state["idea_clear"] = True
            st.rerun()
    for i in plan.ideas:
        cols = st.columns([4, 1, 1])
        stage = (
            f"implemented {i.implemented_on}"
            if i.implemented_on
            else f"tried {i.tried_on}"
            if i.tried_on
            else f"new, {i.created_at:%Y-%m-%d}"
        )
        cols[0].text(f"{i.text} · {stage}")
        if not i.tried_on and cols[1].button("Tried it", key=f"idea_{i.id}_tried"):
            act(partial(cm.idea_stage, plan.token, i.id, "tried"))
        if not i.implemented_on and cols[2].button("It stuck", key=f"idea_{i.id}_implemented"):
            act(partial(cm.idea_stage, plan.token, i.id, "implemented"))


def _llm_rewrite(cm: Commitments, coach: Coach, plan: Plan, v: CommitmentView) -> None:
    key = f"c{v.commitment.id}_llm"
    if not coach.enabled:
        return
    text, mission = v.commitment.text, plan.mission
    if st.button("Sharper rewrite (LLM)", key=key, disabled=llm_panel.asking(key)):
        if (refusal := llm_panel.budget_refusal(plan.workshop_id)) is not None:
            warn(refusal)
            return
        llm_panel.start(key, text, lambda: coach.rewrite_commitment(text, mission))
    _, got, why = llm_panel.answer(key, text)
    if why is not None:
        warn(f"No LLM rewrite this time: {why}")
    if got is not None:
        st.session_state[key + "_answer"] = got
    better = st.session_state.get(key + "_answer")
    if better is not None:
        st.text(f"Suggested: {better.text}")
        st.text(f"How it serves the mission: {better.why}")
        st.text(f"Rubric: overall {better.result.overall} (now {v.result.overall})")
        if st.button("Use this", key=key + "_use"):
            st.session_state.pop(key + "_answer")
            act(partial(cm.update, plan.token, v.commitment.id, text=better.text))


@st.cache_resource
def _zones() -> list[str]:
    return sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")


@st.cache_resource
def _mail_on() -> bool:
    """Whether this server can send email (read once: a restart picks up a change)."""
    return configured()[0] is not None


def _digest(cm: Commitments, plan: Plan) -> None:
    """Opt in to a weekly email: what is due, partners' check-ins, new feedback."""
    if not plan.commitments:
        return
    with st.expander("Weekly reminder by email", expanded=False):
        if not _mail_on():
            st.caption(
                "Email is not set up on this server yet: ask whoever runs Mission Coach to "
                "set COACH_SMTP_HOST (see the README). Calendar reminders work already."
            )
        email = st.text_input("Your email", value=plan.email, key="digest_email")
        st.caption(
            "Each week: what is due, your partners' check-ins, new feedback. Leave it empty "
            "for none."
        )
        if st.button("Save", key="digest_save"):
            act(partial(cm.set_email, plan.token, email))


def _set_timezone(cm: Commitments, token: str) -> None:
    try:
        cm.set_timezone(token, str(st.session_state.get("plan_timezone", "")))
    except CoachError as exc:
        st.session_state["commitment_flash_error"] = str(exc)


def _calendar(cm: Commitments, plan: Plan, team: list[Member]) -> None:
    if problem := st.session_state.pop("commitment_flash_error", None):
        fail(CoachError(problem))
    zones = _zones()
    browser = st.context.timezone if st.context.timezone in zones else None
    tz = plan.timezone or browser or "UTC"
    if plan.commitments:
        st.selectbox(
            "Reminders ring at 09:00 in this time zone",
            zones,
            index=zones.index(tz) if tz in zones else zones.index("UTC"),
            key="plan_timezone",
            on_change=_set_timezone,
            args=(cm, plan.token),
        )
    reminders = cm.calendar(plan, tz, team)
    if reminders:
        st.download_button(
            "Add reminders to my calendar (.ics)",
            data=partial(to_ics, reminders),
            file_name="commitments.ics",
            mime="text/calendar",
            key="ics_download",
            on_click="ignore",
        )
    elif plan.commitments:
        st.caption("Give a commitment a due date or a cadence to get calendar reminders.")


render()
