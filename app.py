"""Mission Coach: the Streamlit router. Pages live in coach/ui/."""

from __future__ import annotations

import streamlit as st

from coach.ui import score_page

st.set_page_config(page_title="Mission Coach", page_icon="🧭", layout="centered")

pages = [
    st.Page(
        score_page.render, title="Score a statement", icon="🎯", url_path="score", default=True
    ),
]
st.navigation(pages).run()
