"""The script `mission-coach serve` hands to Streamlit; the checkout's app.py is the same."""

from coach.ui.router import route

route()
