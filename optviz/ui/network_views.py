"""The /network page's tabs: what the network computes, train against validation, the
landscape planes, sharpness against 2/lr, and the link and files to take away."""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import numpy as np
import streamlit as st

from optviz.figures import network as figures
from optviz.figures.export import standalone_html
from optviz.figures.network_slides import decision_gif, decision_png
from optviz.figures.prebuilt import PrebuiltFigure
from optviz.netlessons import NET_PRESETS
from optviz.netlink import is_preset_view
from optviz.netstate import NET_FIELDS, NetState
from optviz.network.planes import PLANES
from optviz.network.train import TrainResult
from optviz.ui import network_compute as compute
from optviz.ui import pages
from optviz.ui.bridge import NARROW_PX
from optviz.ui.compute import figure
from optviz.ui.views import CHART_CONFIG, PRESENTATION_CSS, download, html_table, on_phone, still_step

__all__ = ["PRESENTATION_CSS", "on_phone"]

PLANE_NAMES = {key: spec.name for key, spec in PLANES.items()}
RESULT_COLUMNS = ("run", "outcome", "training loss", "validation loss", "gap", "best validation (early stopping)")


# The page's own layout, keyed on its containers (views.PAGE_CSS styles the surfaces page's)
NETWORK_CSS = """<style>
/* the header: the link to the surfaces on the title's line, at the right (a phone: under it) */
.st-key-net_header [data-testid="stMarkdownContainer"] { margin-bottom: 0; }
.st-key-net_header h2, .st-key-net_header h3 { padding: 0.25rem 0; }
.st-key-net_header [data-testid="stColumn"]:last-child [data-testid="stVerticalBlock"] { align-items: flex-end; }
@media (max-width: 640px) {
  .st-key-net_header [data-testid="stColumn"]:last-child [data-testid="stVerticalBlock"] { align-items: flex-start; }
}
TABLES
</style>"""
HONESTY_COLUMNS = ("run", "movement in the plane", "loss at the end", "loss at its projection", "largest difference")


def _table_css(key: str, columns: tuple[str, ...]) -> str:
    """The table in ``st.container(key=key)``: its text wraps; on a phone each row is one block of
    "column: value" lines, as the surfaces' results table (views.PAGE_CSS), so nothing scrolls sideways."""
    k = f".st-key-{key}"
    labels = "\n".join(
        f'  {k} td:nth-child({i})::before {{ content: "{name}: "; font-weight: 600; }}'
        for i, name in enumerate(columns, start=1)
        if i > 1  # the run's name heads its block
    )
    return f"""{k} table {{ font-size: 1rem; width: 100%; }}
{k} th, {k} td {{ white-space: normal; overflow-wrap: anywhere; }}
@media (max-width: {NARROW_PX}px) {{
  {k} table, {k} tbody, {k} tr, {k} td {{ display: block; }}
  {k} thead {{ display: none; }}
  {k} tr {{ padding: 0.3rem 0; border-bottom: 1px solid rgba(49, 51, 63, 0.2); }}
  {k} td {{ border: none; padding: 0.05rem 0.5rem; }}
  {k} td:first-child {{ font-weight: 600; }}
{labels}
}}"""


NETWORK_CSS = NETWORK_CSS.replace(
    "TABLES", _table_css("net_results", RESULT_COLUMNS) + "\n" + _table_css("net_honesty", HONESTY_COLUMNS)
)


def header(state: NetState) -> None:
    with st.container(key="net_header"):
        left, right = st.columns([3, 2], vertical_alignment="center")
        level = "###" if state.presentation or on_phone() else "##"
        with left:
            st.markdown(f"{level} 🧠 Train a real network")
        with right:
            st.page_link(pages.surfaces(), label="Optimizers on 2-D surfaces", icon="📉")


def outcome_text(result: TrainResult) -> str:
    """How a run ended, in words."""
    outcome = result.outcome
    if outcome.kind != "diverged":
        return f"trained all {len(result.train_loss) - 1} steps"
    why = (
        "the loss or a weight became infinite"
        if outcome.reason == "non_finite"
        else "a weight grew past 10⁶ (it flew off)"
    )
    return (
        f"diverged at step {outcome.step}: {why}. The lr is too large for this network's curvature: "
        "a step overshoots further than the one before."
    )


def _fmt(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{value:.3g}"


def results_table(state: NetState, results: list[TrainResult]) -> None:
    rows = []
    for label, result in zip(state.labels(), results):
        end = result.final_step
        best = result.best_validation_step
        train_loss, validation_loss = result.train_loss[end], result.validation_loss[end]
        rows.append(
            (
                label,
                outcome_text(result),
                _fmt(train_loss),
                _fmt(validation_loss),
                _fmt(validation_loss - train_loss),
                f"{_fmt(result.validation_loss[best])} at step {best}",
            )
        )
    with st.container(key="net_results"):
        st.markdown(html_table(RESULT_COLUMNS, rows), unsafe_allow_html=True)


def _chart(name: str, state: NetState, extra: tuple, build: Callable) -> None:
    """A figure built once for every session that shows the same view (its JSON cached)."""
    key = (state.engine_key(), state.presentation, on_phone(), *extra)
    encoded = figure(f"net.{name}", key, lambda: build().to_dict())
    st.plotly_chart(PrebuiltFigure(encoded), key=f"net_{name}", config=CHART_CONFIG, theme=None)


def _arrangement() -> str:
    return "stacked" if on_phone() else "side"


def network_tab(state: NetState, results: list[TrainResult]) -> None:
    labels = state.labels()
    # Presentation mode: the decision panels wider (figures.network.decision.FIGURE_WIDTH_PX)
    columns = [3, 2] if state.presentation else [1, 1]
    left, right = (st.container(), st.container()) if on_phone() else st.columns(columns)
    with left:
        _chart(
            "decisions",
            state,
            (state.speed,),
            lambda: figures.decision_figure(
                results, labels, presentation=state.presentation, arrangement=_arrangement(), frame_ms=state.speed
            ),
        )
    with right:
        _chart(
            "curves",
            state,
            (),
            lambda: figures.curves_figure(results, labels, presentation=state.presentation, phone=on_phone()),
        )
    results_table(state, results)


def _field_widget(name: str, options, names=None) -> None:
    """A select whose options read "label: value", so it needs no label line above it."""
    spec = next(f for f in NET_FIELDS if f.name == name)
    shown = names or str
    st.selectbox(
        spec.label,
        options,
        key=f"net.{name}",
        format_func=lambda value: f"{spec.label}: {shown(value)}",
        help=spec.param.help,
        label_visibility="collapsed",
    )


def landscape_tab(state: NetState, results: list[TrainResult]) -> None:
    runs = list(range(1, len(results) + 1))
    label_of = dict(zip(runs, state.labels()))
    # on a projector the controls go to the sidebar (» opens it): the map, its strip and Play fill the screen
    controls = [("plane", list(PLANES), PLANE_NAMES.get)]
    if state.plane != "pca":
        controls.append(("plane_run", runs, lambda i: f"{i}: {label_of[i]}"))
    if state.plane == "endpoints":
        controls.append(("plane_other", runs, lambda i: f"{i}: {label_of[i]}"))
    controls.append(
        ("landscape", ["train", "validation"], {"train": "training loss", "validation": "validation loss"}.get)
    )
    places = [st.sidebar] * len(controls) if state.presentation else st.columns(len(controls))
    for place, (name, options, names) in zip(places, controls):
        with place:
            _field_widget(name, options, names)
    with st.spinner("Slicing the landscape…"):
        plane = compute.landscape_plane(state, results)
    _chart(
        "landscape",
        state,
        (
            state.plane,
            state.plane_run,
            state.plane_other,
            state.landscape,
            state.resolution,
            state.view_3d,
            state.speed,
        ),
        lambda: figures.landscape_figure(
            plane,
            state.labels(),
            results=results,
            which=state.landscape,
            presentation=state.presentation,
            show_3d=state.view_3d == "on",
            arrangement=_arrangement(),
            frame_ms=state.speed,
        ),
    )
    honesty(state, results, plane)
    alpha_lines = compute.lines(state, results)
    _chart(
        "line",
        state,
        (),
        lambda: figures.line_figure(
            alpha_lines[0][0],
            [losses for _, losses in alpha_lines],
            state.labels(),
            presentation=state.presentation,
            phone=on_phone(),
        ),
    )


def honesty(state: NetState, results: list[TrainResult], plane) -> None:
    """What the slice hides: how much of each path lies in it, and the loss it misstates."""
    n = results[0].network.n_params
    if plane.paths[0] is None:
        st.caption(
            f"A 2-D slice of the {n}-dimensional weight space, through the end of run {state.plane_run} along two "
            "random directions: it shows the shape of the basin that run ended in, not the paths."
        )
        return
    rows = []
    for label, share, real, projected in zip(state.labels(), plane.captured, plane.real_loss, plane.projected_loss):
        rows.append(
            (label, f"{share:.0%}", _fmt(real[-1]), _fmt(projected[-1]), _fmt(np.max(np.abs(projected - real))))
        )
    st.caption(
        f"This map is a 2-D slice of a {n}-dimensional space. Each path is drawn where it projects onto the slice; "
        "the table says how much of each path's movement the slice holds, and how far the loss at the projection "
        "is from the loss on the real path."
    )
    with st.container(key="net_honesty"):
        st.markdown(html_table(HONESTY_COLUMNS, rows), unsafe_allow_html=True)


def sharpness_tab(state: NetState, results: list[TrainResult]) -> None:
    with st.spinner("Computing the Hessian's top eigenvalue along training…"):
        series = compute.sharpness(state, results)
    _chart(
        "sharpness",
        state,
        (),
        lambda: figures.sharpness_figure(
            series, [r.lrs for r in results], state.labels(), presentation=state.presentation, phone=on_phone()
        ),
    )
    st.caption(
        "Sharpness is the largest eigenvalue of the training loss's Hessian: the curvature along the steepest "
        "direction. Gradient descent with learning rate lr is stable on a quadratic only while it stays below 2/lr "
        "(the same cap as on the 2-D surfaces). On a network, full-batch GD sharpens until it reaches 2/lr and then "
        "hovers there, the loss falling overall with brief spikes: the edge of stability (Cohen et al. 2021). "
        "It is measured at even steps only: at the edge, GD's sharpness alternates from one step to the next, "
        "and points at alternating steps would draw a zigzag that is not there."
    )


def losses_csv(state: NetState, results: list[TrainResult]) -> str:
    """Every step of every run: its losses, accuracies and lr."""
    out = io.StringIO()
    out.write("run,label,step,lr,train_loss,validation_loss,train_accuracy,validation_accuracy\n")
    for r, (label, result) in enumerate(zip(state.labels(), results), start=1):
        for step in range(len(result.train_loss)):
            lr = result.lrs[step - 1] if step else math.nan
            values = (lr, result.train_loss[step], result.validation_loss[step])
            values += (result.train_accuracy[step], result.validation_accuracy[step])
            out.write(
                f'{r},"{label}",{step},' + ",".join("" if not math.isfinite(v) else repr(float(v)) for v in values)
            )
            out.write("\n")
    return out.getvalue()


def export_tab(state: NetState, results: list[TrainResult], link: str) -> None:
    st.caption("Opening this link reproduces the data, network, runs and settings exactly.")
    st.code(link, language=None, wrap_lines=True)
    name = f"optviz-network-{state.preset or state.dataset}"
    labels = state.labels()
    download(
        "⬇ Losses and accuracies at every step (CSV)",
        lambda: losses_csv(state, results),
        f"{name}.csv",
        "text/csv",
        "net_dl_csv",
    )
    download(
        "⬇ What the network computes, animated (HTML, plays offline)",
        lambda: standalone_html(figures.decision_figure(results, labels).to_dict(), "What the network computes"),
        f"{name}.html",
        "text/html",
        "net_dl_html",
    )
    # slide files are drawn with Pillow (no browser on the server), only when their button is clicked
    title = NET_PRESETS[state.preset].title if is_preset_view(state) else "What the network computes"
    step = still_step("net_still_step", len(results[0].train_loss) - 1, "; a diverged run at its last finite step")
    download(
        "⬇ What the network computes, a slide still (PNG, 1920×1080)",
        lambda: decision_png(results, labels, title, step),
        f"{name}-step{step}.png",
        "image/png",
        "net_dl_png",
    )
    download(
        "⬇ What the network computes while it trains, for slides (GIF, 960×720)",
        lambda: decision_gif(results, labels, title, frame_ms=state.speed),
        f"{name}.gif",
        "image/gif",
        "net_dl_gif",
    )
