"""What the page says while the engine is being prepared (see optviz.engine.warmup)."""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from optviz.engine import warmup


@st.cache_resource(show_spinner=False)
def begin() -> bool:
    """Once per server process: compile in the background if the Numba cache is cold."""
    warmup.start()
    return True


def notice() -> None:
    """A line above the charts while the compiled engine is not ready yet."""
    begin()
    if warmup.interpreting():
        stage, left = warmup.progress()
        st.caption(f"⏳ First visit after a restart: preparing the engine in the background ({stage}, about "
                   f"{left:.0f} s). Until then the same code runs uncompiled: identical numbers, slower maps.")


def run(compute: Callable[[], Any], what: str) -> Any:
    """``compute()``; if it needs the compiled engine, say so and how long while waiting."""
    begin()
    if not warmup.interpreting():
        return compute()
    stage, left = warmup.progress()
    with st.spinner(f"First visit after a restart: preparing the engine for {what} ({stage}, about {left:.0f} s)…"):
        return warmup.run(compute)


def compiled(what: str) -> None:
    """Wait for the compiled trajectory kernel (thousands of runs are too slow uncompiled), saying why."""
    begin()
    if not warmup.kernel_ready():
        _, left = warmup.progress(stages=1)
        with st.spinner(f"First use after a restart: {what} need the compiled engine, ready in about {left:.0f} s…"):
            warmup.wait(warmup.kernel_ready)
