"""The main area: animations, results, curves, equations, glossary and exports."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import replace
from html import escape
from urllib.parse import urlencode

import streamlit as st

from optviz.engine.simulate import GRADIENT_MODES
from optviz.figures.curves import distance_figure, gradient_figure, loss_figure, lr_figure
from optviz.figures.export import standalone_html, trajectories_csv
from optviz.figures.paths import legend_html, paths_figure
from optviz.figures.prebuilt import PrebuiltFigure
from optviz.figures.slides import animated_gif, still_png
from optviz.glossary import GLOSSARY
from optviz.kinds import KINDS
from optviz.presets import PRESETS, lesson_for
from optviz.schedules import CATALOGUE as SCHEDULES
from optviz.state import QUIZ_SAFE_TABS, TABS, State
from optviz.ui import binding, bridge, preload, quiz_view
from optviz.ui.compute import Computed, View, figure
from optviz.ui.widgets import VIEW_PICKER, plain
from optviz.urlstate import encode, is_preset_view

CONTOUR_KEY = "contour_chart"
# The results table's columns: on a phone each cell is a line that names its column.
RESULT_COLUMNS = ("run", "outcome", "final loss", "steps to converge", "final point", "distance to nearest minimum")
CHART_CONFIG = {"displaylogo": False, "scrollZoom": True}
PAGE_CSS = (
    """<style>
/* what draws nothing takes no row gap: the two components, with their wrappers, and the style
   elements (on /network the two above its title pushed ▶ Play past a 900 px screen's bottom) */
div:has(> .st-key-BRIDGE_HOST), div:has(> .st-key-PRELOAD_HOST),
[data-testid="stMainBlockContainer"] .stElementContainer:has(> .stMarkdown style) { display: none; }
@media (max-width: NARROW_PXpx) {
  body:not(.optviz-gestures) .js-plotly-plot .modebar-container { display: none; }
  /* a phone: the views' row scrolls sideways; its right edge fades to say so */
  .st-key-VIEW_PICKER [role="radiogroup"] {
    mask-image: linear-gradient(to right, #000 calc(100% - 2.5rem), transparent); padding-right: 2.5rem; }
}
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
.st-key-VIEW_PICKER button { padding: 0.2rem 0.65rem; min-height: 2.25rem; }
.st-key-results table { font-size: 1rem; width: 100%; }
.st-key-results th, .st-key-results td { white-space: normal; overflow-wrap: anywhere; }
@media (max-width: NARROW_PXpx) {  /* a phone: each run one block of "name: value" lines, no sideways scroll */
  [data-testid="stMainBlockContainer"] { padding-top: 5rem; }  /* the first line clear of the header's bar */
  .st-key-results table, .st-key-results tbody, .st-key-results tr, .st-key-results td { display: block; }
  .st-key-results thead { display: none; }
  .st-key-results tr { padding: 0.3rem 0; border-bottom: 1px solid rgba(49, 51, 63, 0.2); }
  .st-key-results td { border: none; padding: 0.05rem 0.5rem; }
  .st-key-results td:first-child { font-weight: 600; }
RESULT_LABELS
}
</style>""".replace("NARROW_PX", str(bridge.NARROW_PX))
    .replace("BRIDGE_HOST", bridge.HOST)
    .replace("PRELOAD_HOST", preload.HOST)
    .replace("VIEW_PICKER", VIEW_PICKER)
    .replace(
        "RESULT_LABELS",
        "\n".join(
            f'  .st-key-results td:nth-child({i})::before {{ content: "{name}: "; font-weight: 600; }}'
            for i, name in enumerate(RESULT_COLUMNS, start=1)
            if i > 1  # the run's name heads its block
        ),
    )
)
PRESENTATION_CSS = """<style>
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li { font-size: 1.45rem; line-height: 1.5; }
[data-testid="stMain"] button p { font-size: 1.3rem; }
[data-testid="stMain"] [data-testid="stSelectbox"] input { font-size: 1.3rem; }  /* e.g. the quiz's run picker */
[data-testid="stMain"] h2 { font-size: 2.4rem !important; } [data-testid="stMain"] h3 { font-size: 2rem !important; }
[data-testid="stMainBlockContainer"] { padding-top: 3.2rem; padding-bottom: 1rem; }
[data-testid="stMain"] .st-key-VIEW_PICKER button p { font-size: 1.25rem; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.15rem; }
[data-testid="stMain"] [data-testid="stDataFrame"] { font-size: 1.2rem; }
.st-key-lesson [data-testid="stMarkdownContainer"] p { font-size: 1.2rem; line-height: 1.4; }
.st-key-results table { font-size: 1.45rem; }  /* as the explanations under it */
@media (max-height: 800px) {  /* 720p: the views on one row and the map from the top of the screen */
  .st-key-lesson [data-testid="stMarkdownContainer"] p { font-size: 1.05rem; line-height: 1.25; }
  [data-testid="stMain"] .st-key-VIEW_PICKER button p { font-size: 1.15rem; }
  .st-key-VIEW_PICKER button { padding: 0.1rem 0.55rem; min-height: 2rem; }
  /* the band above the views: the header's white bar (only » in it, left of the views); reclaimed,
     a long lesson and the legend under it fit */
  [data-testid="stMainBlockContainer"] { padding-top: 0.4rem; }
  [data-testid="stHeader"] { background: transparent; pointer-events: none; }
  [data-testid="stHeader"] button { pointer-events: auto; }
  /* the lesson's text takes the narrow column's whole width, the legend the lesson's size */
  .st-key-lesson [data-testid="stAlertContentInfo"] div:has(> span > [data-testid="stAlertDynamicIcon"]) {
    display: none; }
  .st-key-lesson [data-testid="stMarkdownContainer"] { width: 100% !important; }
  [data-testid="stColumn"] .optviz-legend { font-size: 1.05rem !important; }
}
</style>""".replace("VIEW_PICKER", VIEW_PICKER)


def messages(state: State) -> None:
    """A bad link's warnings (until dismissed or the view changes), and one-off notices."""
    warnings = binding.current_warnings(state)
    if warnings:
        with st.container(key="link_warnings"):
            for warning in warnings:
                st.warning(plain(warning), icon="⚠️")
            st.button("Dismiss", key="dismiss_warnings", on_click=binding.dismiss_warnings)
    notice = st.session_state.pop(binding.NOTICE, None)
    if notice:
        st.toast(notice)


def lesson(view: View) -> None:
    """The preset's lesson, written from its claims that hold for the runs on screen."""
    state = view.state
    if state.lesson and quiz_view.hidden(state):  # its sentences say where the runs end: the quiz's answer
        with st.container(key="lesson"):
            st.info(f"**{PRESETS[state.lesson].title}** — the lesson shows after Reveal.", icon="🎓")
        return
    unchanged = is_preset_view(state)
    computed = view.computed
    told = lesson_for(state, computed.runs, computed.goals, computed.minima, computed.verdicts, unchanged)
    if told is None:
        return
    with st.container(key="lesson"):
        if not told.changed:
            st.info(f"**{told.title}** — {' '.join(told.sentences)}", icon="🎓")
            return
        if told.sentences:
            text = "Of its lesson, this still holds for the runs on screen: " + " ".join(told.sentences)
        else:
            text = "None of its lesson's claims hold for the runs on screen."
        st.info(f"**Changed from the preset “{told.title}”.** {text}", icon="✏️")
        st.button(
            f"Back to “{told.title}”",
            key="lesson_reset",
            on_click=binding.whole_page(binding.on_preset),
            args=(state.lesson,),
        )


def shown_tabs(state: State) -> list[str]:
    """The tabs on the page: a quiz still hiding its answer shows only what does not give it away."""
    hidden = quiz_view.hidden(state)
    return [t for t in TABS if (t == "quiz") == hidden or t in QUIZ_SAFE_TABS]


def share_link(state: State) -> None:
    base = st.context.url or ""
    with st.expander("🔗 Share this exact view (copy the link)"), st.container(key="share_link"):
        landings = [t for t in shown_tabs(state) if t != "export"]
        landing = st.selectbox(
            "The link opens on",
            landings,
            format_func=TABS.get,
            key="share_landing",
            help="The view the class sees first. The address bar's link keeps the view you are on.",
        )
        st.caption(
            "Opening this link reproduces the surface, runs, start, seed and settings exactly. "
            "Use the copy button at the right of the link."
        )
        st.code(f"{base}?{urlencode(encode(replace(state, tab=landing)))}", language=None, wrap_lines=True)


def html_table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A table of text cells, escaped, for st.markdown."""

    def cells(tag: str, values: tuple[str, ...]) -> str:
        return "".join(f"<{tag}>{escape(v)}</{tag}>" for v in values)

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f"<table><thead><tr>{cells('th', columns)}</tr></thead><tbody>{body}</tbody></table>"


def _steps_to_converge(t) -> str:
    """A converged run's step; a sampled run that came within reach of a minimum but, its noise
    carrying it on, "ran all steps" says so rather than show a bare number beside that outcome."""
    if t.outcome.kind == "converged":
        return str(t.outcome.step)
    if t.outcome.reached_step is not None:
        return f"first within reach at {t.outcome.reached_step}; the noise keeps it moving"
    return "—"


def results_table(computed: Computed) -> None:
    rows = []
    for t, label, goal in zip(computed.runs, computed.labels, computed.goals):
        x, y = t.final_point
        dist = min((math.hypot(m.x - x, m.y - y) for m in goal.minima), default=None)
        values = (
            label,
            t.outcome.kind.replace("_", " "),
            f"{float(t.loss[-1]):.4g}",  # text: a number format cut 4.4e+33 to 4.3855…
            _steps_to_converge(t),
            f"({t.path[-1, 0]:.4g}, {t.path[-1, 1]:.4g})",
            f"{dist:.3g}" if dist is not None else "—",
        )
        rows.append(values)
    # an HTML table, not a data grid: its text takes the page's size (the grid kept 13 px beside
    # 22 px explanations on a projector) and wraps, or stacks per run on a phone (RESULT_LABELS);
    # written here, not by st.table, which imports pandas (~0.3 s of the first chart's cold start)
    with st.container(key="results"):
        st.markdown(html_table(RESULT_COLUMNS, rows), unsafe_allow_html=True)
        for label, text in zip(computed.labels, computed.explanations):
            st.markdown(f"**{label}** — {text}")


def paths_json(view: View, arrangement: str = "side", show_3d: bool = True):
    """The Paths figure (map, 3-D unless ``show_3d`` is off, loss strip) for ``view``, built once
    for every session."""
    c, state = view.computed, view.state
    return figure(
        "paths",
        view.key + (arrangement, show_3d),
        lambda: paths_figure(
            view.landscape,
            c.runs,
            c.labels,
            state.start,
            view.sizes,
            state.speed,
            view.image_uri,
            arrangement,
            goals=[g.minima for g in c.goals],
            show_3d=show_3d,
        ),
    )


def shows_3d(state: State) -> bool:
    """Whether the Paths figure (and its HTML export) has its 3-D panel: "auto" leaves it out in
    Presentation mode and on a phone, where drawing it costs ▶ Play the most frames."""
    return state.view_3d == "on" or (state.view_3d == "auto" and not state.presentation and not on_phone())


def _set_view_3d(value: str) -> None:
    st.session_state["view_3d"] = value  # the sidebar's radio (Playback and display) holds it


def view_3d_button(shown: bool) -> None:
    """One click near ▶ Play shows or hides the 3-D view (the sidebar's radio says the same)."""
    st.button(
        "Hide the 3-D view" if shown else "Show the 3-D view",
        key="view_3d_button",
        on_click=binding.whole_page(_set_view_3d),
        args=("off" if shown else "on",),
        help="Hidden, ▶ Play runs at full speed; shown, the 3-D view follows as fast as this machine draws it. "
        "The link keeps the choice.",
    )


def paths(view: View) -> None:
    if view.state.presentation:
        # projector: the legend (and the lesson, if any) beside the figure, so the map starts under
        # the views and takes half the screen's height with ▶ Play above the fold, however many runs
        left, right = st.columns([2.6, 1])  # the map stays over half a 720p screen high
        with left:
            animations(view, legend=False)
        with right:
            lesson(view)
            run_legend(view)
    else:
        animations(view)
    results_table(view.computed)


def run_legend(view: View) -> None:
    c, landscape = view.computed, view.landscape
    own = any(m not in c.minima for g in c.goals for m in g.minima)
    st.markdown(
        legend_html(c.labels, view.sizes.font, landscape.legend_keys, own, title=f"{landscape.surface.name}:"),
        unsafe_allow_html=True,
    )


def phone_header(guessing: bool) -> None:
    """``guessing``: a quiz hides the paths, so there is no ▶ Play yet."""
    st.markdown("**optviz** · optimizers, visible")
    where = "the map, tap your guesses, then Reveal" if guessing else "▶ Play under the pictures"
    st.caption(f"Scroll down to {where}. » (top left) opens the presets and settings.")


def on_phone() -> bool:
    """A phone-wide viewport, as the browser reports it (before its first report, a phone's
    User-Agent is the guess): the panels stack instead of sitting side by side."""
    agent = (st.context.headers or {}).get("User-Agent", "")
    return bridge.narrow("Mobi" in agent or "Android" in agent)


def animations(view: View, legend: bool = True) -> None:
    landscape = view.landscape
    arrangement = "stacked" if on_phone() else "side"
    show_3d = shows_3d(view.state)
    built = paths_json(view, arrangement, show_3d)
    if legend:
        run_legend(view)
    with st.container(key=f"paths_{arrangement}"):
        st.plotly_chart(PrebuiltFigure(built), key=CONTOUR_KEY, config=CHART_CONFIG, theme=None)  # taps: bridge
    together = "the map, the surface and the loss strip" if show_3d else "the map and the loss strip"
    height = f" 3-D height shows {landscape.display_label}" if show_3d else ""  # the caption's 3-D part
    if arrangement == "stacked":
        st.caption(
            f"Press ▶ Play: one slider moves {together} together. Tap the map to start from there."
            + (f"{height}." if show_3d else "")
        )
        view_3d_button(show_3d)
        st.toggle(
            "Pan, zoom, rotate charts",
            key=bridge.GESTURES_KEY,
            on_change=binding.page_changed,  # the bridge, outside the fragment, reads it
            help="With one finger. Off, a swipe over a chart scrolls the page; taps, ▶ Play and the slider "
            "work either way.",
        )
    else:
        text, button = st.columns([3, 1.3], vertical_alignment="center")  # the label whole on a projector
        text.caption(
            f"Press ▶ Play: one slider moves {together} together. Click the map to start from there."
            + (f"{height}; drag it to rotate." if show_3d else "")
        )
        with button:
            view_3d_button(show_3d)


def curves(view: View) -> None:
    c, sizes = view.computed, view.sizes
    st.markdown(legend_html(c.labels, sizes.font), unsafe_allow_html=True)
    charts = [
        ("loss", lambda: loss_figure(c.runs, c.labels, c.minima, sizes)),
        ("lr", lambda: lr_figure(c.runs, c.labels, sizes)),
        ("gradient", lambda: gradient_figure(c.runs, c.labels, c.minima, sizes)),
    ]
    if any(g.minima for g in c.goals):  # a surface without minima (the saddle) has no distance to show
        charts.append(("distance", lambda: distance_figure(c.runs, c.labels, [g.minima for g in c.goals], sizes)))
    shown = [(name, figure(name, view.key, build)) for name, build in charts]
    for row in range(0, len(shown), 2):  # two up on a laptop or projector; Streamlit stacks them on a phone
        for column, (name, fig) in zip(st.columns(2), shown[row : row + 2]):
            column.plotly_chart(PrebuiltFigure(fig), config=CHART_CONFIG, theme=None, key=f"{name}_chart")
    st.caption(
        "Log axes are labelled at whole powers of ten. Distance is to the nearest minimum of what each run "
        "minimises (its own weight decay or dropout included)."
    )


LR_STORY = (
    "**Learning rate.** It trades speed against stability: too high overshoots or diverges, too low "
    "crawls. Schedulers usually start large and shrink it (step, exponential, cosine, warm-up)."
)
REG_STORY = (
    "**Regularization.** L1 and L2 penalties are added to the loss itself, so they reshape the landscape "
    "and move the minimum: L1 pulls it toward the axes (sparse weights), L2 toward the origin. Dropout "
    "(on the noisy bowl) randomly hides inputs and, on average, acts like an L2 penalty."
)


def torch_code(run) -> str:
    spec = KINDS[run.kind].spec
    args = ", ".join(f"{k}={v!r}" for k, v in run.hyperparameters)
    if spec.torch_class is None:
        return spec.torch_note.format(args=args)
    code = f"opt = torch.optim.{spec.torch_class}(params, {args})"
    recipe = GRADIENT_MODES[run.gradient].torch
    if recipe:
        code += "\n" + recipe.format(value=run.gradient_value)
    if run.schedule != "constant":
        schedule = SCHEDULES[run.schedule]
        code += f"\n# {schedule.torch_equivalent}\n# with " + ", ".join(f"{k}={v!r}" for k, v in run.schedule_params)
    return code


def values_latex(run) -> str:
    """The run's own settings in its equations' symbols, e.g. ``\\gamma = 0.001,\\ \\mu = 0.9``."""
    values = run.params
    parts = []
    for p in KINDS[run.kind].editable():
        value = values[p.name]
        if p.kind == "pair":
            parts += [f"{symbol} = {v:g}" for symbol, v in zip(p.latex.split(","), value)]
        elif p.kind == "bool":
            parts.append(rf"\text{{{p.name.replace('_', ' ')}}} = \text{{{value}}}")
        else:
            parts.append(f"{p.latex} = {value:g}")
    return r",\ ".join(parts)


def equations(view: View) -> None:
    state = view.state
    numbered = list(enumerate(state.runs, start=1))
    for kind_key in dict.fromkeys(r.kind for r in state.runs):
        kind = KINDS[kind_key]
        spec = kind.spec
        st.subheader(kind.label)
        left, right = st.columns([3, 2])
        with left:
            st.latex(kind.equations)
            for i, run in numbered:
                if run.kind == kind_key:
                    schedule = (
                        "" if run.schedule == "constant" else f" (γ at step 0; then {SCHEDULES[run.schedule].name})"
                    )
                    st.markdown(f"**Run {i}**: ${values_latex(run)}${schedule}")
        with right:
            st.markdown(spec.intuition)
            st.caption(
                f"Source: {spec.reference}"
                if kind.blurb == spec.reference
                else f"{kind.blurb} Source: {spec.reference}"
            )
    st.markdown(LR_STORY)
    if any(r.schedule != "constant" for r in state.runs):
        for key in sorted({r.schedule for r in state.runs} - {"constant"}):
            st.latex(SCHEDULES[key].formula)
    st.markdown(REG_STORY)
    with st.expander("The same runs in PyTorch"):
        st.code("\n\n".join(torch_code(r) for r in state.runs), language="python")


def glossary(view: View) -> None:
    for term, text, preset_key in GLOSSARY:
        left, right = st.columns([5, 1])
        left.markdown(f"**{term}.** {text}")
        right.button(
            "Show me",
            key=f"glossary_{term}",
            on_click=binding.whole_page(binding.on_preset),
            args=(preset_key,),
            help=PRESETS[preset_key].title,
        )


def share_and_export(view: View) -> None:
    share_link(view.state)
    if not quiz_view.hidden(view.state):
        exports(view)


def exports(view: View) -> None:
    state, computed, landscape = view.state, view.computed, view.landscape
    title = PRESETS[state.lesson].title if state.lesson else f"{landscape.surface.name}: optimizer paths"
    st.caption("Files for slides and notebooks. Each is generated when you click; none needs a browser on the server.")
    name = f"optviz-{state.surface}"
    last = max(t.steps for t in computed.runs)
    step = still_step("still_step", last)
    download(
        "⬇ Slide still (PNG, 1920×1080)",
        lambda: still_png(landscape, computed.runs, computed.labels, state.start, title, step),
        f"{name}-step{step}.png",
        "image/png",
        "dl_png",
    )
    download(
        "⬇ Animated map for slides (GIF, 960×720)",
        lambda: animated_gif(landscape, computed.runs, computed.labels, state.start, title, state.speed),
        f"{name}.gif",
        "image/gif",
        "dl_gif",
    )
    paths = paths_json(view, show_3d=shows_3d(state))  # the file shows what the page shows
    download(
        "⬇ Interactive page (HTML, plays offline, fills the window)",
        lambda: standalone_html(json.loads(paths.text), title),
        f"{name}.html",
        "text/html",
        "dl_html",
    )
    download(
        "⬇ Trajectories (CSV)",
        lambda: trajectories_csv(computed.runs, computed.labels, [KINDS[r.kind] for r in state.runs]),
        f"{name}.csv",
        "text/csv",
        "dl_csv",
    )


def still_step(key: str, last: int, note: str = "") -> int:
    """The step a slide still shows, 0 to ``last`` (the end by default)."""
    value = st.number_input(
        "Still at step",
        min_value=0,
        max_value=last,
        value=last,
        step=1,
        key=key,
        help=f"Which moment the PNG shows, 0 to {last} (the end by default{note}).",
    )
    return int(value)


def download(label: str, make: Callable[[], bytes | str], file_name: str, mime: str, key: str) -> None:
    """A button whose file is made when clicked.  It must not rerun the page: a rerun re-registers
    every button's file, and a second click sent before the browser has the new ids downloads nothing."""
    st.download_button(label, data=make, file_name=file_name, mime=mime, key=key, on_click="ignore")
