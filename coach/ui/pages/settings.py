"""Settings: whether LLM coaching is on, a connection test, and the tokens used."""

from __future__ import annotations

import streamlit as st

from coach.llm.openai_chat import OpenAIChat
from coach.llm.protocol import LLMError
from coach.scoring.view import md_escape
from coach.ui.common import fail, services


def render() -> None:
    svc = services()
    coach = svc.coach
    st.title("Settings")
    st.subheader("LLM coaching")
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


render()
