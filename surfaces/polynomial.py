"""Classic polynomial test functions (textbook definitions).

Each kernel returns (f, df/dx, df/dy); each Hessian returns (f_xx, f_xy, f_yy).
``p`` is the surface's kernel-parameter vector (unused by these fixed surfaces).
"""

from __future__ import annotations

from optviz.jit import compiled, inlined
from surfaces.base import Minimum, Surface, fixed_minima


@inlined
def rosenbrock(x, y, p):
    r = y - x * x
    u = 1.0 - x  # u * u, not u ** 2: compiled and interpreted code square alike (see engine.warmup)
    return u * u + 100.0 * r * r, -2.0 * u - 400.0 * x * r, 200.0 * r


@compiled
def rosenbrock_hessian(x, y, p):
    return 2.0 - 400.0 * y + 1200.0 * x * x, -400.0 * x, 200.0


@inlined
def beale(x, y, p):
    a = 1.5 - x + x * y
    b = 2.25 - x + x * y * y
    c = 2.625 - x + x * y * y * y
    gx = 2.0 * (a * (y - 1.0) + b * (y * y - 1.0) + c * (y * y * y - 1.0))
    gy = 2.0 * (a * x + b * 2.0 * x * y + c * 3.0 * x * y * y)
    return a * a + b * b + c * c, gx, gy


@compiled
def beale_hessian(x, y, p):
    b = 2.25 - x + x * y * y
    c = 2.625 - x + x * y * y * y
    a = 1.5 - x + x * y
    u1, u2, u3 = y - 1.0, y * y - 1.0, y * y * y - 1.0
    v2, v3 = 2.0 * x * y, 3.0 * x * y * y
    hxx = 2.0 * (u1 * u1 + u2 * u2 + u3 * u3)
    hxy = 2.0 * (x * u1 + a + 2.0 * x * y * u2 + 2.0 * y * b + 3.0 * x * y * y * u3 + 3.0 * y * y * c)
    hyy = 2.0 * (x * x + v2 * v2 + 2.0 * x * b + v3 * v3 + 6.0 * x * y * c)
    return hxx, hxy, hyy


@inlined
def himmelblau(x, y, p):
    u = x * x + y - 11.0
    v = x + y * y - 7.0
    return u * u + v * v, 4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v


@compiled
def himmelblau_hessian(x, y, p):
    u = x * x + y - 11.0
    v = x + y * y - 7.0
    return 4.0 * u + 8.0 * x * x + 2.0, 4.0 * (x + y), 2.0 + 4.0 * v + 8.0 * y * y


@inlined
def booth(x, y, p):
    a = x + 2.0 * y - 7.0
    b = 2.0 * x + y - 5.0
    return a * a + b * b, 10.0 * x + 8.0 * y - 34.0, 8.0 * x + 10.0 * y - 38.0


@compiled
def booth_hessian(x, y, p):
    return 10.0, 8.0, 10.0


@inlined
def matyas(x, y, p):
    return 0.26 * (x * x + y * y) - 0.48 * x * y, 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x


@compiled
def matyas_hessian(x, y, p):
    return 0.52, -0.48, 0.52


@inlined
def six_hump_camel(x, y, p):
    x2 = x * x
    y2 = y * y
    f = (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2
    return f, 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y, x - 8.0 * y + 16.0 * y2 * y


@compiled
def six_hump_camel_hessian(x, y, p):
    x2 = x * x
    return 8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0, -8.0 + 48.0 * y * y


@inlined
def _goldstein_price_parts(x, y):
    # f = P·Q with P = 1 + s²·p(x,y), Q = 30 + u²·q(x,y)
    s = x + y + 1.0
    pp = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y
    u = 2.0 * x - 3.0 * y
    qq = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y
    return s, pp, u, qq


@inlined
def goldstein_price(x, y, p):
    s, pp, u, qq = _goldstein_price_parts(x, y)
    dp = -14.0 + 6.0 * x + 6.0 * y  # dp/dx == dp/dy
    P = 1.0 + s * s * pp
    Q = 30.0 + u * u * qq
    P_x = 2.0 * s * pp + s * s * dp
    Q_x = 4.0 * u * qq + u * u * (-32.0 + 24.0 * x - 36.0 * y)
    Q_y = -6.0 * u * qq + u * u * (48.0 - 36.0 * x + 54.0 * y)
    return P * Q, P_x * Q + P * Q_x, P_x * Q + P * Q_y


@compiled
def goldstein_price_hessian(x, y, p):
    s, pp, u, qq = _goldstein_price_parts(x, y)
    dp = -14.0 + 6.0 * x + 6.0 * y
    q_x = -32.0 + 24.0 * x - 36.0 * y
    q_y = 48.0 - 36.0 * x + 54.0 * y
    P = 1.0 + s * s * pp
    Q = 30.0 + u * u * qq
    P_x = 2.0 * s * pp + s * s * dp
    Q_x = 4.0 * u * qq + u * u * q_x
    Q_y = -6.0 * u * qq + u * u * q_y
    P_xx = 2.0 * pp + 4.0 * s * dp + 6.0 * s * s  # equals P_xy and P_yy
    Q_xx = 8.0 * qq + 8.0 * u * q_x + 24.0 * u * u
    Q_xy = -12.0 * qq + 4.0 * u * q_y - 6.0 * u * q_x - 36.0 * u * u
    Q_yy = 18.0 * qq - 12.0 * u * q_y + 54.0 * u * u
    hxx = P_xx * Q + 2.0 * P_x * Q_x + P * Q_xx
    hxy = P_xx * Q + P_x * Q_y + P_x * Q_x + P * Q_xy
    hyy = P_xx * Q + 2.0 * P_x * Q_y + P * Q_yy
    return hxx, hxy, hyy


SURFACES = (
    Surface(
        key="rosenbrock",
        name="Rosenbrock",
        value_grad=rosenbrock,
        hessian=rosenbrock_hessian,
        formula=r"f(x,y) = (1-x)^2 + 100\,(y-x^2)^2",
        story="A curved, flat-bottomed banana valley. Finding the valley is easy; following it "
        "to the minimum at (1, 1) is hard, because the floor is nearly flat while the walls "
        "are steep: plain GD zig-zags, momentum and adaptive methods glide.",
        domain=((-2.0, 2.0), (-1.0, 3.0)),
        start=(-1.5, 2.5),
        minima_fn=fixed_minima(Minimum(1.0, 1.0, 0.0, "global")),
        default_lr={"sgd": 1e-3, "adagrad": 0.5, "rmsprop": 1e-2, "adam": 0.05, "adadelta": 1.0},
    ),
    Surface(
        key="beale",
        name="Beale",
        value_grad=beale,
        hessian=beale_hessian,
        formula=r"f(x,y) = (1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2",
        story="Sharp ridges and flat plateaus. The gradient varies over orders of magnitude, so "
        "a learning rate that is safe on the ridge crawls on the plateau: a showcase for "
        "per-coordinate adaptive steps.",
        domain=((-4.5, 4.5), (-4.5, 4.5)),
        start=(1.0, 1.4),
        minima_fn=fixed_minima(Minimum(3.0, 0.5, 0.0, "global")),
        default_lr={"sgd": 1e-3, "adagrad": 0.5, "rmsprop": 1e-2, "adam": 0.05, "adadelta": 1.0},
    ),
    Surface(
        key="himmelblau",
        name="Himmelblau",
        value_grad=himmelblau,
        hessian=himmelblau_hessian,
        formula=r"f(x,y) = (x^2+y-11)^2 + (x+y^2-7)^2",
        story="Four equally good minima. Which one an optimizer reaches depends on where it "
        "starts and how it moves: the same start can end in different basins for GD and Adam.",
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        start=(0.0, 0.0),
        minima_fn=fixed_minima(
            Minimum(3.0, 2.0, 0.0, "A"),
            Minimum(-2.805118086952745, 3.131312518250573, 0.0, "B"),
            Minimum(-3.779310253377747, -3.283185991286170, 0.0, "C"),
            Minimum(3.584428340330492, -1.848126526964404, 0.0, "D"),
        ),
        default_lr={"sgd": 5e-3, "adagrad": 0.5, "rmsprop": 2e-2, "adam": 0.1, "adadelta": 1.0},
    ),
    Surface(
        key="booth",
        name="Booth",
        value_grad=booth,
        hessian=booth_hessian,
        formula=r"f(x,y) = (x+2y-7)^2 + (2x+y-5)^2",
        story="A tilted quadratic bowl with a single minimum at (1, 3). Its curvature is the same "
        "everywhere, so the stability limit lr < 2/L = 1/9 holds exactly for plain GD.",
        domain=((-10.0, 10.0), (-10.0, 10.0)),
        start=(-6.0, -8.0),
        minima_fn=fixed_minima(Minimum(1.0, 3.0, 0.0, "global")),
        default_lr={"sgd": 0.05, "adagrad": 1.0, "rmsprop": 0.1, "adam": 0.3, "adadelta": 1.0},
        convex_quadratic=True,
    ),
    Surface(
        key="matyas",
        name="Matyas",
        value_grad=matyas,
        hessian=matyas_hessian,
        formula=r"f(x,y) = 0.26\,(x^2+y^2) - 0.48\,xy",
        story="A long, gently sloping diagonal trough with curvatures 1.0 and 0.04: a rotated "
        "ill-conditioned bowl, so per-coordinate methods cannot simply undo the conditioning.",
        domain=((-10.0, 10.0), (-10.0, 10.0)),
        start=(-8.0, 6.0),
        minima_fn=fixed_minima(Minimum(0.0, 0.0, 0.0, "global")),
        default_lr={"sgd": 0.5, "adagrad": 1.0, "rmsprop": 0.05, "adam": 0.3, "adadelta": 1.0},
        convex_quadratic=True,
    ),
    Surface(
        key="six_hump_camel",
        name="Six-hump camel",
        value_grad=six_hump_camel,
        hessian=six_hump_camel_hessian,
        formula=r"f(x,y) = \left(4-2.1x^2+\tfrac{x^4}{3}\right)x^2 + xy + (-4+4y^2)\,y^2",
        story="Six local minima, two of them global. A good landscape for basins of attraction: "
        "small changes of start or optimizer send a run to a different valley.",
        domain=((-2.0, 2.0), (-1.2, 1.2)),
        start=(-1.5, -0.9),
        minima_fn=fixed_minima(
            Minimum(0.08984201310031807, -0.7126564030207396, -1.0316284534898774, "global"),
            Minimum(-0.08984201310031807, 0.7126564030207396, -1.0316284534898774, "global"),
            Minimum(-1.7036067149699807, 0.7960835686726252, -0.21546382438371725, "local"),
            Minimum(1.7036067149699807, -0.7960835686726252, -0.21546382438371725, "local"),
            Minimum(-1.607104752920197, -0.5686514548841315, 2.104250310311258, "local"),
            Minimum(1.607104752920197, 0.5686514548841315, 2.104250310311258, "local"),
        ),
        default_lr={"sgd": 0.01, "adagrad": 0.3, "rmsprop": 1e-2, "adam": 0.05, "adadelta": 1.0},
    ),
    Surface(
        key="goldstein_price",
        name="Goldstein–Price",
        value_grad=goldstein_price,
        hessian=goldstein_price_hessian,
        formula=r"f(x,y) = \left[1+(x+y+1)^2(19-14x+3x^2-14y+6xy+3y^2)\right]"
        r"\left[30+(2x-3y)^2(18-32x+12x^2+48y-36xy+27y^2)\right]",
        story="Values span six orders of magnitude (3 at the minimum, about a million at the "
        "corners), so any fixed learning rate is wrong somewhere: GD either explodes on the "
        "walls or stalls in the basin, while Adam's normalised steps stay sane.",
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        start=(-0.5, 1.5),
        minima_fn=fixed_minima(
            Minimum(0.0, -1.0, 3.0, "global"),
            Minimum(-0.6, -0.4, 30.0, "local"),
            Minimum(1.8, 0.2, 84.0, "local"),
            Minimum(1.2, 0.8, 840.0, "local"),
        ),
        default_lr={"sgd": 1e-5, "adagrad": 0.1, "rmsprop": 5e-3, "adam": 0.02, "adadelta": 1.0},
    ),
)
