"""The map tab: stability maps that agree with theory, click-to-load, basins of attraction."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from optviz.figures.maps import basin_categories
from optviz.maps import basin_map, stability_map
from optviz.presets import PRESETS
from optviz.state import make_run
from optviz.ui import maps_view
from optviz.urlstate import encode
from surfaces import CATALOGUE as SURFACES
from surfaces import get_surface


def test_gd_stability_map_agrees_with_the_two_over_l_bound():
    state = PRESETS["lr_extremes"].build()  # Booth: L = 18 everywhere
    smap = stability_map(state, state.runs[0], resolution=40)
    assert smap.second_name == "momentum" and smap.bound_lr is not None
    for i, mu in enumerate(smap.seconds):
        diverged = smap.result.is_("diverged")[i]
        bound = 2 * (1 + mu) / 18
        assert not diverged[smap.lrs < 0.9 * bound].any() and diverged[smap.lrs > 1.1 * bound].all()


@pytest.mark.parametrize("key", list(SURFACES))
def test_a_surface_is_marked_a_convex_quadratic_exactly_when_its_hessian_is_one_constant_bowl(key):
    """The map draws the quadratic's stability bound only where ``convex_quadratic`` says so."""
    surface = SURFACES[key]
    params = surface.kernel_params()
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(0)
    hessians = np.array([surface.hessian(x, y, params) for x, y in zip(rng.uniform(x0, x1, 9), rng.uniform(y0, y1, 9))])
    hxx, hxy, hyy = hessians[0]
    constant_bowl = np.allclose(hessians, hessians[0], rtol=1e-9, atol=1e-12) and hxx > 0 and hxx * hyy > hxy**2
    assert surface.convex_quadratic == constant_bowl


def test_newton_maps_damping():
    state = PRESETS["lr_extremes"].build()
    newton = make_run("newton", get_surface(state.surface))
    smap = stability_map(state, newton, resolution=12, lr_range=(0.1, 1.9))
    assert smap.second_name == "damping"
    # undamped Newton solves the quadratic from any lr below 2 (the error shrinks by |1 − lr| per step)
    assert not smap.result.is_("diverged")[0].any()


def test_basins_on_himmelblau_reach_all_four_minima():
    state = PRESETS["basins"].build()
    bmap = basin_map(state, state.runs[2], resolution=48)
    cats = basin_categories(bmap)
    assert set(np.unique(cats[cats >= 0]).astype(int)) == {0, 1, 2, 3}
    # a start next to a minimum ends in that minimum
    i, j = np.argmin(np.abs(bmap.ys - 2.0)), np.argmin(np.abs(bmap.xs - 3.0))
    assert cats[i, j] == 0


def test_gd_and_adam_carve_the_landscape_differently():
    state = PRESETS["basins"].build()
    gd, adam = (basin_categories(basin_map(state, state.runs[k], resolution=48)) for k in (0, 2))
    assert (gd != adam).mean() > 0.05


def test_map_tab_renders_and_a_clicked_cell_loads_into_the_run():
    at = AppTest.from_file("../app.py", default_timeout=120)
    for key, value in {**encode(PRESETS["lr_extremes"].build()), "tab": "maps"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert not any("converge?" in c.proto.spec for c in at.get("plotly_chart"))  # maps are opt-in
    at.toggle(key="maps_on").set_value(True).run()
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    stability = next(s for s in specs if "converge?" in s["layout"]["title"]["text"])
    theory = [d for d in stability["data"] if d.get("legendgroup") == "theory"]
    keyed = [d for d in theory if d.get("showlegend", True)]
    assert len(keyed) == 1 and keyed[0]["name"].startswith("theory")
    assert keyed[0]["line"]["color"] not in ("#ffffff", "white")  # the legend's symbol shows on its white background
    assert any(d["line"]["color"] == "#ffffff" and d["line"]["width"] > keyed[0]["line"]["width"] for d in theory)
    at.session_state[maps_view.PENDING] = (0, 0.0200471, "momentum", None, 0.495106)  # a cell's exact centre
    at.run()
    assert not at.exception
    assert at.session_state["r0_kind"] == "momentum"  # GD has no momentum: it became Momentum
    assert at.session_state["r0_hp_lr"] == 0.02 and at.session_state["r0_hp_momentum"] == 0.495  # rounded
    picker = at.selectbox(key="map_run")
    assert picker.options[0] == "Run 1: Momentum μ=0.495 lr=0.02"  # the picker names the new run
    assert picker.proto.set_value and picker.proto.raw_value == picker.options[0]  # and the browser is told to show it


def test_a_clicked_beta_cell_sets_beta1():
    surface = get_surface("rosenbrock")
    state = PRESETS["rosenbrock_race"].build()
    assert make_run("adam", surface).params["betas"] == (0.9, 0.999)
    at = AppTest.from_file("../app.py", default_timeout=120)
    for key, value in encode(state).items():
        at.query_params[key] = value
    at.run()
    at.session_state[maps_view.PENDING] = (3, 0.01, "betas", 0, 0.5)
    at.run()
    assert not at.exception
    assert at.session_state["r3_hp_lr"] == 0.01 and at.session_state["r3_hp_betas_0"] == 0.5
    assert at.session_state["r3_kind"] == "adam"


def test_maps_and_page_share_one_compiled_kernel():
    """Every extra signature of the kernel costs ~20 s of compiling on a fresh deploy."""
    from optviz.engine import kernel
    from optviz.ui.compute import compute_runs

    state = PRESETS["lr_extremes"].build()
    stability_map(state, state.runs[0], resolution=8)
    basin_map(state, state.runs[0], resolution=8)
    compute_runs(state)
    assert len(kernel.run_batch.signatures) == 1
