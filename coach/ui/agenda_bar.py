"""The facilitator's agenda: where the room is, Back and Next, and the steps and times."""

from __future__ import annotations

from functools import partial

import streamlit as st

from coach.domain.agenda import Agenda, AgendaItem, info
from coach.domain.types import Workshop
from coach.ui import steps
from coach.ui.common import services


def current(workshop: Workshop) -> Agenda:
    """The workshop's agenda, read once per revision of the workshop, not on every rerun."""
    held = st.session_state.get("agenda_seen")
    if held is not None and held[0] == (workshop.id, workshop.revision):
        return held[1]
    agenda = services().steps.agenda(workshop)
    st.session_state["agenda_seen"] = ((workshop.id, workshop.revision), agenda)
    return agenda


def label(item: AgendaItem, workshop: Workshop) -> str:
    s = item.info
    done = item.agreed_at is not None or (item.step == "mission" and workshop.adopted_id)
    return (f"Step {s.number}: " if s.number else "") + s.short + (" ✓" if done else "")


def render(workshop: Workshop, agenda: Agenda, key: str | None) -> None:
    """One line of the whole agenda, and the two buttons that move every screen."""
    at, total = agenda.position()
    line = "  →  ".join(
        f"[{label(i, workshop)}]" if i.step == agenda.current else label(i, workshop)
        for i in agenda.enabled
    )
    st.caption(f"Agenda, step {at} of {total}:  {line}")
    back, ahead = agenda.neighbour(-1), agenda.neighbour(1)
    left, right = st.columns(2)
    go = services().steps.go
    left.button(
        f"◀ Back to {info(back).short}" if back else "◀ Back",
        key="agenda_back",
        width="stretch",
        disabled=back is None,
        on_click=steps.run,
        args=(partial(go, workshop.code, key, back or "", seen=agenda.current),),
    )
    right.button(
        f"Next: {info(ahead).short} ▶" if ahead else "This is the last step",
        key="agenda_next",
        type="primary",
        width="stretch",
        disabled=ahead is None,
        on_click=steps.run,
        args=(partial(go, workshop.code, key, ahead or "", seen=agenda.current),),
    )
    _edit(workshop, agenda, key)


_EDITING = "agenda_editing"


def _edit(workshop: Workshop, agenda: Agenda, key: str | None) -> None:
    """The agenda's form, drawn only while the facilitator edits it: fourteen widgets on
    every live redraw would cost the facilitator screen about 15 ms each time."""
    if not st.session_state.get(_EDITING):
        st.button(
            "Agenda: steps and times…",
            key="agenda_edit",
            on_click=st.session_state.__setitem__,
            args=(_EDITING, True),
        )
        return
    with st.form("agenda_form"):
        st.caption(
            "Switch steps on or off and set each step's writing time in minutes: the timer "
            "starts with it. Phones and the projector follow the step the room is on."
        )
        for item in agenda.items:
            name, minutes = st.columns([3, 1])
            name.checkbox(label(item, workshop), value=item.enabled, key=f"agenda_on_{item.step}")
            minutes.number_input(
                "Minutes",
                1,
                240,
                item.minutes,
                key=f"agenda_min_{item.step}",
                label_visibility="collapsed",
            )
        save, cancel = st.columns(2)
        if cancel.form_submit_button("Close without saving"):
            st.session_state[_EDITING] = False
            st.rerun()
        if save.form_submit_button("Save the agenda", type="primary"):
            state = st.session_state
            state[_EDITING] = False
            steps.run(
                partial(
                    services().steps.set_agenda,
                    workshop.code,
                    key,
                    {i.step: bool(state[f"agenda_on_{i.step}"]) for i in agenda.items},
                    {i.step: int(state[f"agenda_min_{i.step}"]) for i in agenda.items},
                ),
                "Agenda saved.",
            )
            st.rerun()
