"""The noise tab: an ensemble of seeds (spread vs batch size) and dropout made visible."""

from __future__ import annotations

import numpy as np
import streamlit as st

from optviz.engine.simulate import GRADIENT_MODES
from optviz.ensemble import MAX_SEEDS, ensemble, noise_setting
from optviz.figures.ensemble import cloud_figure, loss_band_figure
from optviz.figures.prebuilt import PrebuiltFigure
from optviz.kinds import KINDS
from optviz.state import State
from optviz.ui import binding, warmup
from optviz.ui.compute import View
from optviz.ui.widgets import run_picker
from surfaces import get_surface
from surfaces.finite_sum import dropout_penalty, dropout_solution

DROPOUT_SURFACE = "noisy_bowl"
DROPOUT_SEEDS = 20
DROPOUT_STORY = (
    "**Why dropout shrinks the weights.** Dropping feature j with probability p and scaling the survivors by "
    "1/(1−p) leaves the prediction right on average but adds variance p/(1−p)·a_j²·w_j² to it. For squared "
    "error that variance is paid in the loss, so on average dropout minimises\n\n"
    "E[loss] = f(w) + ½ Σ_j λ_j w_j²,  λ_j = p/(1−p) · mean(a_j²):\n\n"
    "an L2 penalty whose strength grows with p and is scaled by each feature's size (Srivastava et al., 2014; "
    "Wager, Wang & Liang, 2013, *Dropout training as adaptive regularization*). The paths settle, noisily, "
    "around that ridge solution, not around the least-squares one."
)


@st.cache_data(max_entries=32, show_spinner=False)
def _ensemble(key: tuple, run: int, seeds: int, gradient: str, value, _state: State):
    return ensemble(_state, _state.runs[run], seeds, gradient, value)


def _format(gradient: str, value) -> str:
    return f"{GRADIENT_MODES[gradient].legend} = {value:g}"


def render(view: View) -> None:
    ensemble_panel(view)
    st.divider()
    dropout(view)


@st.fragment
def ensemble_panel(view: View) -> None:
    """Its controls (run, seeds, values) rerun only this panel."""
    state, computed, sizes = view.state, view.computed, view.sizes
    st.subheader("Stochastic ensemble: one run, many seeds")
    gradient, offered = noise_setting(state)
    param = GRADIENT_MODES[gradient].param
    left, middle, right = st.columns(3)
    run = run_picker(
        left,
        "Run",
        "ens_run",
        computed.labels,
        help="Its optimizer and hyperparameters; the gradient noise is set here.",
    )
    seeds = middle.slider("Seeds K", 5, MAX_SEEDS, 30, key="ens_seeds", help="Copies of the run, seeds 0 … K−1.")
    values = right.multiselect(
        f"Compare {param.name} ({param.range_text()})",
        offered,
        default=[offered[0], offered[2]],
        key=f"ens_values_{gradient}",
        max_selections=4,
        format_func=lambda v: _format(gradient, v),
    )
    if not values:
        st.info(f"Pick at least one {param.name} to draw the ensemble.")
    else:
        with st.spinner(f"Running {seeds * len(values)} seeds…"):
            ensembles = warmup.run(
                lambda: [_ensemble(view.engine_key, run, seeds, gradient, v, state) for v in values],
                "the ensemble's runs",
            )
        labels = [_format(gradient, v) for v in values]
        kind = KINDS[state.runs[run].kind].label
        cloud, band = st.columns(2) if not state.presentation else (st.container(), st.container())
        title = f"{kind}, {seeds} seeds each: where the randomness takes it"
        cloud.plotly_chart(
            PrebuiltFigure(cloud_figure(view.landscape, view.image_uri, ensembles, labels, sizes, title)),
            key="ensemble_cloud",
            theme=None,
        )
        floor = min((m.value for m in computed.minima), default=0.0)
        band.plotly_chart(
            PrebuiltFigure(loss_band_figure(ensembles, labels, sizes, floor)), key="ensemble_band", theme=None
        )
        st.dataframe(
            [
                {
                    "gradient": label,
                    "spread of end points (RMS)": e.spread,
                    "median final loss": float(e.loss_band[1, -1]),
                    "diverged": f"{e.diverged} of {seeds}",
                }
                for label, e in zip(labels, ensembles)
            ],
            hide_index=True,
            width="stretch",
            column_config={
                "spread of end points (RMS)": st.column_config.NumberColumn(format="%.3g"),
                "median final loss": st.column_config.NumberColumn(format="%.4g"),
            },
        )
        why = (
            "A mini-batch of B points averages B gradients, so its noise, and the cloud's width, shrinks roughly "
            "like 1/√B."
            if gradient == "minibatch"
            else "σ is the standard deviation of the Gaussian noise added to every gradient: the cloud widens with it."
        )
        st.caption(f"Same optimizer, same start, different random draws. {why}")


@st.fragment
def dropout(view: View) -> None:
    """Its controls (run, p) rerun only this panel."""
    binding.follow_page_changes()
    state, computed, sizes = view.state, view.computed, view.sizes
    st.subheader("Dropout, made visible")
    if state.surface != DROPOUT_SURFACE:
        st.caption(
            "Dropout hides input features of a regression, so it needs data: the noisy bowl is a real "
            "least-squares problem over 200 points."
        )
        st.button(
            "Open the noisy bowl",
            key="open_noisy_bowl",
            on_click=binding.whole_page(binding.switch_surface),
            args=(DROPOUT_SURFACE,),
        )
        return
    param = GRADIENT_MODES["dropout"].param
    left, right = st.columns(2)
    run = run_picker(left, "Run", "drop_run", computed.labels)
    p = right.slider("Dropout probability p", 0.0, 0.9, 0.5, 0.05, key="dropout_p", help=param.help)
    data = get_surface(DROPOUT_SURFACE).dataset
    theory = dropout_solution(data, p)
    least_squares = dropout_solution(data, 0.0)
    with st.spinner("Running the dropout seeds…"):
        ens = warmup.run(
            lambda: _ensemble(view.engine_key, run, DROPOUT_SEEDS, "dropout", p, state), "the dropout runs"
        )
    measured = ens.settled_mean()
    shrink = np.array([dropout_solution(data, q) for q in np.linspace(0.0, 0.9, 31)])
    marks = (
        ("least squares (no dropout)", *least_squares, "star"),
        (f"theory: ridge with λ = p/(1−p)·mean(a²), p = {p:g}", *theory, "diamond"),
        ("average of the second half of all paths", *measured, "x"),
    )
    figure = cloud_figure(
        view.landscape,
        view.image_uri,
        [ens],
        [f"dropout p = {p:g}"],
        sizes,
        f"{KINDS[state.runs[run].kind].label} with input dropout: {DROPOUT_SEEDS} seeds",
        marks=marks,
        curve=("theory as p goes 0 → 0.9", shrink),
    )
    picture, text = st.columns([3, 2]) if not state.presentation else (st.container(), st.container())
    picture.plotly_chart(PrebuiltFigure(figure), key="dropout_cloud", theme=None)
    with text:
        lam = dropout_penalty(data, p)
        st.dataframe(
            [
                {"": "λ per feature", "w₁": lam[0], "w₂": lam[1]},
                {"": "least squares", "w₁": least_squares[0], "w₂": least_squares[1]},
                {"": "theory (ridge)", "w₁": theory[0], "w₂": theory[1]},
                {"": "measured (average)", "w₁": measured[0], "w₂": measured[1]},
            ],
            hide_index=True,
            width="stretch",
            column_config={c: st.column_config.NumberColumn(format="%.4g") for c in ("w₁", "w₂")},
        )
        st.markdown(DROPOUT_STORY)
