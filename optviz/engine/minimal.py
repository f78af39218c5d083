"""The bench's yardstick: the least a trajectory kernel can do (Adam on Rosenbrock, writing
the path, nothing dispatched or checked).  ``python -m optviz.bench`` times the engine beside it.
Compiled with the engine's own options, so the comparison is of the loops alone."""

from __future__ import annotations

import math

from optviz.jit import compiled


@compiled
def minimal_adam_rosenbrock(x, y, steps, lr, beta1, beta2, eps, path):
    """The least a trajectory kernel can do: Adam on Rosenbrock, writing the path."""
    mx = my = vx = vy = 0.0
    p1 = p2 = 1.0
    path[0, 0], path[0, 1] = x, y
    for t in range(1, steps + 1):
        r = y - x * x
        gx = -2.0 * (1.0 - x) - 400.0 * x * r
        gy = 200.0 * r
        mx = beta1 * mx + (1.0 - beta1) * gx
        my = beta1 * my + (1.0 - beta1) * gy
        vx = beta2 * vx + (1.0 - beta2) * gx * gx
        vy = beta2 * vy + (1.0 - beta2) * gy * gy
        p1 *= beta1
        p2 *= beta2
        step_size = lr / (1.0 - p1)
        bias_correction2_sqrt = math.sqrt(1.0 - p2)
        x -= step_size * mx / (math.sqrt(vx) / bias_correction2_sqrt + eps)
        y -= step_size * my / (math.sqrt(vy) / bias_correction2_sqrt + eps)
        path[t, 0], path[t, 1] = x, y
    return x, y
