"""Streamlit pieces: session state, sidebar controls, cached computation and the views."""
