"""The network page's figures: what each panel draws equals what the engine computes."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.figures.network import curves_figure, decision_figure, landscape_figure, line_figure, sharpness_figure
from optviz.figures.network.common import legend_rows
from optviz.figures.network.curves import marks_best
from optviz.figures.network.decision import probability_grid, sigmoid
from optviz.figures.network.landscape import captured_name
from optviz.network.planes import line, plane
from optviz.network.train import NetRun, Setup, train, train_runs

SMALL = {"hidden": (8,), "steps": 60}


def _runs(count: int) -> list[NetRun]:
    kinds = [("sgd", 0.5), ("adam", 0.02), ("sgd", 0.2), ("rmsprop", 0.01), ("adagrad", 0.1), ("adam", 0.05)]
    return [NetRun(kind, {"lr": lr}) for kind, lr in kinds[:count]]


@pytest.fixture(scope="module")
def moons():
    return train_runs(Setup("moons", n_points=80, hidden=(8,), steps=60), _runs(2), record_every=3)


@pytest.fixture(scope="module")
def moons6():
    return train_runs(Setup("moons", n_points=80, hidden=(8,), steps=60), _runs(6), record_every=3)


@pytest.fixture(scope="module")
def sine():
    return train_runs(Setup("sine", hidden=(8,), steps=60), _runs(1))


@pytest.fixture(scope="module")
def diverged():
    return [train("sine", "sgd", steps=200, lr=3.0, hidden=(16, 16), activation="relu")]


def _labels(results):
    return [f"{r.run.optimizer} · lr {r.hyperparameters['lr']:g}" for r in results]


def _animated(fig, frames: int):
    names = [f.name for f in fig.frames]
    assert 2 <= len(names) <= frames
    gaps = np.diff([int(n) for n in names])
    assert (gaps[:-1] == gaps[0]).all() and 0 < gaps[-1] <= gaps[0]  # Play at an even pace
    assert [s.label for s in fig.layout.sliders[0].steps] == names
    return names


@pytest.mark.parametrize("name", ["moons", "moons6", "sine", "diverged"])
def test_decision_panels_animate_together(name, request):
    results = request.getfixturevalue(name)
    fig = decision_figure(results, _labels(results), frames=10)
    names = _animated(fig, 10)
    assert names[0] == "0" and names[-1] == str(results[0].recorded_steps[-1])
    assert all(len(f.data) == len(results) for f in fig.frames)  # one moving trace per panel


def test_decision_probabilities_are_the_networks(moons):
    torch = pytest.importorskip("torch")
    from optviz.network.torch_mirror import torch_model

    fig = decision_figure(moons, _labels(moons), frames=5)
    panel = fig.data[0]
    n = len(panel.x)
    _, _, inputs = probability_grid(moons[0], n)
    step_index = list(moons[0].recorded_steps).index(int(fig.frames[-1].name))
    model = torch_model(moons[0])
    torch.nn.utils.vector_to_parameters(torch.tensor(moons[0].weights[step_index]), model.parameters())
    with torch.no_grad():
        expected = torch.sigmoid(model(torch.tensor(inputs))).numpy().reshape(n, n)
    np.testing.assert_allclose(np.asarray(fig.frames[-1].data[0].z, dtype=float), expected, atol=1e-6)
    assert panel.zmin == 0 and panel.zmax == 1 and panel.contours.start == 0.5


def test_sigmoid_is_stable_far_out():
    np.testing.assert_allclose(sigmoid(np.array([-800.0, 0.0, 800.0])), [0.0, 0.5, 1.0])


def test_a_diverged_panel_stops_at_its_last_finite_snapshot(diverged):
    result = diverged[0]
    assert result.outcome.kind == "diverged"
    fig = decision_figure(diverged, ["SGD · lr 3"], frames=40)
    assert f"diverged at step {result.outcome.step}" in fig.layout.annotations[0].text
    last = np.asarray(fig.frames[-1].data[0].y, dtype=float)
    assert np.isfinite(last).all()
    np.testing.assert_array_equal(last, np.asarray(fig.frames[-2].data[0].y, dtype=float))


@pytest.fixture(scope="module")
def too_high():
    """The lr_too_high lesson: a good GD run and one that blows up within a few steps."""
    setup = Setup("sine", n_points=30, noise=0.3, hidden=(16, 16), steps=200)
    return train_runs(setup, [NetRun("sgd", {"lr": 0.1}), NetRun("sgd", {"lr": 1.0})], record_every=3)


def test_a_diverged_fit_never_leaves_its_panel(too_high):
    """Blown-up but finite weights fit a near-vertical line: the panel stops before them."""
    assert too_high[1].outcome.kind == "diverged"
    fig = decision_figure(too_high, _labels(too_high), frames=40)
    low, high = fig.layout.yaxis2.range
    for frame in fig.frames:
        fit = np.asarray(frame.data[1].y, dtype=float)
        assert ((fit >= low - (high - low)) & (fit <= high + (high - low))).all(), frame.name
    assert "shows step" in fig.layout.annotations[1].text


def test_a_diverged_loss_leaves_an_axis_scaled_to_the_others(too_high):
    good, bad = too_high
    fig = curves_figure(too_high, _labels(too_high))
    axis = fig.layout.yaxis
    top = 10 ** axis.range[1] if axis.type == "log" else axis.range[1]
    assert good.train_loss.max() < top < 10 * good.train_loss.max()
    note = next(a for a in fig.layout.annotations if "→" in a.text)
    assert f"at step {bad.final_step}" in note.text
    # its best validation loss is its start: no marker for it
    assert not marks_best(bad) and all("lr 1:" not in (t.name or "") for t in fig.data if t.mode == "markers")


@pytest.mark.parametrize("name", ["moons", "moons6", "sine", "diverged"])
def test_curves_mark_each_best_validation_step(name, request):
    results = request.getfixturevalue(name)
    fig = curves_figure(results, _labels(results))
    best = [t for t in fig.data if t.hovertemplate and "early stopping" in t.hovertemplate]
    marked = [r for r in results if marks_best(r)]  # a diverged run whose best is its start: none
    assert len(best) == len(marked)
    for trace, result in zip(best, marked):
        step = result.best_validation_step
        assert trace.x == (step,) and trace.y[0] == pytest.approx(result.validation_loss[step])
        assert f"at step {step} (early stopping)" in trace.hovertemplate
    assert ("yaxis2" in fig.layout and fig.layout.yaxis2.domain is not None) == results[0].data.dataset.classifies


def test_legend_rows_count_what_is_shown_not_the_markup():
    marked = '<span style="color:#E69F00">●</span><span style="color:#0072B2">■</span> best validation'
    assert legend_rows(["training", "validation", marked], 12, 400) == 1  # the spans' ~70 characters show as 2
    assert legend_rows(["training", "validation", marked], 18, 320) == 2


def test_the_2_over_lr_line_is_2_over_lr(moons):
    steps = np.array([0, 30, 60])
    series = [(steps, np.array([1.0, 2.0, 3.0])) for _ in moons]
    fig = sharpness_figure(series, [r.lrs for r in moons], _labels(moons))
    limits = [t for t in fig.data if t.name and t.name.startswith("2/lr,")]
    assert len(limits) == len(moons)
    for trace, result in zip(limits, moons):
        np.testing.assert_allclose(np.asarray(trace.y, dtype=float), 2.0 / result.hyperparameters["lr"], rtol=1e-6)
        assert trace.line.dash == "dash"
    assert "2/lr" in fig.layout.title.text


@pytest.mark.parametrize("name", ["moons", "sine", "diverged"])
def test_line_marks_start_and_end(name, request):
    results = request.getfixturevalue(name)
    lines = [line(r, points=21) for r in results]
    fig = line_figure(lines[0][0], [losses for _, losses in lines], _labels(results))
    assert [(a.x, a.text) for a in fig.layout.annotations] == [(0.0, "start"), (1.0, "end")]
    np.testing.assert_allclose(np.asarray(fig.data[2].y, dtype=float), lines[0][1][:, 0])


@pytest.mark.parametrize("name", ["moons", "moons6", "sine", "diverged"])
def test_landscape_names_each_runs_captured_share(name, request):
    results = request.getfixturevalue(name)
    landscape = plane(results, "pca", resolution=11)
    labels = _labels(results)
    fig = landscape_figure(landscape, labels, results=results, frames=8, show_3d=name == "moons")
    _animated(fig, 8)
    names = {t.name for t in fig.data}
    for r, label in enumerate(labels):
        share = f"({landscape.captured[r]:.0%} of its path in the plane)"
        assert any(n and n.startswith(label) and n.endswith(share) for n in names)
    assert landscape.kind.name in fig.layout.title.text and "2-D slice" in fig.layout.title.text
    assert fig.layout.xaxis.title.text == "a: distance along direction 1"
    assert fig.layout.yaxis.title.text == "b: along direction 2"
    start = next(i for i, t in enumerate(fig.data) if t.name == "start (every run's)")
    heads = [  # the runs' markers on the map (not the 3-D scene's)
        i
        for i, t in enumerate(fig.data)
        if t.type == "scatter" and t.mode == "markers" and (t.legendgroup or "").startswith("run")
    ]
    assert heads and start > max(heads)  # drawn over the runs' markers at step 0, which sit on it


def test_a_random_plane_draws_its_centre_and_the_validation_loss(moons):
    landscape = plane(moons, "random", resolution=11)
    fig = landscape_figure(landscape, _labels(moons), results=moons, which="validation", frames=6)
    assert any(t.name and t.name.startswith("end of") for t in fig.data)
    assert fig.layout.title.text.startswith("Validation loss")
    np.testing.assert_allclose(
        np.asarray(fig.data[0].customdata, dtype=float),
        landscape.validation[::1, ::1][np.ix_(range(len(landscape.betas)), range(len(landscape.alphas)))],
        rtol=1e-6,
    )
    assert captured_name("x", float("nan")) == "x"


def test_six_runs_forty_frames_stay_small(moons6):
    sizes = {
        "decision": len(decision_figure(moons6, _labels(moons6), frames=40).to_json()),
        "landscape": len(landscape_figure(plane(moons6), _labels(moons6), results=moons6, show_3d=True).to_json()),
    }
    assert max(sizes.values()) < 2_000_000, sizes
