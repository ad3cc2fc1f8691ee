"""What `mission-coach serve` and `make run` start: the app, plus the watch endpoint.

`streamlit run` finds the st.App below and serves it with uvicorn; AppTest and
`streamlit run app.py` use the pages alone (screens then stop following live).
"""

from pathlib import Path

import streamlit as st
from starlette.routing import Route

from coach.ui.watch_api import watch

app = st.App(
    str(Path(__file__).resolve().with_name("app.py")),
    routes=[Route("/_coach/watch", watch, methods=["GET"])],
)
