"""The pages script the server runs (kept apart from pages/, which Streamlit would list)."""

from coach.ui.router import route

route()
