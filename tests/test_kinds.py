"""The run kinds: each fact the page reads about a kind is a field of its record, checked here."""

from __future__ import annotations

import dataclasses

import pytest

from optviz.kinds import KINDS
from optviz.optimizers import CATALOGUE as OPTIMIZERS
from surfaces import CATALOGUE as SURFACES
from surfaces import get_surface
from surfaces.custom import DEFAULT_FORMULA, custom_key

EVERY_SURFACE = (*SURFACES.values(), get_surface(custom_key(DEFAULT_FORMULA)))


@pytest.mark.parametrize("key", list(KINDS))
def test_each_kind_starts_from_an_lr_on_every_surface(key):
    """A family no surface suggests an lr for is refused, so a misspelt family cannot fall back
    unseen; an optimizer declared with no family (None) keeps torch's lr everywhere."""
    kind = KINDS[key]
    for surface in EVERY_SURFACE:
        lr = kind.default_hyperparameters(surface)["lr"]
        expected = kind.spec.param("lr").default if kind.spec.family is None else surface.default_lr[kind.spec.family]
        assert lr == expected, (key, surface.key)


def test_a_surface_without_the_kinds_lr_is_refused_by_name():
    adam = KINDS["adam"]
    surface = dataclasses.replace(get_surface("booth"), default_lr={"sgd": 0.05})
    with pytest.raises(ValueError, match="'booth' suggests no lr for the 'adam' family"):
        adam.default_hyperparameters(surface)


@pytest.mark.parametrize("key", list(KINDS))
def test_a_kind_that_fixes_its_map_axis_names_the_plane_it_is_shown(key):
    kind = KINDS[key]
    axis = kind.spec.map_axis.name
    if axis not in kind.fixed:
        assert kind.map_plane == "" and kind.stability_kind() is kind
        return
    plane = kind.stability_kind()
    assert plane is not kind and plane.optimizer == kind.optimizer
    assert axis in {p.name for p in plane.editable()}


@pytest.mark.parametrize("key", list(KINDS))
def test_the_settings_that_define_a_kind_are_in_its_legend(key):
    """Momentum's and Nesterov's runs are told apart by μ; a kind whose own default is not shown
    would read like torch's defaults in the legend."""
    kind = KINDS[key]
    assert set(kind.legend) == set(kind.defaults)
    assert set(kind.legend) <= {p.name for p in kind.editable()}


def test_every_optimizer_is_a_kind_under_its_own_name_once():
    assert sorted(k.optimizer for k in KINDS.values() if k.key == k.optimizer) == sorted(OPTIMIZERS)
