"""What the page says while the engine is being prepared (see optviz.engine.warmup)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from optviz.engine import warmup


@st.cache_resource(show_spinner=False)
def begin() -> bool:
    """Once per server process: compile in the background if the Numba cache is cold."""
    warmup.start()
    return True


_TOASTED = "_warmup_toasted"


def notice(presentation: bool = False) -> None:
    """A line above the charts while the compiled engine is not ready yet; in Presentation mode a
    toast, once, so it takes none of the projector's height."""
    begin()
    if warmup.interpreting():
        left = warmup.seconds_left()
        text = (
            f"⏳ The app has just restarted and is warming up in the background (about {left:.0f} s more). "
            "Everything works meanwhile, with the same results; only the Maps wait until it is done."
        )
        if not presentation:
            st.caption(text)
        elif not st.session_state.get(_TOASTED):
            st.session_state[_TOASTED] = True
            st.toast(text)


def _waiting(what: str, left: float):
    return st.spinner(f"The app has just restarted and is warming up: {what} need it, about {left:.0f} s more…")


def run(compute: Callable[[], Any], what: str) -> Any:
    """``compute()``; if it needs the compiled engine, say so and how long while waiting."""
    begin()
    if not warmup.interpreting():
        return compute()
    with _waiting(what, warmup.seconds_left()):
        return warmup.run(compute)


def compiled(what: str) -> None:
    """Wait for the compiled trajectory kernel (thousands of runs are too slow uncompiled), saying why."""
    begin()
    if not warmup.kernel_ready():
        with _waiting(what, warmup.seconds_left(stages=1)):
            warmup.wait(warmup.kernel_ready)
