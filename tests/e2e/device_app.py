"""Test-only app: remember and forget workshop codes in this browser's localStorage."""

from __future__ import annotations

import streamlit as st

from coach.ui.device import device_memory

code = st.text_input("Code", key="code")
# "Keep adding" passes the same entry on every rerun, as a page showing one workshop would.
sticky = st.checkbox("Keep adding", key="sticky")
clicked = st.button("Remember", key="remember")
add = {"code": code, "name": "Test", "role": "member"} if clicked or sticky else None
forget = code if st.button("Forget", key="forget") else None
entries = device_memory(add=add, forget=forget)
if entries is None:
    st.text("recent: loading")
elif not entries:
    st.text("recent: none")
else:
    st.text("recent: " + ", ".join(e["code"] for e in entries))
# Counts script runs, so a test can see that the component stops asking for reruns.
st.session_state.runs = st.session_state.get("runs", 0) + 1
st.text(f"runs: {st.session_state.runs}")
