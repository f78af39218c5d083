"""The Paths figure's 3-D view: hidden unless asked for, one click away, kept by the link; "auto"
shows it on a laptop and hides it in Presentation mode."""

from __future__ import annotations

import pytest

from tests.test_app import run_app, specs

THREE_D = {"surface", "scatter3d"}


def has_3d(at) -> bool:
    paths = specs(at)[0]
    types = {t["type"] for t in paths["data"]}
    assert ("scene" in paths["layout"]) == bool(types & THREE_D)
    return bool(types & THREE_D)


@pytest.mark.parametrize(
    "query,shown",
    [
        ({}, False),
        ({"present": "1"}, False),
        ({"3d": "on"}, True),
        ({"3d": "auto"}, True),
        ({"present": "1", "3d": "auto"}, False),
        ({"present": "1", "3d": "on"}, True),
    ],
)
def test_the_3d_view_is_hidden_unless_chosen(query, shown):
    at = run_app(query)
    assert not at.exception
    assert has_3d(at) == shown
    assert at.query_params.get("3d") == query.get("3d")  # the link keeps a choice, and only a choice
    assert at.button(key="view_3d_button").label == ("Hide the 3-D view" if shown else "Show the 3-D view")


def test_one_click_hides_the_3d_view_and_the_link_keeps_it():
    at = run_app({"3d": "on"})
    at.button(key="view_3d_button").click().run()
    assert not has_3d(at) and "3d" not in at.query_params and at.radio(key="view_3d").value == "off"  # the default
    paths = specs(at)[0]
    assert all(max(f["traces"]) < len(paths["data"]) for f in paths["frames"])  # frames point at real traces
    reopened = run_app({k: at.query_params[k] for k in at.query_params})
    assert not has_3d(reopened)
    at.button(key="view_3d_button").click().run()
    assert has_3d(at) and at.query_params["3d"] == "on"
