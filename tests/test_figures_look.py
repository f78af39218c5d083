"""The static look of the Paths figure (issue 21): every run's end marker shows where others end
on the same point, minima do not tile the 3-D surface, Rosenbrock's trench is a smooth groove
with the paths on top of it, and a diverging run does not set the loss strip's scale."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optviz.figures.contour import head_sizes, run_trace_indices
from optviz.figures.paths import paths_figure
from optviz.figures.style import Sizes
from optviz.figures.surface3d import MESH, bilinear, drawn_mesh
from optviz.presets import PRESETS
from optviz.ui.compute import _landscape as cached_landscape
from optviz.ui.compute import compute_runs

SIZES = Sizes.for_mode(False)


def preset_figure(key: str) -> tuple[dict, object, object]:
    state = PRESETS[key].build()
    landscape, uri = cached_landscape(state.surface, state.surface_params, float(state.l1), float(state.l2))
    computed = compute_runs(state, landscape.minima)
    fig = paths_figure(
        landscape, computed.runs, computed.labels, state.start, SIZES, 60, uri, goals=[g.minima for g in computed.goals]
    )
    return fig, landscape, computed


@pytest.mark.parametrize("runs", [1, 2, 3, 6])
def test_later_runs_markers_are_smaller_so_markers_on_one_point_nest(runs):
    sizes = head_sizes(SIZES, runs)
    assert sizes[-1] == SIZES.marker + 4 and all(a - b >= 2 for a, b in zip(sizes, sizes[1:]))


def test_every_end_marker_of_l2_vs_adamw_shows_and_the_minima_on_top_are_outlines():
    fig, _, computed = preset_figure("l2_vs_adamw")
    heads = [fig["data"][run_trace_indices(r)[2]] for r in range(len(computed.runs))]
    assert len({h["marker"]["size"] for h in heads}) == len(heads)
    ends = [(float(t.path[-1, 0]), float(t.path[-1, 1])) for t in computed.runs]
    last = fig["frames"][-1]
    shown = {i: d for i, d in zip(last["traces"], last["data"])}
    for r, end in enumerate(ends):  # each marker on its run's true end, not moved apart
        head = shown[run_trace_indices(r)[2]]
        assert head["x"][0] == pytest.approx(end[0], abs=1e-4) and head["y"][0] == pytest.approx(end[1], abs=1e-4)
    overlay = next(d for d in fig["data"] if d.get("name") == "minimum" and d.get("hoverinfo") == "skip")
    assert all(s.endswith("-open") for s in overlay["marker"]["symbol"])


def test_the_start_ring_shows_over_the_run_markers_that_sit_on_it_at_step_0():
    """The legend's ◯ start is what the map shows before ▶ Play, not the last run's marker."""
    fig, _, computed = preset_figure("basins")
    rings = [i for i, d in enumerate(fig["data"]) if d.get("name") == "start"]
    heads = [run_trace_indices(r)[2] for r in range(len(computed.runs))]
    assert max(rings) > max(heads)
    ring = fig["data"][max(rings)]
    assert ring["marker"]["symbol"] == "circle-open" and (ring["x"][0], ring["y"][0]) == tuple(computed.runs[0].path[0])


def test_rastrigins_minima_are_small_dots_on_the_surface_not_tiles():
    fig, landscape, _ = preset_figure("rastrigin_noise")
    minima = next(d for d in fig["data"] if d["type"] == "scatter3d" and d["name"] == "minimum")
    others = [s for s, m in zip(minima["marker"]["size"], landscape.minima) if m not in landscape.lowest_minima]
    assert len(others) > 100 and max(others) <= 3


def test_rosenbrocks_trench_is_smooth_and_its_paths_lie_on_the_drawn_surface():
    fig, landscape, computed = preset_figure("rosenbrock_race")
    shown = landscape.display(landscape.z)
    z_lo, z_hi = float(np.nanmin(shown)), float(np.nanmax(shown))
    xs, ys, zd = drawn_mesh(landscape, MESH, z_lo, z_hi)
    x = np.linspace(-1.6, 1.6, 400)
    along = bilinear(xs, ys, zd, x, x**2)  # the valley floor, y = x²
    # sampled vertices put some rows on the floor and some on its wall: a sawtooth of ~0.3 in log height
    assert np.abs(np.diff(along, 2)).max() < 0.02 * (z_hi - z_lo)
    scene = [d for d in fig["data"] if d["type"] == "scatter3d" and d.get("mode") == "lines"]
    assert scene, "the 3-D paths are drawn"
    for path in scene:
        px, py, pz = (np.asarray(path[a], dtype=float) for a in ("x", "y", "z"))
        on = np.isfinite(pz)
        assert (pz[on] >= bilinear(xs, ys, zd, px[on], py[on]) - 1e-4).all()


def test_a_diverging_run_leaves_the_strip_at_the_top_and_is_named_there():
    fig, landscape, computed = preset_figure("lr_extremes")
    diverged = [label for t, label in zip(computed.runs, computed.labels) if t.outcome.kind == "diverged"]
    assert diverged
    top = fig["layout"]["yaxis2"]["range"][1]
    kept = [landscape.loss_shown(t.loss) for t in computed.runs if t.outcome.kind != "diverged"]
    highest = max(float(np.nanmax(v)) for v in kept)
    assert top < math.log10(highest) + 1  # not the diverged run's 10¹²…10²⁴
    notes = " ".join(a["text"] for a in fig["layout"]["annotations"])
    assert all(label in notes for label in diverged) and "off the scale" in notes


def test_without_a_diverged_run_the_strip_says_nothing():
    fig, _, computed = preset_figure("basins")
    assert all(t.outcome.kind != "diverged" for t in computed.runs)
    assert fig["layout"]["annotations"] == []


@pytest.mark.parametrize(
    "key,heading", [("saddle_escape", {"x": 1, "y": 1}), ("rosenbrock_race", {"x": 1, "y": -1}), ("basins", {"y": -1})]
)
def test_every_3d_path_is_a_solid_line_on_the_slope_facing_the_camera(key, heading):
    """On the saddle only GD showed: RMSprop's and Adam's dashes were drawn as hairline dots, and
    all three went down the far side of the ridge, out of the default camera's sight."""
    fig, _, computed = preset_figure(key)
    scene = [d for d in fig["data"] if d["type"] == "scatter3d" and d.get("mode") == "lines"]
    assert len(scene) == len(computed.runs)
    assert all(path["line"].get("dash", "solid") == "solid" and path["line"]["width"] >= 4 for path in scene)
    eye = fig["layout"]["scene"]["camera"]["eye"]
    for axis, sign in heading.items():  # the camera stands on the side the runs go to
        assert math.copysign(1, eye[axis]) == sign, (key, eye)


def test_a_diverged_runs_path_is_faint_so_its_overshoots_hide_no_other_run():
    """On a phone Booth's lr = 0.12 zig-zag painted a band of lines over the lr = 0.05 path."""
    fig, _, computed = preset_figure("lr_extremes")
    paths = [fig["data"][run_trace_indices(r)[0]] for r in range(len(computed.runs))]
    diverged = [t.outcome.kind == "diverged" for t in computed.runs]
    assert any(diverged) and not all(diverged)
    faint = max(p["opacity"] for p, d in zip(paths, diverged) if d)
    assert faint <= 0.5 * min(p["opacity"] for p, d in zip(paths, diverged) if not d)
    trails = [fig["data"][run_trace_indices(r)[1]] for r in range(len(computed.runs))]
    assert all(t.get("opacity", 1.0) == 1.0 for t in trails)  # while playing, its trail shows at full strength


def test_on_a_phone_the_map_comes_first_and_the_loss_strip_under_it():
    state = PRESETS["basins"].build()
    landscape, uri = cached_landscape(state.surface, state.surface_params, float(state.l1), float(state.l2))
    computed = compute_runs(state, landscape.minima)
    fig = paths_figure(landscape, computed.runs, computed.labels, state.start, SIZES, 60, uri, "stacked", show_3d=False)
    map_bottom, strip_top = fig["layout"]["yaxis"]["domain"][0], fig["layout"]["yaxis2"]["domain"][1]
    assert map_bottom - strip_top >= 0.1  # room for the map's x-axis between them
