"""The Streamlit router: every page, the top bar, and one error box for what escapes a page."""

from __future__ import annotations

import streamlit as st

from coach.errors import CoachError
from coach.ui.common import PAGES, fail


def route() -> None:
    # Wide: the facilitator's screens go on a laptop or a projector, where a centred
    # 730 px column left 40% of the screen empty; phones are narrow either way.
    st.set_page_config(page_title="Mission Coach", page_icon="🧭", layout="wide")
    pages = [
        st.Page(PAGES["home"], title="Workshops", icon="🏠", url_path="home", default=True),
        st.Page(PAGES["workshop"], title="Facilitate", icon="🧑‍🏫", url_path="workshop"),
        st.Page(PAGES["consensus"], title="Consensus", icon="🤝", url_path="consensus"),
        st.Page(PAGES["present"], title="Present", icon="📽️", url_path="present"),
        st.Page(PAGES["join"], title="Join", icon="📱", url_path="join"),
        st.Page(PAGES["commitments"], title="My commitments", icon="✅", url_path="commitments"),
        st.Page(PAGES["team"], title="Team commitments", icon="📋", url_path="team"),
        st.Page(PAGES["programme"], title="Programme", icon="🏢", url_path="programme"),
        st.Page(PAGES["score"], title="Score a statement", icon="🎯", url_path="score"),
        st.Page(PAGES["settings"], title="Settings", icon="⚙️", url_path="settings"),
    ]
    try:
        st.navigation(pages, position="top").run()
    except CoachError as exc:  # e.g. the database went away mid-page: a message, not a traceback
        fail(exc)
