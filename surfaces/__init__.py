"""The catalogue of loss surfaces, each declared once (see ``surfaces.base.Surface``)."""

from __future__ import annotations

from surfaces import custom
from surfaces.base import FAMILIES, Minimum, Surface
from surfaces.catalogue import CATALOGUE
from surfaces.minima import penalised_minima


def get_surface(key: str) -> Surface:
    """A catalogue surface, or a user formula written ``custom:<extent>:<formula>``."""
    if isinstance(key, str) and key.startswith(custom.PREFIX):
        return custom.custom_surface(key)
    return CATALOGUE.lookup(key)


def minima_of(surface: Surface, given: dict | None = None) -> tuple[Minimum, ...]:
    """The surface's own minima (no penalty) for its parameters ``given``."""
    return penalised_minima(surface, surface.kernel_params(given))


__all__ = ["CATALOGUE", "FAMILIES", "Minimum", "Surface", "get_surface", "minima_of", "penalised_minima"]
