"""The same training in torch: the oracle the tests compare with, and the bench's reference.

Built from a ``TrainResult``, so it starts from the same initial weights, takes the same
mini-batch rows and the same per-step lrs, in float64 on one thread.  Dropout's masks come
from optviz's own stream, which torch cannot replay: the mirror refuses dropout (the tests
check dropout's gradient with replayed masks instead).  torch is imported on use: it is a
test and bench dependency only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optviz.network.train import TrainResult
from optviz.optimizers import get_optimizer


def torch_model(result: TrainResult):
    """nn.Sequential(Linear, act, …, Linear) in float64, holding the run's initial weights."""
    import torch

    sizes = result.network.sizes
    layers: list[Any] = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out, dtype=torch.float64))
        if k < len(sizes) - 2:
            layers.append(getattr(torch.nn, result.network.activation.torch_class)())
    model = torch.nn.Sequential(*layers)
    torch.nn.utils.vector_to_parameters(torch.tensor(result.weights[0], dtype=torch.float64), model.parameters())
    return model


def data_loss(result: TrainResult):
    import torch

    return torch.nn.BCEWithLogitsLoss() if result.data.dataset.classifies else torch.nn.MSELoss()


def train_in_torch(result: TrainResult, steps: int | None = None, evaluate: bool = True) -> dict[str, np.ndarray]:
    """Replays ``result``'s training in torch.optim for ``steps`` steps (default: all it ran).

    Returns the weights after every step and, when ``evaluate``, the training and validation
    data losses at every step, as ``train`` records them.
    """
    import torch

    run = result.run
    if run.dropout:
        raise ValueError("the torch mirror cannot replay optviz's dropout masks")
    spec = get_optimizer(run.optimizer)
    if spec.torch_class is None:
        raise ValueError(f"{spec.key} has no torch.optim class")
    steps = result.final_step if steps is None else steps
    model = torch_model(result)
    params = list(model.parameters())
    optimizer = getattr(torch.optim, spec.torch_class)(params, **result.hyperparameters)
    criterion = data_loss(result)
    data = result.data
    x_train, y_train = torch.tensor(data.x_train), torch.tensor(data.y_train)
    x_val, y_val = torch.tensor(data.x_validation), torch.tensor(data.y_validation)
    batches = None if result.batches is None else torch.tensor(result.batches)

    def losses():
        with torch.no_grad():
            return (criterion(model(x_train)[:, 0], y_train).item(), criterion(model(x_val)[:, 0], y_val).item())

    weights = [torch.nn.utils.parameters_to_vector(params).detach().numpy().copy()]
    train_loss, validation_loss = [], []
    if evaluate:
        train_loss[:0], validation_loss[:0] = zip(losses())
    for t in range(1, steps + 1):
        optimizer.zero_grad()
        if batches is None:
            x, y = x_train, y_train
        else:
            rows = batches[t - 1]
            rows = rows[rows >= 0]
            x, y = x_train[rows], y_train[rows]
        loss = criterion(model(x)[:, 0], y)
        if run.l1:
            loss = loss + run.l1 * sum(p.abs().sum() for p in params)
        if run.l2:
            loss = loss + run.l2 / 2 * sum((p * p).sum() for p in params)
        loss.backward()
        for group in optimizer.param_groups:
            group["lr"] = float(result.lrs[t - 1])
        optimizer.step()
        weights.append(torch.nn.utils.parameters_to_vector(params).detach().numpy().copy())
        if evaluate:
            tl, vl = losses()
            train_loss.append(tl)
            validation_loss.append(vl)
    return {
        "weights": np.array(weights),
        "train_loss": np.array(train_loss),
        "validation_loss": np.array(validation_loss),
    }


def torch_gradient(
    result: TrainResult, weights: np.ndarray, masks: list[np.ndarray] | None = None, rows: np.ndarray | None = None
) -> np.ndarray:
    """The mean training data loss's gradient at ``weights`` by autograd (see ``torch_loss_and_gradient``)."""
    return torch_loss_and_gradient(result, weights, masks, rows)[1]


def torch_loss_and_gradient(
    result: TrainResult, weights: np.ndarray, masks: list[np.ndarray] | None = None, rows: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """The mean training data loss at ``weights`` and its gradient by autograd, over the training
    ``rows`` (default all); ``masks[k]`` (rows × units of hidden layer k, 1 kept, 0 dropped)
    applies dropout as torch.nn.Dropout scales it."""
    import torch

    model = torch_model(result)
    params = list(model.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(weights, dtype=torch.float64), params)
    rows = np.arange(len(result.data.y_train)) if rows is None else rows
    h = torch.tensor(result.data.x_train[rows])
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    act = getattr(torch.nn, result.network.activation.torch_class)()
    p = result.run.dropout
    for k, linear in enumerate(linears[:-1]):
        h = act(linear(h))
        if masks is not None:
            h = h * torch.tensor(masks[k]) / (1.0 - p)
    out = linears[-1](h)[:, 0]
    loss = data_loss(result)(out, torch.tensor(result.data.y_train[rows]))
    loss.backward()
    return loss.item(), torch.cat([q.grad.reshape(-1) for q in params]).numpy()
