"""The scripts Streamlit runs: kept apart from pages/, which Streamlit would list itself."""
