"""The catalogue of built-in loss surfaces, in the order that numbers them for the kernel."""

from __future__ import annotations

from optviz.catalogue import Catalogue
from surfaces import finite_sum, multimodal, polynomial, quadratic
from surfaces.base import Surface

CATALOGUE: Catalogue[Surface] = Catalogue(
    "surface", [s for module in (polynomial, multimodal, quadratic, finite_sum) for s in module.SURFACES]
)
