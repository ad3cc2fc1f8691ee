"""The thin Streamlit layer: the only part of `coach` that imports streamlit."""
