"""The catalogue of loss surfaces, each declared once (see ``surfaces.base.Surface``)."""

from __future__ import annotations

import optviz.numba_env  # noqa: F401  (must precede the @njit(cache=True) decorators below)
from surfaces import custom, finite_sum, multimodal, polynomial, quadratic
from surfaces.base import FAMILIES, Minimum, Surface

CATALOGUE: dict[str, Surface] = {
    s.key: s
    for module in (polynomial, multimodal, quadratic, finite_sum)
    for s in module.SURFACES
}
CATALOGUE = dict(sorted(CATALOGUE.items(), key=lambda item: item[1].code))


def get_surface(key: str) -> Surface:
    """A catalogue surface, or a user formula written ``custom:<extent>:<formula>``."""
    if isinstance(key, str) and key.startswith(custom.PREFIX):
        return custom.custom_surface(key)
    try:
        return CATALOGUE[key]
    except (KeyError, TypeError):
        raise ValueError(f"unknown surface {key!r}; valid: {', '.join(CATALOGUE)}") from None


__all__ = ["CATALOGUE", "FAMILIES", "Minimum", "Surface", "get_surface"]
