"""The LLM's second opinion beside the rubric, on any page. Nothing here calls it on a rerun.

A call runs in the background: the page (the rubric's scores and tips, the draft box)
stays usable while the LLM thinks, a small fragment says how long it has been asking,
and the answer (or the reason there is none) appears when it is ready.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from coach.domain.limits import Window
from coach.llm.coaching import Coach, Feedback
from coach.llm.protocol import LLMError
from coach.ui.common import warn
from coach.ui.device import client_key, in_minutes

# LLM calls cost money: a browser may ask a dozen times in ten minutes, a workshop (every
# phone and the facilitator together) a hundred and fifty. Answers from the cache are free
# and do not count.
PER_CLIENT = Window(12, 600)
PER_WORKSHOP = Window(150, 600)

# Calls in flight for every session of this server; each call is bounded by the LLM
# settings' deadline, so a worker is never held for long.
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="coach-llm")
_log = logging.getLogger(__name__)


@dataclass
class _Job:
    about: str  # the text the question was about: an answer for older text is dropped
    future: Future[Any]
    started: float


def start(key: str, about: str, call: Callable[[], Any]) -> None:
    """Ask in the background; `answer(key, about)` collects it on a later run. The page
    draws again at once, with its button held while the question is in the air."""
    st.session_state[f"{key}_job"] = _Job(about, _POOL.submit(call), time.monotonic())
    st.rerun()


def answer(key: str, about: str) -> tuple[bool, Any, str | None]:
    """(still asking, the answer, why there is none). While asking, a small fragment
    shows the wait and redraws the page once the answer is in."""
    job = st.session_state.get(f"{key}_job")
    if not isinstance(job, _Job) or job.about != about:
        st.session_state.pop(f"{key}_job", None)  # the text changed: that answer is stale
        return False, None, None
    if not job.future.done():
        _waiting(f"{key}_job")
        return True, None, None
    st.session_state.pop(f"{key}_job", None)
    try:
        return False, job.future.result(), None
    except LLMError as exc:
        return False, None, str(exc)
    except Exception:  # a bug must not take the page down: the rubric stands
        _log.exception("LLM call failed unexpectedly")
        return False, None, "the LLM coach failed unexpectedly."


def asking(key: str) -> bool:
    job = st.session_state.get(f"{key}_job")
    return isinstance(job, _Job) and not job.future.done()


@st.fragment(run_every=1.0)
def _waiting(job_key: str) -> None:
    job = st.session_state.get(job_key)
    if not isinstance(job, _Job):
        return
    if job.future.done():
        st.rerun(scope="app")  # the whole page shows the answer
    waited = time.monotonic() - job.started
    st.caption(
        f"Asking the LLM coach… {waited:.0f} s. The rubric's scores above stand, and you "
        "can keep working: the answer appears here when it is ready."
    )


def budget_refusal(workshop_id: int | None, calls: int = 1) -> str | None:
    """None if this browser (and its workshop) may make `calls` more LLM calls now; else
    a sentence saying how long to wait."""
    who = client_key()
    for _ in range(calls):
        wait = PER_CLIENT.take(who)
        if wait is None and workshop_id is not None:
            wait = PER_WORKSHOP.take(f"w:{workshop_id}")
        if wait is not None:
            return (
                "The LLM coach has had many questions from here in the last ten minutes: "
                f"ask again in {in_minutes(wait)}. The rubric's scores and tips above stand."
            )
    return None


def feedback(
    coach: Coach,
    text: str,
    *,
    key: str,
    workshop_id: int | None = None,
    on_use: Callable[[str], None] | None = None,
) -> None:
    """A button that asks once; the answer stays in the session for this exact text."""
    if not coach.enabled:
        return
    held = st.session_state.get(f"{key}_llm")
    if held is not None and held[0] != text:
        held = None
    if st.button("Ask the LLM coach for a second opinion", key=f"{key}_ask", disabled=asking(key)):
        if (refusal := budget_refusal(workshop_id)) is not None:
            warn(refusal)
            return
        start(key, text, lambda: coach.feedback(text, workshop_id=workshop_id))
    waiting, got, why = answer(key, text)
    if why is not None:
        warn(f"No LLM feedback this time: {why} The rubric's scores above stand.")
        return
    if got is not None:
        held = (text, got)
        st.session_state[f"{key}_llm"] = held
    if held is not None and not waiting:
        show(held[1], key=key, on_use=on_use)


def show(fb: Feedback, *, key: str, on_use: Callable[[str], None] | None = None) -> None:
    st.caption(
        f"Second opinion from {fb.model}"
        + (" (cached)" if fb.cached else "")
        + ": shown beside the rubric, never replacing it."
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "criterion": s.label,
                    "LLM (1–5)": s.score,
                    "rubric (0–100)": s.rubric,
                    "LLM's reason": s.reason,
                }
                for s in fb.scores
            ]
        ),
        hide_index=True,
        key=f"{key}_llm_scores",
    )
    for note in fb.disagreements:
        st.info(f"The two disagree strongly. {note}.")
    for i, r in enumerate(fb.rewrites):
        with st.container(border=True):
            st.text(r.text)
            st.text(
                f"Rubric: overall {r.result.overall} · "
                + " · ".join(f"{c.label} {c.score}" for c in r.result.criteria.values())
            )
            if on_use is not None and st.button("Use this as my new version", key=f"{key}_use_{i}"):
                on_use(r.text)


def feedback_line(fb: Feedback | LLMError) -> str:
    """One line for a board card."""
    if isinstance(fb, LLMError):
        return f"LLM: no feedback ({fb})"
    line = "LLM: " + " · ".join(f"{s.label} {s.score}/5" for s in fb.scores)
    return line + (" · disagrees with the rubric" if fb.disagreements else "")
