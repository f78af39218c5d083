"""The Equations tab: each kind shows its own rule, and each run its own values under it."""

from __future__ import annotations

from optviz.kinds import KINDS
from tests.test_app import run_app


def test_gd_and_momentum_show_their_own_rule_and_each_run_its_values():
    at = run_app(
        {"surface": "rosenbrock", "r1": "gd", "r1.lr": "0.001", "r2": "momentum", "r2.lr": "0.002",
         "r2.momentum": "0.9", "r3": "nesterov", "r3.momentum": "0.8", "r4": "adam", "r4.lr": "0.05",
         "tab": "equations"}
    )  # fmt: skip
    assert not at.exception
    rules = [e.value.strip("$\n") for e in at.latex if "aligned" in e.value]  # not the surface's formula
    gd, momentum, nesterov, adam = (KINDS[k].equations for k in ("gd", "momentum", "nesterov", "adam"))
    assert rules == [r.strip() for r in (gd, momentum, nesterov, adam)] and len(set(rules)) == 4
    assert "b_t" not in gd and "\\mu" not in gd  # plain SGD: no momentum lines
    assert "g_t \\leftarrow b_t" in momentum and "nesterov" not in momentum and "g_t + \\mu\\, b_t" in nesterov
    values = {m.value.split("**: ")[0]: m.value for m in at.markdown if m.value.startswith("**Run ")}
    assert "\\gamma = 0.001" in values["**Run 1"] and "\\mu" not in values["**Run 1"]
    assert "\\gamma = 0.002" in values["**Run 2"] and "\\mu = 0.9" in values["**Run 2"]
    assert "\\mu = 0.8" in values["**Run 3"]
    assert "\\beta_1 = 0.9" in values["**Run 4"] and "\\beta_2 = 0.999" in values["**Run 4"]
