"""The writing timer: a countdown the browser runs itself (no server work while it ticks)."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from functools import partial

import streamlit as st

from coach.domain.types import Workshop
from coach.service.workshops import Workshops
from coach.ui import steps

# The server sends the seconds left when the page draws; the browser counts from there,
# so a phone whose clock is wrong still shows the right time.
_JS = """
const clocks = (window.__missionCoachTimers ??= {});

export default function ({ data, parentElement }) {
  const face = parentElement.querySelector(".mission-coach-timer");
  if (!face || typeof data?.left !== "number") return;
  const key = data.id;
  if (clocks[key]) clearInterval(clocks[key]);
  const ends = Date.now() + data.left * 1000;
  const draw = () => {
    const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    const mm = String(Math.floor(left / 60)).padStart(2, "0");
    const ss = String(left % 60).padStart(2, "0");
    face.textContent = left > 0 ? `${mm}:${ss}` : "Time is up";
    face.dataset.state = left > 0 ? (left <= 60 ? "last" : "on") : "up";
    if (left === 0) clearInterval(clocks[key]);
  };
  draw();
  clocks[key] = setInterval(draw, 250);
  return () => clearInterval(clocks[key]);
}
"""
_HTML = '<div class="mission-coach-timer" role="timer" aria-live="off"></div>'
_CSS = """
.mission-coach-timer { font-size: 3rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.mission-coach-timer[data-state="last"] { color: #b45309; }
.mission-coach-timer[data-state="up"] { color: #b91c1c; }
"""
_component = st.components.v2.component(
    "mission_coach_timer", html=_HTML, css=_CSS, js=_JS, isolate_styles=False
)


def seconds_left(workshop: Workshop, now: datetime | None = None) -> float | None:
    if workshop.timer_ends_at is None:
        return None
    return max(0.0, (workshop.timer_ends_at - (now or datetime.now(UTC))).total_seconds())


def show(workshop: Workshop, *, key: str, large: bool = False) -> None:
    """The countdown, if a timer runs; with a line saying what happens at zero (`large`
    on the projector, where a caption could not be read from the back)."""
    left = seconds_left(workshop)
    if left is None:
        return
    note = "Writing time" + (": drafting closes at zero." if workshop.timer_lock else ".")
    if large:
        st.html(f'<div style="font-size:28px">{html.escape(note)}</div>')
    else:
        st.caption(note)
    _component(key=key, data={"id": key, "left": left})
    if left == 0:
        st.text("Time is up.")  # also in plain text, for readers without the script


def controls(ws: Workshops, workshop: Workshop, key: str | None, suggested: int = 5) -> None:
    """The facilitator starts (or stops) the silent writing time; each agenda step offers
    its own suggested minutes."""
    if workshop.timer_ends_at is not None:
        show(workshop, key="timer_facilitator")
        steps.button("Stop the timer", partial(ws.stop_timer, workshop.code, key), key="timer_stop")
        return
    left, mid, right = st.columns([1, 2, 1])
    minutes = f"timer_minutes_{workshop.step}"
    left.number_input("Minutes", 1, 60, max(1, min(60, suggested)), key=minutes)
    mid.checkbox("Close writing when time is up", key="timer_lock")
    right.button(
        "Start the timer",
        key="timer_start",
        on_click=steps.run,
        args=(partial(_start, ws, workshop.code, key, minutes),),
    )


def _start(ws: Workshops, code: str, key: str | None, minutes_key: str) -> None:
    minutes = float(st.session_state.get(minutes_key, 5))
    lock = bool(st.session_state.get("timer_lock", False))
    ws.start_timer(code, key, minutes, lock_at_zero=lock)
