"""Mission Coach: the Streamlit router (coach/ui/router.py). `make run` serves the same app."""

from coach.ui.router import route

route()
