"""Training a network: torch.optim and torch autograd are the oracles; the API's contract and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optviz.engine.rng import uniform
from optviz.network import kernel
from optviz.network.data import CATALOGUE as DATASETS
from optviz.network.data import draw
from optviz.network.model import ACTIVATIONS, NON_BREAKING_HYPHEN, network
from optviz.network.train import MAX_RUNS, NetRun, Setup, recorded_steps, train, train_runs
from optviz.optimizers import CATALOGUE
from tests import reference
from tests.test_optimizers import OPTION_SETS

torch = pytest.importorskip("torch")
from optviz.network.torch_mirror import torch_gradient, torch_loss_and_gradient, torch_model, train_in_torch  # noqa: E402

SMALL = {"hidden": (8, 8), "n_points": 60}
REGIMES = {
    "full batch": {},
    "batches of 16": {"batch_size": 16},
    "batches and penalties": {"batch_size": 16, "l1": 0.003, "l2": 0.02},
}
CASES = [(key, options) for key, sets in OPTION_SETS.items() for options in sets]
# Runs that amplify one-ulp differences (torch sums a layer in another order): a small β₂
# makes Adam's step nearly sign(g), and Rprop's step size follows sign(g_t·g_{t-1}); where a
# gradient component crosses zero, rounding decides the sign.  Compared over 40 steps.
SENSITIVE = [("adam", {"betas": (0.3, 0.9)}), ("radam", {"betas": (0.5, 0.9)}), ("rprop", {"etas": (0.3, 1.5)})]


@pytest.fixture(autouse=True)
def float64_torch():
    """NAdam's μ-product is kept in torch's default dtype: float64, as optviz computes."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def _lr(key: str) -> float:
    return {"sgd": 0.1, "adagrad": 0.05, "adadelta": 1.0, "rprop": 0.01, "polyak": 0.3}.get(key, 0.01)


@pytest.mark.parametrize("regime", sorted(REGIMES))
@pytest.mark.parametrize(
    "optimizer,options", CASES, ids=[f"{o}-{i}" for o, s in OPTION_SETS.items() for i in range(len(s))]
)
def test_training_matches_torch_for_100_steps(optimizer, options, regime):
    """Every first-order optimizer and option, as torch.optim trains the same network from the
    same weights on the same rows (Lion, not in torch.optim: its reference with autograd's gradients)."""
    steps = 40 if (optimizer, options) in SENSITIVE else 100
    result = train("moons", optimizer, steps=steps, lr=_lr(optimizer), **SMALL, **REGIMES[regime], **options)
    assert result.outcome.kind == "ran_all_steps"
    if CATALOGUE[optimizer].torch_class:
        expected = train_in_torch(result)
        for loss in ("train_loss", "validation_loss"):  # a loss near 1e-12 is compared to rounding
            np.testing.assert_allclose(getattr(result, loss), expected[loss], rtol=1e-8, atol=1e-14)
    else:
        expected = {"weights": _reference_path(result, options, steps)}
    scale = np.abs(expected["weights"]).max()
    np.testing.assert_allclose(result.weights, expected["weights"], rtol=1e-8, atol=1e-8 * scale)


def _reference_path(result, options, steps):
    """tests/reference.py's transcription of the optimizer, stepping on torch autograd's
    gradients of the same rows, penalties added."""
    run = result.run
    w, state, path = result.weights[0].copy(), {}, [result.weights[0]]
    for t in range(1, steps + 1):
        rows = None if result.batches is None else result.batches[t - 1][result.batches[t - 1] >= 0]
        loss, g = torch_loss_and_gradient(result, w, rows=rows)
        state["loss"] = loss + run.l1 * np.abs(w).sum() + run.l2 / 2 * (w @ w)  # the objective a step may read
        g = g + run.l1 * np.sign(w) + run.l2 * w
        w = reference.STEPS[run.optimizer](w, g, result.lrs[t - 1], t, state, **options)
        path.append(w.copy())
    return np.array(path)


@pytest.fixture(params=[(d, a) for d in ("moons", "sine") for a in ACTIVATIONS])
def network_case(request):
    dataset, activation = request.param
    return train(dataset, "sgd", steps=3, hidden=(5, 7), activation=activation, n_points=40, lr=0.1)


def test_gradient_equals_torch_autograd(network_case):
    result = network_case
    net, data = kernel_inputs_of(result)
    for step, w in enumerate(result.weights):
        grad = np.zeros_like(w)
        loss = kernel.set_gradient(net, data.x_train, data.y_train, w, 0, 0.0, grad)
        np.testing.assert_allclose(grad, torch_gradient(result, w), rtol=1e-12, atol=1e-14)
        assert loss == pytest.approx(result.train_loss[step], rel=1e-14)


def kernel_inputs_of(result):
    from optviz.network.train import kernel_inputs

    net, data = kernel_inputs(result.network, result.data)
    return net, data


def _replayed_masks(sizes, rows, dropout, seed):
    """The masks ``kernel.forward`` draws: hidden layer by layer, unit by unit, row by row."""
    state = np.full(1, seed, dtype=np.uint64)
    masks = []
    for units in sizes[1:-1]:
        mask = np.ones((rows, units))
        for unit in range(units):
            for row in range(rows):
                mask[row, unit] = 0.0 if uniform(state) < dropout else 1.0
        masks.append(mask)
    return masks


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_dropout_gradient_equals_torch_with_the_same_masks(activation):
    result = train("moons", "sgd", steps=1, hidden=(6, 5), activation=activation, n_points=30, dropout=0.4, lr=0.1)
    net, data = kernel_inputs_of(result)
    w = result.weights[0]
    grad = np.zeros_like(w)
    kernel.set_gradient(net, data.x_train, data.y_train, w, 99, 0.4, grad)
    masks = _replayed_masks(result.network.sizes, len(data.y_train), 0.4, 99)
    assert 0.2 < 1 - np.mean(np.concatenate([m.ravel() for m in masks])) < 0.6  # about 40% dropped
    np.testing.assert_allclose(grad, torch_gradient(result, w, masks), rtol=1e-12, atol=1e-14)


def test_weights_are_in_torch_parameter_order_with_torch_init_bounds():
    result = train("moons", "sgd", steps=1, hidden=(3, 4), n_points=20, lr=0.1)
    model = torch_model(result)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    at = 0
    for linear in linears:
        for tensor in (linear.weight, linear.bias):
            flat = tensor.detach().numpy().ravel()
            np.testing.assert_array_equal(flat, result.weights[0][at : at + flat.size])
            bound = 1 / math.sqrt(linear.in_features)
            assert np.all(np.abs(flat) <= bound)
            at += flat.size
    assert at == result.network.n_params == 3 * 2 + 3 + 4 * 3 + 4 + 4 + 1


def test_runs_share_initial_weights_and_batches():
    setup = Setup("moons", n_points=80, hidden=(8,), steps=30)
    runs = [NetRun("sgd", {"lr": 0.1}, batch_size=10), NetRun("adam", {"lr": 0.01}, batch_size=10, dropout=0.3)]
    first, second = train_runs(setup, runs)
    np.testing.assert_array_equal(first.weights[0], second.weights[0])
    np.testing.assert_array_equal(first.batches, second.batches)
    # without replacement within each epoch: 40 training rows, batches of 10, so 4 batches an epoch
    for epoch in range(30 // 4):
        rows = first.batches[4 * epoch : 4 * epoch + 4].ravel()
        assert sorted(rows) == list(range(40))


def test_a_short_last_batch_is_padded_and_still_covers_the_epoch():
    result = train("moons", "sgd", steps=4, batch_size=15, n_points=80, hidden=(4,), lr=0.1)
    assert (result.batches[2] == -1).sum() == 5  # 40 rows: 15 + 15 + 10
    assert sorted(result.batches[:3][result.batches[:3] >= 0]) == list(range(40))


def test_record_every_thins_the_weights_only():
    every = train("moons", "adam", steps=25, hidden=(6,), n_points=40, lr=0.01)
    thinned = train("moons", "adam", steps=25, hidden=(6,), n_points=40, lr=0.01, record_every=10)
    np.testing.assert_array_equal(thinned.recorded_steps, [0, 10, 20, 25])
    np.testing.assert_array_equal(thinned.weights, every.weights[[0, 10, 20, 25]])
    np.testing.assert_array_equal(thinned.train_loss, every.train_loss)
    assert every.weights.shape == (26, every.network.n_params)
    np.testing.assert_array_equal(recorded_steps(20, 10), [0, 10, 20])


def test_the_data_is_seeded_split_and_labelled():
    for key, spec in DATASETS.items():
        split = draw(key, validation=0.25, seed=3)
        again = draw(key, validation=0.25, seed=3)
        np.testing.assert_array_equal(split.x_train, again.x_train)
        n = len(split.y_train) + len(split.y_validation)
        assert n == spec.points and len(split.y_validation) == round(0.25 * n)
        assert split.x_train.shape[1] == spec.inputs
        if spec.classifies:
            assert set(np.unique(split.y_train)) == {0.0, 1.0}
        assert not np.array_equal(draw(key, seed=4).x_train, split.x_train)


def test_divergence_is_an_outcome_with_the_losses_cut_there():
    result = train("sine", "sgd", steps=200, lr=3.0, hidden=(16, 16), activation="relu")
    assert result.outcome.kind == "diverged"
    stop = result.outcome.step
    assert 1 <= stop < 200 and result.outcome.reason in ("non_finite", "beyond_bound")
    assert np.isnan(result.validation_loss[stop + 1 :]).all() and np.isfinite(result.final_weights).all()


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: train("mnist", "adam"), "unknown dataset 'mnist'; valid: moons"),
        (lambda: train("moons", "newton"), "'newton' is a 2-D method"),
        (
            lambda: train("moons", "adam", hidden=(10**6,)),
            "hidden layer's hidden units=1000000 is outside its range [1, 64]",
        ),
        (lambda: train("moons", "adam", hidden=(4, 4, 4, 4)), "at most 3 hidden layers"),
        (lambda: train("moons", "adam", steps=10**6), "steps=1000000 is outside its range [1, 20000]"),
        (lambda: train("moons", "adam", activation="gelu"), "unknown activation 'gelu'; valid: tanh, relu, sigmoid"),
        (lambda: train("moons", "adam", noise=float("nan")), "noise=nan is outside its range [0, 2]"),
        (lambda: train("moons", "adam", dropout=1.0), "dropout=1.0 is outside its range [0, 0.9]"),
        (lambda: train("moons", "adam", hidden=(), dropout=0.5), "dropout acts on hidden units"),
        (lambda: train("moons", "adam", momentum=0.9), "optimizer 'adam' has no parameter momentum"),
        (lambda: train_runs(Setup(), [NetRun("sgd")] * (MAX_RUNS + 1)), "1 to 6 runs"),
    ],
)
def test_bad_input_names_the_field_and_range(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert message in str(error.value)


def test_a_network_is_described_in_one_unbreakable_word():
    """On a phone the lesson's "2-32-32-1" broke before its last 1; its hyphens now hold it together."""
    described = network(2, (32, 32), "tanh").describe()
    assert described == NON_BREAKING_HYPHEN.join(["2", "32", "32", "1"]) + " tanh" and "-" not in described
