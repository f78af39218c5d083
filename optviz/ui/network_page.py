"""The /network page: small real networks trained on data by the same optimizers.

Table of contents: read the NetState (the link on first visit, then the widgets) → train
(cached, shared by every session) → the lesson → the open tab only → the sidebar → the link.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st

from optviz.kinds import KINDS
from optviz.netlessons import NET_PRESETS, lesson_sentences
from optviz.netlink import decode, encode, is_preset_view
from optviz.netstate import NET_FIELDS, NETWORK_KINDS, RUN_FIELDS, NetRunChoice, NetState
from optviz.network.data import CATALOGUE as DATASETS
from optviz.network.data import get_dataset
from optviz.network.train import MAX_RUNS
from optviz.params import Param
from optviz.ui import network_compute as compute
from optviz.ui import network_views as views
from optviz.ui.widgets import param_widget, plain, view_picker

HYDRATED = "net.hydrated"
GOOD = "net.good."  # + a widget's key: its last value inside the declared range
RUNS = Param("runs", 2, 1, MAX_RUNS, kind="int", help="Every run trains the same network from the same start.")
WARNINGS = "net.warnings"
COUNT = "net.count"
PRESET = "net.preset"
LAST = "net.last"  # the NetState the page last drew: back from the surfaces, the page reopens on it
TAB = "net.tab"
TABS = {"network": "▶ Network", "landscape": "🗺 Landscape", "sharpness": "📐 Sharpness", "export": "⇪ Share"}
NAMES = {  # what a choice's value reads as
    "dataset": lambda key: DATASETS[key].name
}


def _key(name: str) -> str:
    return f"net.{name}"


def _run_key(i: int, name: str) -> str:
    return f"net.r{i}.{name}"


def store(state: NetState) -> None:
    """Put ``state`` into the widgets' session values."""
    ss = st.session_state
    for f in NET_FIELDS:
        ss[_key(f.name)] = getattr(state, f.name)
    ss[COUNT] = len(state.runs)
    for i, run in enumerate(state.runs):
        ss[_run_key(i, "kind")] = run.kind
        for f in RUN_FIELDS:
            ss[_run_key(i, f.name)] = getattr(run, f.name)
    ss[PRESET] = state.preset


def _good(key: str, param: Param):
    """The widget's value if it is in range, else the last value that was (kept under GOOD + key)."""
    try:
        value = param.validate(st.session_state[key])
    except ValueError:
        return st.session_state.get(GOOD + key, param.default)
    st.session_state[GOOD + key] = value
    return value


def read() -> NetState:
    ss = st.session_state
    runs = []
    for i in range(_good(COUNT, RUNS)):
        if _run_key(i, "kind") not in ss:  # a run just added: a copy of the last, as a different kind
            _store_run(i, replace(runs[-1], kind=_next_kind(runs[-1].kind)) if runs else NetRunChoice())
        values = {f.name: _good(_run_key(i, f.name), f.param) for f in RUN_FIELDS}
        runs.append(NetRunChoice(ss[_run_key(i, "kind")], **values))
    fields = {f.name: _good(_key(f.name), f.param) for f in NET_FIELDS}
    return NetState(runs=tuple(runs), preset=ss[PRESET], **fields)


def _store_run(i: int, run: NetRunChoice) -> None:
    st.session_state[_run_key(i, "kind")] = run.kind
    for f in RUN_FIELDS:
        st.session_state[_run_key(i, f.name)] = getattr(run, f.name)


def _next_kind(kind: str) -> str:
    return NETWORK_KINDS[(NETWORK_KINDS.index(kind) + 1) % len(NETWORK_KINDS)]


def on_preset(key: str) -> None:
    """A lesson sets the training and the plane, never the viewer's display settings."""
    shown = read()
    for i in range(MAX_RUNS):  # forget the old runs' widgets: the lesson's runs replace them
        for name in ("kind", *(f.name for f in RUN_FIELDS)):
            st.session_state.pop(_run_key(i, name), None)
    store(NET_PRESETS[key].build().with_display_of(shown))
    st.session_state.pop(WARNINGS, None)


def on_dataset() -> None:
    """A new dataset comes with its own size and noise."""
    spec = get_dataset(st.session_state[_key("dataset")])
    st.session_state[_key("n_points")] = spec.points
    st.session_state[_key("noise")] = spec.noise


def render() -> None:
    if not st.session_state.get(HYDRATED):
        state, warnings = decode({key: st.query_params.get_all(key) for key in st.query_params.keys()})
        store(state)
        st.session_state[WARNINGS] = warnings
        st.session_state[HYDRATED] = True
    elif LAST in st.session_state and any(_key(f.name) not in st.session_state for f in NET_FIELDS):
        store(st.session_state[LAST])  # back from the surfaces: Streamlit dropped this page's widget values
    state = read()
    st.session_state[LAST] = state
    st.markdown(views.NETWORK_CSS, unsafe_allow_html=True)
    if state.presentation:
        st.markdown(views.PRESENTATION_CSS, unsafe_allow_html=True)
    views.header(state)
    warnings = st.session_state.get(WARNINGS)
    if warnings:  # a bad link's: shown until dismissed or a lesson is chosen
        for warning in warnings:
            st.warning(plain(warning), icon="⚠️")
        st.button("Dismiss", key="net_dismiss_warnings", on_click=st.session_state.pop, args=(WARNINGS, None))
    compute.wait_for_compiled_trainer()
    with st.spinner(f"Training {len(state.runs)} run{'s' if len(state.runs) > 1 else ''}…"):
        results = compute.trained(state)
    # on a projector or a phone the lesson would fill the screen: one line that opens it, charts first
    _lesson(state, results, folded=state.presentation or views.on_phone())
    bodies = {
        "network": views.network_tab,
        "landscape": views.landscape_tab,
        "sharpness": views.sharpness_tab,
        "export": lambda s, r: views.export_tab(s, r, _link(s)),
    }
    bodies[view_picker(TAB, TABS)](state, results)  # four views: on a phone, two rows rather than one cut
    _sidebar(state)
    st.query_params.from_dict(encode(state))


def _link(state: NetState) -> str:
    return f"{st.context.url or ''}?{urlencode(encode(state))}"


def _lesson(state: NetState, results, folded: bool) -> None:
    """The lesson written from its claims that hold; ``folded``: in an expander that one click opens."""
    if not state.preset:
        return
    preset = NET_PRESETS[state.preset]
    sharpness = compute.sharpness(state, results)
    sentences = lesson_sentences(state, results, sharpness)
    unchanged = is_preset_view(state)
    heading = f"**{preset.title}**" if unchanged else f"**Changed from the lesson “{preset.title}”.**"
    text = " ".join(sentences) if sentences else "None of its lesson's claims hold for these runs."
    with st.container(key="net_lesson"):
        if folded:
            with st.expander(f"🎓 {preset.title}: the lesson" if unchanged else f"✏️ Changed from “{preset.title}”"):
                st.markdown(text)
        else:
            st.info(f"{heading} — {text}" if unchanged else f"{heading} {text}", icon="🎓" if unchanged else "✏️")
        if not unchanged:
            st.button(f"Back to “{preset.title}”", key="net_lesson_reset", on_click=on_preset, args=(state.preset,))


def _widget(param: Param, key: str, label: str, on_change=None, names=None) -> None:
    """One widget per declared parameter; a typed number outside its range gets a message under
    the field naming the range, and the page keeps the last good value (``read``)."""
    if param.kind == "choice":
        st.selectbox(label, param.choices, key=key, help=param.help, on_change=on_change, format_func=names or str)
    elif param.kind == "bool":
        st.toggle(label, key=key, help=param.help, on_change=on_change)
    else:
        param_widget(key, param, label, in_use=st.session_state.get(GOOD + key, param.default))


def _fields(names: tuple[str, ...]) -> None:
    for f in NET_FIELDS:
        if f.name in names:
            on_change = on_dataset if f.name == "dataset" else None
            _widget(f.param, _key(f.name), f.label, on_change, NAMES.get(f.name))


def _sidebar(state: NetState) -> None:
    with st.sidebar:
        st.subheader("🎓 Lessons")
        for key, preset in NET_PRESETS.items():
            st.button(preset.title, key=f"net_preset_{key}", on_click=on_preset, args=(key,), use_container_width=True)
        st.subheader("Data")
        _fields(("dataset", "n_points", "noise", "validation", "seed"))
        st.subheader("Network")
        _fields(("layers", "units", "activation"))
        net = state.network()
        st.caption(f"{net.describe()}: {net.n_params} weights")
        st.subheader("Training")
        _fields(("steps",))
        _widget(RUNS, COUNT, "Runs")
        for i, run in enumerate(state.runs):
            with st.expander(f"Run {i + 1}: {run.label()}", expanded=False):
                st.selectbox(
                    "Optimizer",
                    NETWORK_KINDS,
                    key=_run_key(i, "kind"),
                    format_func=lambda k: KINDS[k].label,
                    help="Newton is a 2-D method and is not offered for networks.",
                )
                spec = KINDS[run.kind]
                for f in RUN_FIELDS:
                    if f.name == "batch" and spec.exact_only:
                        st.caption("GD uses the full batch by definition.")
                        continue
                    if f.name == "weight_decay" and "weight_decay" not in {p.name for p in spec.spec.params}:
                        continue
                    _widget(f.param, _run_key(i, f.name), f.label)
        st.subheader("Display")
        _fields(("presentation", "view_3d", "speed"))
