"""Buttons that change the workshop: the action is bound when the button is drawn.

A button's on_click runs with the arguments of the screen the person saw, before the
page reruns: a stale screen sends what it showed (an Expect), and the service refuses
it and says why, instead of acting on whatever the state is now. Steps that are hard to
take back ask first; a refusal or a confirmation is kept for the next run to show.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from coach.errors import CoachError
from coach.scoring.view import md_escape
from coach.service.workshops import AlreadyDone

FLASH = "step_flash"


def run(action: Callable[[], object], done: str = "") -> None:
    """For on_click: make the change; keep its refusal (or a line saying it was done)."""
    try:
        action()
    except AlreadyDone as exc:  # nothing to do, nothing wrong
        st.session_state[FLASH] = ("info", str(exc))
        return
    except CoachError as exc:
        st.session_state[FLASH] = ("error", str(exc))
        return
    if done:
        st.session_state[FLASH] = ("success", done)


def flash() -> None:
    """What the last step said, once, where the page puts it."""
    shown = st.session_state.pop(FLASH, None)
    if shown is None:
        return
    kind, message = shown
    show = {"error": st.error, "info": st.info}.get(kind, st.success)
    show(md_escape(message))


def toggled(state_key: str, action: Callable[[bool], object]) -> None:
    """For a toggle's on_change: the action with the toggle's new value."""
    run(partial(action, bool(st.session_state.get(state_key))))


def button(
    label: str, action: Callable[[], object], *, key: str, done: str = "", primary: bool = False
) -> None:
    st.button(
        label,
        key=key,
        type="primary" if primary else "secondary",
        on_click=run,
        args=(action, done),
    )


def confirmed(
    label: str,
    question: str,
    action: Callable[[], object],
    *,
    key: str,
    done: str = "",
    primary: bool = True,
) -> None:
    """A step that asks first: the question, then 'Yes' (bound to this screen) or 'Cancel'."""
    asking = f"{key}_asking"
    if not st.session_state.get(asking):
        st.button(
            label,
            key=key,
            type="primary" if primary else "secondary",
            on_click=_ask,
            args=(asking, True),
        )
        return
    with st.container(border=True):
        st.warning(md_escape(question))
        yes, no = st.columns(2)
        yes.button(
            f"Yes: {label[0].lower()}{label[1:]}",
            key=f"{key}_yes",
            type="primary",
            on_click=_confirm,
            args=(asking, action, done),
        )
        no.button("Cancel", key=f"{key}_no", on_click=_ask, args=(asking, False))


def _ask(flag: str, on: bool) -> None:
    st.session_state[flag] = on


def _confirm(flag: str, action: Callable[[], object], done: str) -> None:
    st.session_state[flag] = False
    run(action, done)
