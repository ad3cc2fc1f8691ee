"""Settings: whether LLM coaching is on, a connection test, and the tokens used."""

from __future__ import annotations

import hmac

import streamlit as st

from coach.errors import CoachError
from coach.llm.openai_chat import OpenAIChat
from coach.llm.protocol import LLMError
from coach.scoring.view import md_escape
from coach.ui import facilitating
from coach.ui.common import admin_key, fail, services


def render() -> None:
    svc = services()
    coach = svc.coach
    st.title("Settings")
    st.subheader("LLM coaching")
    if not _allowed():
        st.caption(
            "The rubric always scores offline; an LLM can add a second opinion. Which endpoint "
            "is used, the connection test and the tokens spent are shown to the facilitator "
            "(open your facilitator link first) or to whoever holds the admin key "
            "(COACH_ADMIN_KEY)."
        )
        _unlock()
        return
    st.text(f"Status: {coach.status()}")
    st.caption(
        "The rubric always scores offline. To add an LLM's second opinion, set "
        "OPENAI_API_KEY (OpenAI or a compatible gateway) or OPENAI_BASE_URL (e.g. a local "
        "Ollama, vLLM, llama.cpp or LM Studio server) in the environment or in "
        ".streamlit/secrets.toml, and optionally COACH_MODEL, then restart the app. "
        "The key is never shown, stored or exported."
    )
    testable = coach.enabled and isinstance(coach.llm, OpenAIChat)
    if testable and st.button("Test the connection", key="llm_ping"):
        with st.spinner("Testing…"):
            try:
                st.success(md_escape(coach.llm.ping()))  # type: ignore[union-attr]
            except LLMError as exc:
                fail(exc)
    used = coach.usage()
    st.subheader("Tokens used")
    cols = st.columns(3)
    cols[0].metric("LLM calls", used.calls - used.cached)
    cols[1].metric("Answered from cache", used.cached)
    cols[2].metric("Tokens", f"{used.total_tokens:,}")


def _allowed() -> bool:
    """A facilitator in this session, or the admin key given here."""
    if st.session_state.get("settings_admin"):
        return True
    found = facilitating.current()
    if found is None:
        return False
    try:
        services().workshops.facilitator(*found)
    except CoachError:
        return False
    return True


def _unlock() -> None:
    key = admin_key()
    if key is None:
        st.info("No admin key is set: open your facilitator link, then Settings in the top bar.")
        return
    with st.form("admin_form"):
        given = st.text_input("Admin key", type="password", key="admin_key_input")
        if st.form_submit_button("Open the settings"):
            if hmac.compare_digest(given.encode(), key.encode()):
                st.session_state["settings_admin"] = True
                st.rerun()
            else:
                st.error("That is not the admin key.")


render()
