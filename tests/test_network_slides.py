"""The network page's slide files: valid PNG and GIF of the right size, and the pixels show what
the network computes (checked against the kernel's own outputs, not the drawing code's)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from optviz.figures.network.common import frame_snapshots
from optviz.figures.network_slides import GIF_SIZE, STILL_SIZE, caption, decision_gif, decision_png, sheet, snapshot_at
from optviz.figures.style import hex_rgb, run_style
from optviz.network import kernel
from optviz.network.train import NetRun, Setup, kernel_inputs, train, train_runs


def _outputs(result, x, row) -> np.ndarray:
    """The network's output at inputs x with the weights of snapshot ``row``, from the kernel."""
    net, _ = kernel_inputs(result.network, result.data)
    out = np.empty((1, len(x)))
    kernel.outputs_at(
        net, np.ascontiguousarray(x, dtype=float), np.ascontiguousarray(result.weights[row : row + 1]), out
    )
    return out[0]


def _png(data: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == STILL_SIZE
    return np.asarray(image.convert("RGB")).astype(int)


def _gif_frames(data: bytes) -> list[np.ndarray]:
    image = Image.open(io.BytesIO(data))
    assert image.format == "GIF" and image.size == GIF_SIZE
    frames = []
    for k in range(image.n_frames):
        image.seek(k)
        frames.append(np.asarray(image.convert("RGB")).astype(int))
    return frames


@pytest.fixture(scope="module")
def moons():
    return train("moons", "adam", steps=60, hidden=(8,), lr=0.05)


@pytest.fixture(scope="module")
def six():
    kinds = [("sgd", 0.5), ("adam", 0.02), ("sgd", 0.2), ("rmsprop", 0.01), ("adagrad", 0.1), ("adam", 0.05)]
    runs = [NetRun(kind, {"lr": lr}) for kind, lr in kinds]
    return train_runs(Setup("moons", n_points=80, hidden=(8,), steps=60), runs, record_every=3)


@pytest.fixture(scope="module")
def sine():
    return train("sine", "adam", steps=60, hidden=(8,), lr=0.01)


@pytest.fixture(scope="module")
def diverged():
    return train("sine", "sgd", steps=200, lr=3.0, hidden=(16, 16), activation="relu")


def _marker_clear(panel, domain, result, pixels: np.ndarray, room: float) -> np.ndarray:
    """Which of ``pixels`` are at least ``room`` px from every drawn data point."""
    data = result.data
    if data.dataset.classifies:
        points = np.concatenate([data.x_train, data.x_validation])
    else:
        points = np.column_stack(
            [
                np.concatenate([data.x_train[:, 0], data.x_validation[:, 0]]),
                np.concatenate([data.y_train, data.y_validation]),
            ]
        )
    drawn = np.array(panel.to_pixels(domain, points))
    distance = np.linalg.norm(pixels[:, None, :] - drawn[None, :, :], axis=2).min(axis=1)
    return distance >= room


def test_the_probability_changes_colour_across_the_boundary_where_the_output_changes_sign(moons):
    png = _png(decision_png([moons], ["Adam · lr 0.05"], "Moons"))
    layout = sheet(STILL_SIZE, [moons], ["Adam · lr 0.05"])
    panel, domain = layout.panels[0], layout.domains[0]
    (x0, x1), (y0, y1) = domain
    gx, gy = np.meshgrid(np.linspace(x0, x1, 40)[2:-2], np.linspace(y0, y1, 40)[2:-2])
    candidates = np.column_stack([gx.ravel(), gy.ravel()])
    last = len(moons.recorded_steps) - 1
    logits = _outputs(moons, candidates, last)
    pixels = np.array(panel.to_pixels(domain, candidates))
    clear = _marker_clear(panel, domain, moons, pixels, room=20)
    blue_side = np.flatnonzero(clear & (logits < -1.5))
    orange_side = np.flatnonzero(clear & (logits > 1.5))
    assert blue_side.size and orange_side.size, "the network must predict both classes somewhere on the panel"

    def colour(k: int) -> np.ndarray:
        px, py = (int(round(v)) for v in pixels[k])
        return png[py, px]

    for k in blue_side:  # P(class 1) well below 0.5: blue (more blue than red)
        r, _, b = colour(k)
        assert b - r > 15, (candidates[k], logits[k], colour(k))
    for k in orange_side:  # well above: orange
        r, _, b = colour(k)
        assert r - b > 15, (candidates[k], logits[k], colour(k))

    # between a blue and an orange point, where the output first changes sign, the 0.5 line is drawn
    checked = 0
    for a in blue_side[np.argsort(logits[blue_side])][:8]:
        for b in orange_side[np.argsort(-logits[orange_side])][:8]:
            t = np.linspace(0, 1, 600)
            segment = candidates[a] + t[:, None] * (candidates[b] - candidates[a])
            crossing = np.flatnonzero(np.diff(np.sign(_outputs(moons, segment, last))) != 0)[0]
            where = np.array(panel.to_pixels(domain, segment[crossing : crossing + 1]))
            if not _marker_clear(panel, domain, moons, where, room=16)[0]:
                continue  # a data point may cover the line there
            px, py = (int(round(v)) for v in where[0])
            patch = png[py - 4 : py + 5, px - 4 : px + 5]
            assert (patch.sum(axis=2) < 150).any(), (segment[crossing], patch.sum(axis=2).min())
            checked += 1
    assert checked >= 5


def test_a_regression_panel_draws_the_fitted_curve_through_the_kernels_values(sine):
    png = _png(decision_png([sine], ["Adam · lr 0.01"], "Sine"))
    layout = sheet(STILL_SIZE, [sine], ["Adam · lr 0.01"])
    panel, domain = layout.panels[0], layout.domains[0]
    (x0, x1), (y0, y1) = domain
    xs = np.linspace(x0, x1, 30)[1:-1]
    fit = _outputs(sine, xs[:, None], len(sine.recorded_steps) - 1)
    inside = (fit > y0) & (fit < y1)
    pixels = np.array(panel.to_pixels(domain, np.column_stack([xs, fit])))
    keep = inside & _marker_clear(panel, domain, sine, pixels, room=16)
    assert keep.sum() >= 10
    run_colour = np.array(hex_rgb(run_style(0).color))
    for px, py in pixels[keep]:
        patch = png[int(py) - 3 : int(py) + 4, int(px) - 3 : int(px) + 4]
        assert (np.abs(patch - run_colour).sum(axis=2) < 40).any(), (px, py)


def test_the_still_shows_the_step_asked_for(six):
    labels = [f"run {r}" for r in range(6)]
    end, start = decision_png(six, labels, "Six"), decision_png(six, labels, "Six", step=0)
    assert not np.array_equal(_png(end), _png(start))
    assert snapshot_at(six[0], 31) == 10 and int(six[0].recorded_steps[10]) == 30  # recorded every 3
    assert caption(six[0], "run 0", 31).step == 30
    shown = caption(six[0], "run 0", 31)
    assert shown.train == pytest.approx(six[0].train_loss[30]) and shown.note is None


def test_six_panels_fit_the_slide_apart_in_two_rows_of_three(six):
    labels = [f"run {r}" for r in range(6)]
    _png(decision_png(six, labels, "Six runs"))
    for size in (STILL_SIZE, GIF_SIZE):
        layout = sheet(size, six, labels)
        boxes = [panel.plot for panel in layout.panels]
        assert len({top for _, top, _, _ in boxes}) == 2 and len({left for left, _, _, _ in boxes}) == 3
        for k, (left, top, right, bottom) in enumerate(boxes):
            assert 0 < left < right < size[0] and layout.legend_top < top < bottom < size[1]
            captioned = top - layout.caption_lines * layout.line_height
            for other in boxes[k + 1 :]:  # neither the panels nor the captions above them overlap
                assert right <= other[0] or other[2] <= left or bottom <= other[1] - 1 or other[3] <= captioned
    frames = _gif_frames(decision_gif(six, labels, "Six runs", frames=10))
    assert len(frames) == len(frame_snapshots(six[0], 10))


def test_a_gif_has_one_frame_per_snapshot_shown_and_moves(moons):
    gif = decision_gif([moons], ["Adam"], "Moons", frame_ms=80, frames=12)
    frames = _gif_frames(gif)
    assert 2 < len(frames) == len(frame_snapshots(moons, 12)) <= 12
    assert not np.array_equal(frames[0], frames[-1])
    image, durations = Image.open(io.BytesIO(gif)), []
    for k in range(image.n_frames):
        image.seek(k)
        durations.append(image.info["duration"])
    assert durations[0] == 80 and durations[-1] > 80  # the end is held before the loop restarts


def test_a_diverged_run_says_so_and_stays_at_its_last_finite_snapshot(diverged, sine):
    assert diverged.outcome.kind == "diverged"
    n = diverged.outcome.step
    last = int(np.isfinite(diverged.weights).all(axis=1).sum()) - 1
    at_end = caption(diverged, "SGD · lr 3")
    assert at_end.step == int(diverged.recorded_steps[last]) and at_end.step < n
    assert f"diverged at step {n}" in " ".join(at_end.lines())
    assert np.isfinite(at_end.train) and np.isfinite(at_end.validation)
    assert caption(diverged, "SGD · lr 3", step=n - 1).note is None  # still training then
    assert caption(diverged, "SGD · lr 3", step=150).step == at_end.step

    labels = ["SGD · lr 3", "Adam · lr 0.01"]
    _png(decision_png([diverged, sine], labels, "Diverged"))
    frames = _gif_frames(decision_gif([diverged], labels[:1], "Diverged", frames=10))
    left, top, right, bottom = sheet(GIF_SIZE, [diverged], labels[:1]).panels[0].plot
    frozen = [f[top : bottom + 1, left : right + 1] for f in frames[1:]]
    assert all(np.array_equal(frozen[0], f) for f in frozen[1:])  # every later frame shows step `last`


def test_bad_inputs_are_refused(moons, sine):
    with pytest.raises(ValueError, match="1 to 6"):
        decision_png([moons] * 7, ["a"] * 7, "Too many")
    with pytest.raises(ValueError, match="labels"):
        decision_gif([moons], [], "No label")
    with pytest.raises(ValueError, match="same data"):
        decision_png([moons, sine], ["a", "b"], "Two data sets")
