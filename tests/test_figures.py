"""Figure builders: frame counts, what frames carry, consistent run styles, exports."""

from __future__ import annotations

import csv
import io
import json
import warnings
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from optviz.figures.animation import MAX_FRAMES, frame_steps
from optviz.figures.contour import STATIC_TRACES, TRACES_PER_RUN, contour_figure, run_trace_indices
from optviz.figures.curves import gradient_figure, loss_figure, lr_figure
from optviz.figures.export import standalone_html, trajectories_csv
from optviz.figures.landscape import banded_rgb, landscape_image
from optviz.figures.paths import legend_html, paths_figure
from optviz.figures.slides import GIF_SIZE, Frame, animated_gif, still_png
from optviz.figures.style import OKABE_ITO, Sizes, hex_rgb, run_style
from optviz.figures.surface3d import surface_figure
from optviz.kinds import KINDS
from optviz.presets import PRESETS
from optviz.state import default_state
from optviz.ui.compute import _landscape as cached_landscape
from optviz.ui.compute import compute_runs

SIZES = Sizes.for_mode(False)


@pytest.fixture(scope="module")
def scene():
    state = PRESETS["rosenbrock_race"].build()
    computed = compute_runs(state)
    landscape, uri = cached_landscape.__wrapped__(state.surface, state.surface_params, state.l1, state.l2)
    return state, computed, landscape, uri


@pytest.mark.parametrize("steps,expected", [(1, 2), (10, 11), (100, 101), (300, 101), (2000, 101)])
def test_frame_count_is_capped(steps, expected):
    shown = frame_steps(steps)
    assert len(shown) == expected and shown[0] == 0 and shown[-1] == steps
    assert np.all(np.diff(shown) > 0) and len(shown) <= MAX_FRAMES + 1
    gaps = np.diff(shown)
    assert (gaps[:-1] == gaps[0]).all() and gaps[-1] <= gaps[0]  # an even pace: one stride, the last gap shorter


@pytest.mark.parametrize("steps", [121, 150, 250, 400, 997])
def test_play_moves_a_whole_stride_a_frame_and_the_slider_labels_its_multiples(steps):
    shown = frame_steps(steps)
    stride = shown[1]
    assert (shown[:-1] == np.arange(len(shown) - 1) * stride).all() and shown[-1] == steps
    assert len(shown) <= MAX_FRAMES + 1 and (stride == 1 or steps / (stride - 1) > MAX_FRAMES)  # none finer fits


def test_contour_frames_carry_only_the_moving_traces(scene):
    state, computed, landscape, uri = scene
    fig = contour_figure(landscape, computed.runs, computed.labels, state.start, SIZES, 60, uri)
    n = len(computed.runs)
    assert len(fig["data"]) == STATIC_TRACES + TRACES_PER_RUN * n + 2  # + the minima and the start again, on top
    assert len(fig["frames"]) == len(frame_steps(state.steps))
    moving = sorted(i for r in range(n) for i in run_trace_indices(r)[1:])
    for frame in fig["frames"]:
        assert sorted(frame["traces"]) == moving and len(frame["data"]) == 2 * n
        assert all(set(d) <= {"type", "x", "y"} for d in frame["data"])
    last = fig["frames"][-1]["data"]
    for r, traj in enumerate(computed.runs):  # the last frame shows each run's final point
        span = landscape.surface.domain[0][1] - landscape.surface.domain[0][0]
        np.testing.assert_allclose(last[2 * r + 1]["x"], traj.path[-1:, 0], atol=1e-6 * span)  # far below a pixel
    assert fig["layout"]["yaxis"]["scaleanchor"] == "x"  # equal aspect
    assert fig["layout"]["sliders"][0]["steps"][-1]["label"] == str(state.steps)


def test_3d_frames_redraw_and_carry_heights(scene):
    state, computed, landscape, _ = scene
    fig = surface_figure(landscape, computed.runs, computed.labels, state.start, SIZES, 60)
    assert fig["layout"]["updatemenus"][0]["buttons"][0]["args"][1]["frame"]["redraw"] is True
    assert fig["layout"]["uirevision"]  # keeps the camera
    for frame in fig["frames"]:  # only the runs' markers move: never the surface (trace 0)
        assert min(frame["traces"]) >= 3 and all(len(d["z"]) == 1 for d in frame["data"])
    assert "camera" not in str([f.keys() for f in fig["frames"]])


def test_a_run_has_the_same_colour_and_dash_in_every_view(scene):
    state, computed, landscape, uri = scene
    views = [
        contour_figure(landscape, computed.runs, computed.labels, state.start, SIZES, 60, uri),
        surface_figure(landscape, computed.runs, computed.labels, state.start, SIZES, 60),
        loss_figure(computed.runs, computed.labels, computed.minima, SIZES),
        lr_figure(computed.runs, computed.labels, SIZES),
        gradient_figure(computed.runs, computed.labels, computed.minima, SIZES),
    ]
    for fig in views:
        for trace in fig["data"]:
            group = trace.get("legendgroup")
            if group and "line" in trace and "color" in trace["line"]:
                r = int(group[3:])
                assert trace["line"]["color"] == run_style(r).color == OKABE_ITO[r]
                if "dash" in trace["line"]:
                    assert trace["line"]["dash"] == run_style(r).dash


def test_styles_differ_in_shape_as_well_as_colour():
    styles = [run_style(i) for i in range(6)]
    assert len({s.dash for s in styles}) == len({s.symbol for s in styles}) == 6


def test_presentation_mode_is_larger():
    small, large = Sizes.for_mode(False), Sizes.for_mode(True)
    assert large.font > small.font and large.line > small.line and large.marker > small.marker


def test_landscape_image_shows_bands_with_darker_edges(scene):
    _, _, landscape, _ = scene
    image = landscape_image(landscape)
    assert image.size == (len(landscape.xs), len(landscape.ys))
    rgb = banded_rgb(np.linspace(0, 1, 200)[None, :].repeat(3, axis=0))
    assert len({tuple(c) for c in rgb[1]}) > 20


def test_csv_export_has_every_point(scene):
    state, computed, _, _ = scene
    kinds = [KINDS[r.kind] for r in state.runs]
    rows = list(csv.DictReader(io.StringIO(trajectories_csv(computed.runs, computed.labels, kinds))))
    assert len(rows) == sum(len(t.path) for t in computed.runs)
    first = computed.runs[0]
    assert float(rows[1]["x"]) == first.path[1, 0] and float(rows[1]["lr"]) == first.lr[0]
    by_run = {row["run"]: row for row in rows}
    for r, (run, kind) in enumerate(zip(state.runs, kinds), start=1):  # GD and Momentum are both torch's SGD
        row = by_run[str(r)]
        assert row["kind"] == kind.label and row["torch_optimizer"] == (kind.spec.torch_class or kind.spec.name)
        for name, value in run.hyperparameters:
            shown = [row[f"hp.{name}[{i}]"] for i in range(2)] if isinstance(value, tuple) else [row[f"hp.{name}"]]
            assert shown == [str(v) for v in (value if isinstance(value, tuple) else (value,))], (r, name)
    assert len({row["kind"] for row in by_run.values()}) == len({r.kind for r in state.runs})


def test_html_export_is_standalone_light_and_fills_the_window(scene):
    state, computed, landscape, uri = scene
    html = standalone_html(
        paths_figure(landscape, computed.runs, computed.labels, state.start, SIZES, 60, uri), "Rosenbrock: a title"
    )
    assert "<html" in html and "Plotly.newPlot" in html and "<script src=" not in html  # nothing fetched
    assert len(html) > 3_000_000  # plotly.js is inlined
    assert '"plot_bgcolor":"white"' in html.replace(" ", "")  # the explicit light template travels along
    assert "100vh" in html and '"responsive":true' in html.replace(" ", "") and "Rosenbrock: a title" in html


def _plotted(html: str) -> tuple[list, dict]:
    """The data and layout an exported page hands Plotly.newPlot."""
    decoder = json.JSONDecoder()
    rest = html[html.index("Plotly.newPlot(") :]
    rest = rest[rest.index("[") :]
    data, end = decoder.raw_decode(rest)
    layout, _ = decoder.raw_decode(rest[end:].lstrip(", \n"))
    return data, layout


@pytest.mark.parametrize("show_3d", [True, False])
def test_html_export_has_a_legend_naming_each_run_once(scene, show_3d):
    state, computed, landscape, uri = scene
    figure = paths_figure(landscape, computed.runs, computed.labels, state.start, SIZES, 60, uri, show_3d=show_3d)
    data, layout = _plotted(standalone_html(figure, "Rosenbrock: legend"))
    assert layout["showlegend"] is True
    assert [t["name"] for t in data if t.get("showlegend")] == computed.labels
    assert "FOLLOW" not in json.dumps(layout)  # the 3-D follower is a script, not figure data


def test_paths_figure_without_3d_has_no_scene_and_frames_point_at_its_traces(scene):
    state, computed, landscape, uri = scene
    args = (landscape, computed.runs, computed.labels, state.start, SIZES, 60, uri)
    shown, flat = paths_figure(*args), paths_figure(*args, show_3d=False)
    assert "scene" in shown["layout"] and "scene" not in flat["layout"]
    assert not {t["type"] for t in flat["data"]} & {"surface", "scatter3d"}
    assert len(flat["frames"]) == len(shown["frames"])
    for figure in (shown, flat):
        for frame in figure["frames"]:
            assert len(frame["traces"]) == len(frame["data"]) and max(frame["traces"]) < len(figure["data"])
            for i, moved in zip(frame["traces"], frame["data"]):
                assert set(moved) <= {"x", "y", "z"} and ("z" in moved) == (figure["data"][i]["type"] == "scatter3d")
        # no frame redraws the whole figure: the map moves at the asked rate, the 3-D view follows (FOLLOW_3D_JS)
        play = figure["layout"]["updatemenus"][0]["buttons"][0]["args"][1]
        assert play["frame"]["redraw"] is False
        assert all(step["args"][1]["frame"]["redraw"] is False for step in figure["layout"]["sliders"][0]["steps"])


def test_slide_exports_carry_title_legend_and_each_runs_colour(scene):
    state, computed, landscape, _ = scene
    title = "Rosenbrock: export test"
    still = Image.open(io.BytesIO(still_png(landscape, computed.runs, computed.labels, state.start, title)))
    assert still.size == (1920, 1080)
    data = animated_gif(landscape, computed.runs, computed.labels, state.start, title, 80)
    gif = Image.open(io.BytesIO(data))
    assert gif.format == "GIF" and gif.n_frames > 10 and gif.size[0] >= 800 and len(data) <= 2_000_000
    frame = gif.convert("RGB")
    frame_pixels = np.asarray(frame).reshape(-1, 3)
    for r in range(len(computed.runs)):  # every run's exact colour is in the first frame (legend and paths)
        assert (frame_pixels == hex_rgb(run_style(r).color)).all(axis=1).any(), r
    legend = Frame.for_size(GIF_SIZE, landscape, computed.labels)
    strip = np.asarray(frame)[:, legend.legend_x :]
    assert (strip < 100).all(axis=2).sum() > 500  # the legend's labels: dark text right of the map
    top = np.asarray(frame)[: legend.plot[1]]
    assert (top < 100).all(axis=2).sum() > 500  # the title above it


def _still_pixels(preset: str, step=None):
    state = PRESETS[preset].build()
    computed = compute_runs(state)
    landscape, _ = cached_landscape.__wrapped__(state.surface, state.surface_params, state.l1, state.l2)
    data = still_png(landscape, computed.runs, computed.labels, state.start, "title", step)
    return (
        computed,
        np.asarray(Image.open(io.BytesIO(data)).convert("RGB")),
        Frame.for_size((1920, 1080), landscape, computed.labels),
    )


def test_a_run_thrown_off_the_map_stays_inside_the_slides_map():
    computed, pixels, frame = _still_pixels("lr_extremes", 40)  # GD lr=0.12 diverges off the map
    assert computed.runs[0].outcome.kind in ("diverged", "escaped") or computed.runs[0].steps > 40
    orange = (pixels == hex_rgb(run_style(0).color)).all(axis=2)
    left, top, right, bottom = frame.plot
    edge = 8  # a line cut at the edge keeps its width
    assert not orange[: top - edge].any() and not orange[bottom + edge :].any() and not orange[:, : left - edge].any()
    assert orange[top:bottom, left:right].sum() > 1000  # drawn, up to the map's edge


def test_the_slide_still_shows_each_runs_loss_beside_the_map(scene):
    state, computed, landscape, _ = scene
    data = still_png(landscape, computed.runs, computed.labels, state.start, "title")
    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    chart = Frame.for_size((1920, 1080), landscape, computed.labels).chart
    assert chart is not None and chart[0] > 1000  # right of the map, under the legend
    left, top, right, bottom = chart
    box = pixels[top : bottom + 1, left : right + 1]
    for r in range(len(computed.runs)):
        assert (box == hex_rgb(run_style(r).color)).all(axis=2).sum() > 200, r
    assert Frame.for_size(GIF_SIZE, landscape, computed.labels).chart is None  # no room on the GIF


ALL_KEYS = ("lowest minimum", "lowest minima (equal)", "other minima", "start")


@pytest.mark.parametrize(
    "surface,keys",
    [
        ("himmelblau", ["lowest minima (equal)", "start"]),
        ("rastrigin", ["lowest minimum", "other minima", "start"]),
        ("saddle", ["start"]),  # no minimum: no star in the legend
    ],
)
def test_the_page_and_slide_legends_explain_exactly_the_symbols_on_the_map(surface, keys):
    landscape, _ = cached_landscape.__wrapped__(surface, {}, 0.0, 0.0)
    assert landscape.legend_keys == keys  # the slide draws these rows
    page = legend_html(["GD"], 16, landscape.legend_keys)
    assert [key in page for key in ALL_KEYS] == [key in keys for key in ALL_KEYS]
    assert ("☆" in page) == ("start" != keys[0])  # a star only where the map draws one


def test_a_run_that_ends_on_a_minimum_is_still_seen_there():
    computed, pixels, frame = _still_pixels("basins")  # three runs, three of Himmelblau's four minima
    for r, t in enumerate(computed.runs):
        ((x, y),) = frame.to_pixels(((-5, 5), (-5, 5)), t.path[-1][None, :])
        centre = pixels[int(y) - 2 : int(y) + 3, int(x) - 2 : int(x) + 3]  # the star over it is an outline
        assert (centre == hex_rgb(run_style(r).color)).all(axis=2).sum() >= 20, computed.labels[r]


def test_the_page_legend_shows_each_runs_marker_as_the_map_draws_it():
    """On the map a run is its colour, dash and marker; at step 0 the markers sit on the start,
    so the legend must say which marker is whose (a diamond there looked like 'start')."""
    html = legend_html([f"run {r}" for r in range(6)], 16)
    swatches = html.split('<span class="optviz-key">')[1:]
    for r, swatch in enumerate(swatches):
        style = run_style(r)
        element = {
            "circle": "<circle",
            "square": "<polygon",
            "diamond": "<polygon",
            "triangle-up": "<polygon",
            "x": "<line",
            "cross": "<line",
        }[style.symbol]
        if element == "<line":  # the run's line and the marker's two bars
            assert swatch.count(f'stroke="{style.color}"') == 3, (r, swatch)
        else:
            assert element in swatch and f'fill="{style.color}"' in swatch, (r, swatch)


def test_a_diverged_runs_loss_beyond_float32_leaves_the_top_of_the_strip_instead_of_stopping_short():
    """GD at lr 0.2 on Himmelblau overflows: its last losses pass float32's largest (3.4e38),
    where a cast to float32 would make them inf and Plotly would drop them."""
    state = default_state("himmelblau")
    run = replace(state.runs[0], hyperparameters=(("lr", 0.2),) + state.runs[0].hyperparameters[1:])
    state = replace(state, runs=(run,))
    computed = compute_runs(state)
    loss = computed.runs[0].loss
    assert computed.runs[0].outcome.kind == "diverged" and np.nanmax(loss[np.isfinite(loss)]) > 3.5e38
    landscape, uri = cached_landscape.__wrapped__(state.surface, state.surface_params, state.l1, state.l2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "overflow encountered in cast"
        figure = paths_figure(landscape, computed.runs, computed.labels, state.start, SIZES, 60, uri, show_3d=False)
    strip = next(t for t in figure["data"] if t.get("yaxis") == "y2" and t.get("mode") == "lines")
    y = np.asarray(strip["y"], dtype=float)
    assert np.isfinite(y[~np.isnan(y)]).all() and np.nanmax(y) == float(np.finfo(np.float32).max)


def test_the_page_gets_the_template_folded_into_each_axis_and_item(scene):
    """Plotly compares a template object by identity, so the page's figures carry none: its
    defaults are written into the layout, with the figure's own values winning."""
    from optviz.figures.prebuilt import encode, fold_template
    from optviz.figures.style import TEMPLATE

    state, computed, landscape, uri = scene
    figure = paths_figure(landscape, computed.runs, computed.labels, state.start, SIZES, 60, uri)
    own_grid = figure["layout"]["xaxis"].get("gridcolor")
    layout = json.loads(encode(figure).text)["layout"]
    assert "template" not in layout
    axis_defaults = TEMPLATE["layout"]["xaxis"]
    for name in ("xaxis", "xaxis2", "yaxis", "yaxis2"):
        assert layout[name]["zerolinecolor"] == axis_defaults["zerolinecolor"], name
    assert layout["xaxis"]["gridcolor"] == (own_grid or axis_defaults["gridcolor"])
    assert layout["plot_bgcolor"] == "white" and layout["font"]["color"] == TEMPLATE["layout"]["font"]["color"]
    assert layout["font"]["size"] == SIZES.font  # the figure's own value, beside the template's colour
    notes = fold_template({"layout": {"template": TEMPLATE, "annotations": [{"text": "a", "arrowcolor": "red"}, {}]}})
    assert "title" not in notes  # an untitled chart stays untitled (the page finds charts by their titles)
    default_arrow = TEMPLATE["layout"]["annotationdefaults"]["arrowcolor"]
    assert [a["arrowcolor"] for a in notes["annotations"]] == ["red", default_arrow]
