"""Landscape planes and sharpness: the properties the page's pictures and sentences rely on."""

from __future__ import annotations

import numpy as np
import pytest

from optviz.network.planes import captured_share, line, losses_at, plane
from optviz.network.sharpness import sharpness
from optviz.network.train import NetRun, Setup, train_runs

SETUP = Setup("moons", n_points=80, hidden=(8, 8), steps=150)
RUNS = [
    NetRun("sgd", {"lr": 0.5}),
    NetRun("adam", {"lr": 0.02}),
    NetRun("sgd", {"lr": 0.2, "momentum": 0.9}, batch_size=8),
]


@pytest.fixture(scope="module")
def results():
    return train_runs(SETUP, RUNS, record_every=3)


def test_start_and_both_ends_lie_on_the_endpoints_plane(results):
    p = plane(results, "endpoints", first_run=1, second_run=2, resolution=5)
    d = p.directions
    for weights, ab in ((results[1].final_weights, p.paths[1][-1]), (results[2].final_weights, p.paths[2][-1])):
        rebuilt = d.origin + ab[0] * d.first + ab[1] * d.second
        np.testing.assert_allclose(rebuilt, weights, rtol=0, atol=1e-12 * np.abs(weights).max())
    np.testing.assert_allclose(p.paths[0][0], [0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(p.real_loss[1][-1], p.projected_loss[1][-1], rtol=1e-12)


def test_the_pca_plane_captures_the_share_it_reports_and_the_most_of_any_plane(results):
    p = plane(results, "pca", resolution=5)
    d = p.directions
    np.testing.assert_allclose([d.first @ d.first, d.second @ d.second, d.first @ d.second], [1, 1, 0], atol=1e-12)
    basis = np.stack([d.first, d.second]).T
    totals = []
    for r, result in enumerate(results):
        moved = result.weights - d.origin
        in_plane = moved @ basis @ np.linalg.pinv(basis)  # projection by least squares: an independent route
        share = (in_plane**2).sum() / (moved**2).sum()
        assert p.captured[r] == pytest.approx(share, rel=1e-10)
        totals.append((in_plane**2).sum())
    other = plane(results, "endpoints", resolution=5).directions
    assert sum(totals) >= sum(
        captured_share(other, r.weights) * ((r.weights - other.origin) ** 2).sum() for r in results
    ) * (1 - 1e-12)


def test_the_grid_is_the_loss_at_its_points(results):
    p = plane(results, "pca", resolution=7)
    d = p.directions
    for j, i in ((0, 0), (3, 5), (6, 2)):
        w = d.origin + p.alphas[i] * d.first + p.betas[j] * d.second
        train_loss, validation_loss = losses_at(results, w[None])[0, :2]
        assert p.train[j, i] == pytest.approx(train_loss, rel=1e-14)
        assert p.validation[j, i] == pytest.approx(validation_loss, rel=1e-14)
    a = np.concatenate([path for path in p.paths])
    assert p.alphas[0] < a[:, 0].min() and a[:, 0].max() < p.alphas[-1]
    assert p.betas[0] < a[:, 1].min() and a[:, 1].max() < p.betas[-1]


def test_random_directions_are_filter_normalised_around_a_runs_end(results):
    p = plane(results, "random", first_run=2, resolution=5)
    d, end = p.directions, results[2].final_weights
    np.testing.assert_array_equal(d.origin, end)
    for start, length, bias in results[2].network.rows():
        for direction in (d.first, d.second):
            row = slice(start, start + length)
            assert np.linalg.norm(direction[row]) == pytest.approx(np.linalg.norm(end[row]), rel=1e-12)
            assert direction[bias] == 0.0
    assert p.paths == [None] * 3
    assert p.train[2, 2] == pytest.approx(results[2].train_loss[-1], rel=1e-12)  # the centre is the run's end


def test_the_line_runs_from_the_start_to_the_end(results):
    alpha, losses = line(results[0], points=5, beyond=0.0)
    np.testing.assert_array_equal(alpha, [0, 0.25, 0.5, 0.75, 1])
    assert losses[0, 0] == pytest.approx(results[0].train_loss[0], rel=1e-14)
    assert losses[-1, 1] == pytest.approx(results[0].validation_loss[-1], rel=1e-14)


def test_sharpness_is_the_top_eigenvalue_of_torchs_exact_hessian(results):
    torch = pytest.importorskip("torch")
    from torch.func import functional_call

    from optviz.network.torch_mirror import torch_model

    result = results[0]
    model = torch_model(result)
    names = [(name, tuple(q.shape)) for name, q in model.named_parameters()]
    x, y = torch.tensor(result.data.x_train), torch.tensor(result.data.y_train)

    def loss(vector):
        tensors, at = {}, 0
        for name, shape in names:
            size = int(np.prod(shape))
            tensors[name] = vector[at : at + size].reshape(shape)
            at += size
        return torch.nn.functional.binary_cross_entropy_with_logits(functional_call(model, tensors, (x,))[:, 0], y)

    for w in (result.weights[0], result.final_weights):
        hessian = torch.autograd.functional.hessian(loss, torch.tensor(w, dtype=torch.float64)).numpy()
        assert sharpness(result, w) == pytest.approx(np.linalg.eigvalsh(hessian)[-1], rel=1e-7)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"kind": "hessian"}, "unknown plane 'hessian'; valid: pca, endpoints, random"),
        ({"first_run": 5}, "first_run=5 must be a run index in [0, 2]"),
        ({"resolution": 1000}, "resolution=1000 is outside its range [5, 121]"),
    ],
)
def test_bad_plane_requests_name_the_field(results, kwargs, message):
    with pytest.raises(ValueError) as error:
        plane(results, **kwargs)
    assert message in str(error.value)


def test_sharpness_is_measured_at_even_steps_only(results):
    # full-batch GD at the edge of stability oscillates with period 2: one phase, not a zigzag
    from optviz.network.sharpness import sharpness_along

    steps, values = sharpness_along(results[0], points=10)
    assert len(steps) == 10 and np.all(steps % 2 == 0) and np.all(np.diff(steps) > 0)
    k = list(results[0].recorded_steps).index(steps[3])
    assert values[3] == sharpness(results[0], results[0].weights[k])
