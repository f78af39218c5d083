"""The /network page through Streamlit's AppTest, and its link codec."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from optviz.netlessons import NET_PRESETS
from optviz.netlink import decode, encode
from optviz.netstate import NET_FIELDS, NetRunChoice, NetState
from optviz.ui import network_page

APP = "../app.py"  # AppTest resolves it against this file
PAGE = "optviz/ui/page_network.py"


def open_network(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()  # the home page first: AppTest knows the pages st.navigation registers after one run
    at.switch_page(PAGE)
    at.query_params.clear()  # a link opens /network with its own query only
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception]


def lesson_text(at: AppTest) -> str:
    """The lesson box, or the lesson folded into an expander (Presentation mode, a phone)."""
    folded = [text for e in at.expander for text in (e.label, *(m.value for m in e.markdown))]
    return " ".join([box.value for box in at.info] + folded)


@pytest.mark.parametrize("key", sorted(NET_PRESETS))
def test_every_lesson_opens_from_its_link(key):
    at = open_network({"preset": key})
    assert not problems(at), problems(at)
    preset = NET_PRESETS[key]
    assert preset.title in lesson_text(at) and "Changed" not in lesson_text(at)
    table = next(m.value for m in at.markdown if m.value.startswith("<table><thead><tr><th>run</th><th>outcome"))
    assert table.count("<tr>") == 1 + len(preset.build().runs)
    assert len(at.get("plotly_chart")) == 2  # what the network computes, train against validation


def test_a_bad_link_warns_by_field_and_range_and_the_page_still_trains():
    at = open_network({"data": "mnist", "units": "1000000", "steps": "1e9", "r1": "newton", "r1.lr": "nan", "zz": "1"})
    assert not problems(at), problems(at)
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")  # shown with Markdown's escapes
    for expected in (
        "dataset='mnist' must be one of moons, circles, spirals, xor, blobs, sine",
        "hidden units=1000000 is outside its range [1, 64]",
        "steps=1000000000 is outside its range [10, 3000]",
        "Newton is a 2-D method",
        "lr=nan is outside its range [1e-06, 10]",
        "'zz' is unknown",
    ):
        assert expected in warnings
    assert len(at.get("plotly_chart")) == 2
    at.button(key="net_dismiss_warnings").click().run()
    assert not at.warning and not problems(at)


def test_a_lesson_click_keeps_the_viewers_display_settings():
    at = open_network({"preset": "overfitting", "present": "1", "speed": "200", "3d": "on"})
    at.button(key="net_preset_edge_of_stability").click().run()
    assert not problems(at), problems(at)
    assert dict(at.query_params) == {"preset": "edge_of_stability", "present": "1", "speed": "200", "3d": "on"}
    assert NET_PRESETS["edge_of_stability"].title in lesson_text(at)
    assert not at.info and "edge of stability" in lesson_text(at)  # folded: the projector shows the charts first


def test_an_edited_lesson_says_so_and_offers_the_way_back():
    at = open_network({"preset": "lr_too_high"})
    table = next(m.value for m in at.markdown if "<th>outcome" in m.value)
    assert "diverged at step" in table  # divergence is an outcome, explained in words
    at.select_slider(key=network_page._run_key(1, "lr")).set_value(0.05).run()
    assert not problems(at), problems(at)
    assert "Changed from the lesson" in lesson_text(at)
    assert "diverges" not in lesson_text(at)  # no run diverges now: its sentence is gone
    table = next(m.value for m in at.markdown if "<th>outcome" in m.value)
    assert "diverged" not in table
    at.button(key="net_lesson_reset").click().run()
    assert dict(at.query_params) == {"preset": "lr_too_high"}


def test_a_typed_value_out_of_range_is_named_beside_its_field_and_the_last_good_one_kept():
    at = open_network({"preset": "overfitting"})
    at.number_input(key="net.noise").set_value(5.0).run()
    assert not problems(at), problems(at)
    errors = " ".join(e.value for e in at.error)
    assert "Noise = 5 is outside [0, 2]; using 0.3." in errors
    assert at.query_params["preset"] == "overfitting"  # still the lesson's view: noise 0.3 trained
    assert "Changed" not in lesson_text(at)


def test_switching_the_dataset_brings_its_own_size_and_noise():
    at = open_network({"preset": "overfitting"})
    at.selectbox(key="net.dataset").set_value("sine").run()
    assert not problems(at), problems(at)
    state, _ = decode({k: [v] for k, v in at.query_params.items()})
    assert (state.dataset, state.n_points, state.noise) == ("sine", 30, 0.3)


def _query(state: NetState) -> dict[str, list[str]]:
    return {k: [v] for k, v in encode(state).items()}


@pytest.mark.parametrize("key", sorted(NET_PRESETS))
def test_a_lesson_link_is_its_name_and_reads_back_to_the_same_view(key):
    state = NET_PRESETS[key].build()
    assert encode(state) == {"preset": key}
    assert decode(_query(state)) == (state, [])


def test_an_edited_view_writes_every_value_and_reads_back_exactly():
    state = NetState(
        dataset="circles",
        n_points=120,
        noise=0.15,
        layers=1,
        units=8,
        activation="relu",
        steps=400,
        runs=(NetRunChoice("momentum", lr=0.05, batch=16, l2=0.001), NetRunChoice("rmsprop", lr=0.003, dropout=0.2)),
    )
    query = _query(state)
    assert {f.url for f in NET_FIELDS} <= set(query) and "r2.dropout" in query
    assert decode(query) == (state, [])
    assert "0.30000000000000004" not in str(_query(NetState(noise=0.1 + 0.2)))  # no float noise in a link


@pytest.mark.parametrize("tab", [key for key in network_page.TABS if key != "network"])
def test_every_tab_opens_without_an_error(tab):
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.switch_page(PAGE)
    at.query_params.clear()
    at.query_params["preset"] = "lr_too_high"  # a diverged run in every tab
    at.session_state[network_page.TAB] = tab
    at.run()
    assert not problems(at), problems(at)
    if tab == "export":
        keys = {button.proto.id.rsplit("-", 1)[-1] for button in at.get("download_button")}
        assert {"net_dl_csv", "net_dl_html", "net_dl_png", "net_dl_gif"} <= keys
    else:
        assert len(at.get("plotly_chart")) >= 1


def test_going_to_the_networks_and_back_keeps_both_pages_as_they_were_left():
    """Streamlit drops a page's widget values when the reader switches pages: each page reopens
    on the view it last drew (it raised a KeyError, or would have shown the defaults)."""
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.select_slider(key="r0_hp_lr").set_value(0.05).run()
    at.number_input(key="steps").set_value(77).run()
    at.switch_page(PAGE).run()
    lr = network_page._run_key(0, "lr")
    at.select_slider(key=lr).set_value(0.05).run()
    at.switch_page("optviz/ui/page_surfaces.py").run()
    assert not problems(at), problems(at)
    assert (at.query_params["r1.lr"], at.query_params["steps"]) == ("0.05", "77")
    at.switch_page(PAGE).run()
    assert not problems(at), problems(at)
    assert at.select_slider(key=lr).value == 0.05
