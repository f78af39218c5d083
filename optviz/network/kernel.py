"""The compiled training loop: the network's forward and backward passes, mini-batches,
dropout, L1/L2 penalties, every schedule and every first-order optimizer's update.

All runs of a batch train in one compiled call: on a network this small torch spends most of
a step in overhead, so the speed comes from never leaving compiled code (see the bench).
The optimizers are the surfaces' own declarations (``optimizers.spec``): one vector step over
all the weights, which also receives the loss.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from optviz.engine.rng import below, uniform
from optviz.engine.trajectory import DIVERGENCE_REASONS, OUTCOME_NAMES
from optviz.jit import compiled, inlined
from optviz.network.model import activation_slope, activation_value
from optviz.optimizers import LR_SLOT, optimizer_initial, optimizer_step
from optviz.schedules import scheduled_lr

RAN_ALL, DIVERGED = OUTCOME_NAMES.index("ran_all_steps"), OUTCOME_NAMES.index("diverged")
NOT_DIVERGED, NON_FINITE, BEYOND_BOUND = (DIVERGENCE_REASONS.index(k) for k in (None, "non_finite", "beyond_bound"))
WEIGHT_BOUND = 1.0e6  # a weight this large has left every landscape worth drawing: diverged
R_OUTCOME, R_STOP_STEP, R_REASON = range(3)
TASKS = ("classification", "regression")


class Net(NamedTuple):
    """The architecture as the kernel reads it (``model.Network.layout``) and the loss's task."""

    sizes: np.ndarray
    weight_offsets: np.ndarray
    bias_offsets: np.ndarray
    activation: int
    task: int


class Data(NamedTuple):
    x_train: np.ndarray
    y_train: np.ndarray
    x_validation: np.ndarray
    y_validation: np.ndarray


class NetRuns(NamedTuple):
    """Per-run settings, indexed by run r.  A batch size of 0 means the full batch."""

    optimizer_codes: np.ndarray
    hyperparameters: np.ndarray
    schedule_codes: np.ndarray
    schedule_params: np.ndarray
    l1: np.ndarray
    l2: np.ndarray
    dropout: np.ndarray
    batch_sizes: np.ndarray


class NetRecord(NamedTuple):
    """Where runs write: weight snapshots every ``every`` steps (and the last), the losses and
    accuracies at every step, the lr, each step's training rows (−1 pads a short batch)."""

    every: int
    weights: np.ndarray
    train_loss: np.ndarray
    validation_loss: np.ndarray
    train_accuracy: np.ndarray
    validation_accuracy: np.ndarray
    lrs: np.ndarray
    batches: np.ndarray
    results: np.ndarray


class Scratch(NamedTuple):
    """A pass over many rows at once: [layer, unit, row] outputs, hidden slopes and deltas.
    Rows are the innermost index, so each weight multiplies a contiguous run of rows: the
    compiler vectorises those loops, where one row at a time is a chain of dependent adds."""

    outputs: np.ndarray
    slopes: np.ndarray
    deltas: np.ndarray


@inlined
def new_scratch(net, rows):
    shape = (net.sizes.shape[0], np.max(net.sizes), rows)
    return Scratch(np.zeros(shape), np.zeros(shape), np.zeros(shape))


# Cephes' tanh (S. Moshier): below |z| = 0.625 a rational function of z², above it one exp.
# Within ~2 ulp of torch's tanh, at a third of libm's tanh's time here (the forward pass's main cost).
_TANH_P = (-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3)
_TANH_Q = (1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3)


@inlined
def tanh(z):
    size = abs(z)
    if size > 0.625:
        e = math.exp(-2.0 * size)
        t = (1.0 - e) / (1.0 + e)
        return t if z >= 0.0 else -t
    s = z * z
    p = (_TANH_P[0] * s + _TANH_P[1]) * s + _TANH_P[2]
    q = ((s + _TANH_Q[0]) * s + _TANH_Q[1]) * s + _TANH_Q[2]
    return z + z * s * p / q


@inlined
def dot(a, b, count):
    """Σ a[k]·b[k] over k < count, in four interleaved sums: four independent chains of adds
    run four times as fast as one (the order differs from torch's by rounding only)."""
    s0 = s1 = s2 = s3 = 0.0
    k = 0
    while k + 4 <= count:
        s0 += a[k] * b[k]
        s1 += a[k + 1] * b[k + 1]
        s2 += a[k + 2] * b[k + 2]
        s3 += a[k + 3] * b[k + 3]
        k += 4
    while k < count:
        s0 += a[k] * b[k]
        k += 1
    return (s0 + s1) + (s2 + s3)


@inlined
def sample_loss(task, z, y):
    """(loss, d loss / d z) for one output z: BCE on the logit, or the squared error."""
    if task == 0:
        if z >= 0.0:
            e = math.exp(-z)
            p = 1.0 / (1.0 + e)
        else:
            e = math.exp(z)
            p = e / (1.0 + e)
        return max(z, 0.0) - z * y + math.log1p(math.exp(-abs(z))), p - y
    d = z - y
    return d * d, 2.0 * d


@inlined
def forward(net, w, x, rows, count, scratch, dropout, rng):
    """The network's outputs for inputs x[rows[:count]], into scratch.outputs[-1, 0, :count].

    Stores every layer's outputs and the hidden units' slopes for ``backward``.  dropout > 0
    drops each hidden unit of each row with that probability and scales the kept ones by
    1/(1 − p), as torch.nn.Dropout does in training; the draws go layer by layer, unit by
    unit, row by row (``rng.uniform`` < p drops)."""
    sizes, outputs, slopes = net.sizes, scratch.outputs, scratch.slopes
    last = sizes.shape[0] - 2
    for j in range(sizes[0]):
        for k in range(count):
            outputs[0, j, k] = x[rows[k], j]
    keep_scale = 1.0 / (1.0 - dropout)
    tanh_code = net.activation == 0
    for layer in range(last + 1):
        n_in = sizes[layer]
        w_at, b_at = net.weight_offsets[layer], net.bias_offsets[layer]
        for o in range(sizes[layer + 1]):
            z = outputs[layer + 1, o]
            z[:count] = 0.0
            row_at = w_at + o * n_in
            for i in range(n_in):
                weight = w[row_at + i]
                source = outputs[layer, i]
                for k in range(count):
                    z[k] += weight * source[k]
            bias = w[b_at + o]
            if layer == last:
                for k in range(count):
                    z[k] += bias
                continue
            slope = slopes[layer + 1, o]
            for k in range(count):
                pre = z[k] + bias
                a = tanh(pre) if tanh_code else activation_value(net.activation, pre)
                s = activation_slope(net.activation, pre, a)
                if dropout > 0.0:
                    if uniform(rng) < dropout:
                        a, s = 0.0, 0.0
                    else:
                        a, s = a * keep_scale, s * keep_scale
                z[k] = a
                slope[k] = s
    return outputs[last + 1, 0]


@inlined
def backward(net, w, scratch, count, grad):
    """Adds d loss / d w over the rows ``forward`` last passed; scratch.deltas[-1, 0, :count]
    holds each row's d loss / d output."""
    sizes, outputs, slopes, deltas = net.sizes, scratch.outputs, scratch.slopes, scratch.deltas
    last = sizes.shape[0] - 2
    for layer in range(last, -1, -1):
        n_in = sizes[layer]
        w_at, b_at = net.weight_offsets[layer], net.bias_offsets[layer]
        if layer > 0:
            for i in range(n_in):
                deltas[layer, i, :count] = 0.0
        for o in range(sizes[layer + 1]):
            d = deltas[layer + 1, o]
            row_at = w_at + o * n_in
            for i in range(n_in):
                grad[row_at + i] += dot(d, outputs[layer, i], count)
                if layer > 0:
                    weight = w[row_at + i]
                    back = deltas[layer, i]
                    for k in range(count):
                        back[k] += weight * d[k]
            total = 0.0
            for k in range(count):
                total += d[k]
            grad[b_at + o] += total
        if layer > 0:
            for i in range(n_in):
                back, slope = deltas[layer, i], slopes[layer, i]
                for k in range(count):
                    back[k] *= slope[k]


@inlined
def data_gradient(net, w, x, y, rows, count, scratch, dropout, rng, grad):
    """(mean data loss, accuracy) over x[rows[:count]], and the loss's gradient into grad."""
    out = forward(net, w, x, rows, count, scratch, dropout, rng)
    d = scratch.deltas[net.sizes.shape[0] - 1, 0]
    inverse = 1.0 / count
    total, correct = 0.0, 0
    for k in range(count):
        target = y[rows[k]]
        loss, dz = sample_loss(net.task, out[k], target)
        total += loss
        correct += (out[k] > 0.0) == (target > 0.5)
        d[k] = dz * inverse
    grad[:] = 0.0
    backward(net, w, scratch, count, grad)
    return total * inverse, (correct * inverse if net.task == 0 else math.nan)


@inlined
def evaluate(net, w, x, y, scratch, rows, rng):
    """(mean data loss, accuracy) on a whole set, without dropout; accuracy is NaN for regression.
    ``rows`` is 0, 1, 2, … at least as long as the set."""
    n = x.shape[0]
    out = forward(net, w, x, rows, n, scratch, 0.0, rng)
    total, correct = 0.0, 0
    for k in range(n):
        total += sample_loss(net.task, out[k], y[k])[0]
        correct += (out[k] > 0.0) == (y[k] > 0.5)
    return total / n, (correct / n if net.task == 0 else math.nan)


@inlined
def penalise(w, grad, l1, l2):
    """Adds the gradient of λ₁‖w‖₁ + λ₂/2‖w‖² (sign(0) = 0, as torch's); returns the penalty."""
    penalty = 0.0
    if l1 != 0.0:
        for i in range(w.shape[0]):
            grad[i] += l1 * np.sign(w[i])
            penalty += l1 * abs(w[i])
    if l2 != 0.0:
        for i in range(w.shape[0]):
            grad[i] += l2 * w[i]
            penalty += 0.5 * l2 * w[i] * w[i]
    return penalty


@inlined
def largest_set(data):
    return max(data.x_train.shape[0], data.x_validation.shape[0])


@compiled(nogil=True)
def train_run(r, net, data, w0, steps, seeds, runs, out):
    """Train run r from w0 (see ``train.train_runs``).  Its mini-batch order and dropout masks
    come from its own two random streams seeded by ``seeds``: runs with the same seeds and
    batch size see the same batches and masks."""
    n = w0.shape[0]
    n_train = data.x_train.shape[0]
    opt, hp = runs.optimizer_codes[r], runs.hyperparameters[r]
    sched, sp = runs.schedule_codes[r], runs.schedule_params[r]
    l1, l2, dropout = runs.l1[r], runs.l2[r], runs.dropout[r]
    batch = runs.batch_sizes[r]
    full = batch <= 0 or batch >= n_train
    # a full batch without dropout computes the training loss at w on its way to the gradient
    reuse = full and dropout == 0.0
    batch_rng = np.full(1, seeds[0], dtype=np.uint64)
    dropout_rng = np.full(1, seeds[1], dtype=np.uint64)
    scratch = new_scratch(net, largest_set(data))
    every_row = np.arange(largest_set(data))
    w = w0.copy()
    grad = np.zeros(n)
    state = np.empty((3, n))  # the weights' buffers a, b, c, a row each (optimizers.spec)
    state[0, :], state[1, :], state[2, :] = optimizer_initial(opt, hp)
    products = np.ones(3)
    order = np.arange(n_train)
    position = n_train
    out.weights[r, 0] = w
    _record(out, r, 0, net, w, data, scratch, every_row, not reuse)
    outcome, stop, reason, t = RAN_ALL, steps, NOT_DIVERGED, 0
    while outcome == RAN_ALL and t < steps:
        t += 1
        if full:
            count = n_train
            rows = order
        else:
            if position >= n_train:  # a new epoch: reshuffle (Fisher–Yates)
                for i in range(n_train - 1, 0, -1):
                    j = below(batch_rng, i + 1)
                    order[i], order[j] = order[j], order[i]
                position = 0
            count = min(batch, n_train - position)
            rows = order[position : position + count]
            position += count
            if out.batches.shape[1] > 0:
                out.batches[r, t - 1, :count] = rows
        loss, accuracy = data_gradient(
            net, w, data.x_train, data.y_train, rows, count, scratch, dropout, dropout_rng, grad
        )
        if reuse:
            out.train_loss[r, t - 1], out.train_accuracy[r, t - 1] = loss, accuracy
        objective = loss + penalise(w, grad, l1, l2)  # what the step minimises, for a step that reads it
        lr = scheduled_lr(sched, hp[LR_SLOT], t - 1, sp)
        out.lrs[r, t - 1] = lr
        optimizer_step(opt, w, grad, objective, lr, t, hp, state, products)
        finite, largest = True, 0.0
        for i in range(n):
            finite = finite and w[i] - w[i] == 0.0
            largest = max(largest, abs(w[i]))
        _record(out, r, t, net, w, data, scratch, every_row, not reuse)
        if not finite or out.validation_loss[r, t] - out.validation_loss[r, t] != 0.0:
            outcome, stop, reason = DIVERGED, t, NON_FINITE
        elif largest > WEIGHT_BOUND:
            outcome, stop, reason = DIVERGED, t, BEYOND_BOUND
        elif t % out.every == 0 or t == steps:  # a diverged point would swamp every plane: not kept
            out.weights[r, (t + out.every - 1) // out.every] = w
    if reuse:
        _record_train(out, r, t, net, w, data, scratch, every_row)
    out.results[r, R_OUTCOME], out.results[r, R_STOP_STEP], out.results[r, R_REASON] = outcome, stop, reason


@inlined
def _record_train(out, r, t, net, w, data, scratch, rows):
    rng = np.zeros(1, dtype=np.uint64)
    out.train_loss[r, t], out.train_accuracy[r, t] = evaluate(net, w, data.x_train, data.y_train, scratch, rows, rng)


@inlined
def _record(out, r, t, net, w, data, scratch, rows, train_too):
    """Step t's losses: the validation set's, and the training set's unless the next gradient
    pass will give it."""
    rng = np.zeros(1, dtype=np.uint64)
    if train_too:
        _record_train(out, r, t, net, w, data, scratch, rows)
    out.validation_loss[r, t], out.validation_accuracy[r, t] = evaluate(
        net, w, data.x_validation, data.y_validation, scratch, rows, rng
    )


@compiled(nogil=True)
def loss_at(net, data, weights, out):
    """out[k] = (train loss, validation loss, train accuracy, validation accuracy) at weights[k]."""
    scratch = new_scratch(net, largest_set(data))
    rows = np.arange(largest_set(data))
    rng = np.zeros(1, dtype=np.uint64)
    for k in range(weights.shape[0]):
        out[k, 0], out[k, 2] = evaluate(net, weights[k], data.x_train, data.y_train, scratch, rows, rng)
        out[k, 1], out[k, 3] = evaluate(net, weights[k], data.x_validation, data.y_validation, scratch, rows, rng)


@compiled(nogil=True)
def plane_losses(net, data, centre, first, second, alphas, betas, out):
    """out[s, j, i]: the train (s = 0) and validation (s = 1) loss at
    centre + alphas[i]·first + betas[j]·second."""
    scratch = new_scratch(net, largest_set(data))
    rows = np.arange(largest_set(data))
    rng = np.zeros(1, dtype=np.uint64)
    w = np.empty(centre.shape[0])
    for j in range(betas.shape[0]):
        for i in range(alphas.shape[0]):
            for k in range(w.shape[0]):
                w[k] = centre[k] + alphas[i] * first[k] + betas[j] * second[k]
            out[0, j, i] = evaluate(net, w, data.x_train, data.y_train, scratch, rows, rng)[0]
            out[1, j, i] = evaluate(net, w, data.x_validation, data.y_validation, scratch, rows, rng)[0]


@compiled(nogil=True)
def set_gradient(net, x, y, w, seed, dropout, grad):
    """The mean data loss on (x, y) at w and its gradient (into grad); dropout > 0 draws its
    masks from the stream ``seed`` (see ``forward``)."""
    scratch = new_scratch(net, x.shape[0])
    rng = np.full(1, seed, dtype=np.uint64)
    rows = np.arange(x.shape[0])
    return data_gradient(net, w, x, y, rows, x.shape[0], scratch, dropout, rng, grad)[0]


@compiled(nogil=True)
def outputs_at(net, x, weights, out):
    """out[k, i]: the network's output (the logit, or the regression's value) at input x[i]
    with weights[k], without dropout: what the decision panels draw."""
    n = x.shape[0]
    scratch = new_scratch(net, n)
    rows = np.arange(n)
    rng = np.zeros(1, dtype=np.uint64)
    for k in range(weights.shape[0]):
        out[k, :] = forward(net, weights[k], x, rows, n, scratch, 0.0, rng)[:n]
