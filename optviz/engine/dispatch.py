"""Integer-code dispatch to the declared surfaces and optimizers.

Everything is compiled into one kernel: passing jitted functions as arguments would compile
one specialisation per surface×optimizer pair (GUIDE: 18 compiles ≈ 2.9 s).  Adding a
surface or optimizer means one branch here; tests check that every catalogue entry has one.
"""

from __future__ import annotations

from numba import njit

from optviz.optimizers import adadelta, adagrad, adam, lion, newton, rmsprop, sgd
from optviz.optimizers.spec import keep_products
from surfaces import custom, finite_sum, multimodal, polynomial, quadratic


@njit(cache=True, inline="always")
def surface_value_grad(code, x, y, p):
    """(f, ∂f/∂x, ∂f/∂y) of the unpenalised surface."""
    if code == polynomial.ROSENBROCK:
        return polynomial.rosenbrock(x, y, p)
    if code == polynomial.BEALE:
        return polynomial.beale(x, y, p)
    if code == polynomial.HIMMELBLAU:
        return polynomial.himmelblau(x, y, p)
    if code == polynomial.BOOTH:
        return polynomial.booth(x, y, p)
    if code == polynomial.MATYAS:
        return polynomial.matyas(x, y, p)
    if code == polynomial.SIX_HUMP_CAMEL:
        return polynomial.six_hump_camel(x, y, p)
    if code == polynomial.GOLDSTEIN_PRICE:
        return polynomial.goldstein_price(x, y, p)
    if code == multimodal.RASTRIGIN:
        return multimodal.rastrigin(x, y, p)
    if code == multimodal.ACKLEY:
        return multimodal.ackley(x, y, p)
    if code == quadratic.SADDLE:
        return quadratic.saddle(x, y, p)
    if code == quadratic.RAVINE:
        return quadratic.ravine(x, y, p)
    if code == custom.CUSTOM:
        return custom.value_grad(x, y, p)
    return finite_sum.noisy_bowl(x, y, p)


@njit(cache=True)
def surface_hessian(code, x, y, p):
    """(f_xx, f_xy, f_yy) of the unpenalised surface."""
    if code == polynomial.ROSENBROCK:
        return polynomial.rosenbrock_hessian(x, y, p)
    if code == polynomial.BEALE:
        return polynomial.beale_hessian(x, y, p)
    if code == polynomial.HIMMELBLAU:
        return polynomial.himmelblau_hessian(x, y, p)
    if code == polynomial.BOOTH:
        return polynomial.booth_hessian(x, y, p)
    if code == polynomial.MATYAS:
        return polynomial.matyas_hessian(x, y, p)
    if code == polynomial.SIX_HUMP_CAMEL:
        return polynomial.six_hump_camel_hessian(x, y, p)
    if code == polynomial.GOLDSTEIN_PRICE:
        return polynomial.goldstein_price_hessian(x, y, p)
    if code == multimodal.RASTRIGIN:
        return multimodal.rastrigin_hessian(x, y, p)
    if code == multimodal.ACKLEY:
        return multimodal.ackley_hessian(x, y, p)
    if code == quadratic.SADDLE:
        return quadratic.saddle_hessian(x, y, p)
    if code == quadratic.RAVINE:
        return quadratic.ravine_hessian(x, y, p)
    if code == custom.CUSTOM:
        return custom.hessian(x, y, p)
    return finite_sum.noisy_bowl_hessian(x, y, p)


@njit(cache=True, inline="always")
def optimizer_prepare(code, t, lr, hp, p1, p2, p3):
    """Per-step shared quantities: (p1, p2, p3, k0, k1, k2, k3), see optimizers.spec."""
    if code == sgd.SGD:
        return sgd.prepare(t, lr, hp, p1, p2, p3)
    if code == adagrad.ADAGRAD:
        return adagrad.prepare(t, lr, hp, p1, p2, p3)
    if code == rmsprop.RMSPROP:
        return rmsprop.prepare(t, lr, hp, p1, p2, p3)
    if code == adam.ADAM or code == adam.ADAMW:
        return adam.adam_prepare(t, lr, hp, p1, p2, p3)
    if code == adam.NADAM:
        return adam.nadam_prepare(t, lr, hp, p1, p2, p3)
    if code == adam.ADAMAX:
        return adam.adamax_prepare(t, lr, hp, p1, p2, p3)
    if code == lion.LION or code == newton.NEWTON:
        return keep_products(t, lr, hp, p1, p2, p3)
    return adadelta.prepare(t, lr, hp, p1, p2, p3)


@njit(cache=True, inline="always")
def optimizer_update(code, w, g, lr, t, hp, k0, k1, k2, k3, a, b, c):
    """One coordinate's update: returns (w, a, b, c)."""
    if code == sgd.SGD:
        return sgd.update(w, g, lr, t, hp, k0, k1, k2, k3, a, b, c)
    if code == adagrad.ADAGRAD:
        return adagrad.update(w, g, lr, t, hp, k0, k1, k2, k3, a, b, c)
    if code == rmsprop.RMSPROP:
        return rmsprop.update(w, g, lr, t, hp, k0, k1, k2, k3, a, b, c)
    if code == adam.ADAM:
        return adam.adam_update(w, g, lr, t, hp, k0, k1, k2, k3, a, b, c, False)
    if code == adam.ADAMW:
        return adam.adam_update(w, g, lr, t, hp, k0, k1, k2, k3, a, b, c, True)
    if code == adam.NADAM:
        return adam.nadam_update(w, g, lr, t, hp, k0, k1, k2, k3, a, b, c)
    if code == adam.ADAMAX:
        return adam.adamax_update(w, g, lr, t, hp, k0, k1, k2, k3, a, b, c)
    if code == lion.LION:
        return lion.update(w, g, lr, t, hp, k0, k1, k2, k3, a, b, c)
    return adadelta.update(w, g, lr, t, hp, k0, k1, k2, k3, a, b, c)


@njit(cache=True, inline="always")
def optimizer_initial_buffer(code, hp):
    """Starting value of buffer a (AdaGrad's initial accumulator; zero elsewhere)."""
    return hp[3] if code == adagrad.ADAGRAD else 0.0
