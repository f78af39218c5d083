"""Figure builders: pure functions from runs to Plotly figure dicts."""
