"""The landscape as data: a loss grid, a display transform and a contour-like image.

During 2-D playback Plotly drops contour traces when frames skip redraws, so the filled,
banded landscape is an image under the axes (GUIDE); an invisible marker grid on top
gives hover read-outs and clickable start points.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from PIL import Image
from plotly.colors import sequential

from optviz.engine.landscape import loss_grid
from optviz.figures.style import hex_rgb
from surfaces import Minimum, Surface, get_surface

N_BANDS = 22
WHITE_BLEND = 0.45  # a pale landscape lets the coloured paths stand out
RESOLUTION = 301  # image pixels per side; the 3-D mesh and hover grid take every few


@dataclass(frozen=True)
class Landscape:
    surface_key: str  # a key, not the Surface: st.cache_data pickles this and Surfaces hold functions
    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray  # penalised loss, z[j, i] at (xs[i], ys[j])
    minima: tuple[Minimum, ...]
    floor: float  # lowest loss known (a minimum or the grid), for log displays

    @property
    def surface(self) -> Surface:
        return get_surface(self.surface_key)

    @property
    def log_scale(self) -> bool:
        return self.surface.log_contours

    def display(self, values) -> np.ndarray:
        """What colour and height show: log10(1 + loss − floor) where the range spans decades."""
        values = np.asarray(values, dtype=float)
        if self.log_scale:
            return np.log10(1.0 + np.maximum(values - self.floor, 0.0))
        return values

    @cached_property  # asked per minimum (contour) and per frame (GIF)
    def lowest_minima(self) -> tuple[Minimum, ...]:
        """The minima as low as the lowest (Himmelblau has four): the stars."""
        best = min((m.value for m in self.minima), default=0.0)
        return tuple(m for m in self.minima if m.value <= best + 1e-9 * max(1.0, abs(best)))

    @property
    def legend_keys(self) -> list[str]:
        """What a legend explains after the runs: the stars, the other minima's dots, the start ring
        (a saddle has no minimum, so no star)."""
        lowest = len(self.lowest_minima)
        keys = ["lowest minimum" if lowest == 1 else "lowest minima (equal)"] if lowest else []
        return keys + (["other minima"] if len(self.minima) > lowest else []) + ["start"]

    @property
    def loss_shown_label(self) -> str:
        """The axis title of ``loss_shown``: the table quotes the loss itself, so say what is subtracted."""
        return f"loss − {self.floor:.3g}" if self.log_scale and self.floor != 0 else "loss"

    def loss_shown(self, loss) -> np.ndarray:
        """A loss curve as the charts plot it: above the floor (NaN where not above it, for a log
        axis) where the range spans decades, else as is."""
        loss = np.asarray(loss, dtype=float)
        if not self.log_scale:
            return loss
        above = loss - self.floor
        return np.where(above > 0, above, np.nan)

    @property
    def display_label(self) -> str:
        return "log₁₀(1 + loss − min)" if self.log_scale else "loss"

    def coarse(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(xs, ys, z) on about n×n points, always including the domain's edges."""
        ix = np.unique(np.linspace(0, len(self.xs) - 1, n).round().astype(int))
        iy = np.unique(np.linspace(0, len(self.ys) - 1, n).round().astype(int))
        return self.xs[ix], self.ys[iy], self.z[np.ix_(iy, ix)]


def make_landscape(
    surface: Surface,
    kernel_params: np.ndarray,
    minima: tuple[Minimum, ...],
    l1: float = 0.0,
    l2: float = 0.0,
    resolution: int = RESOLUTION,
) -> Landscape:
    xs, ys, z = loss_grid(surface, kernel_params, resolution, l1, l2)
    finite = z[np.isfinite(z)]
    floor = min([float(finite.min()) if finite.size else 0.0] + [m.value for m in minima])
    return Landscape(surface.key, xs, ys, z, minima, floor)


def _viridis_table(n: int = 256) -> np.ndarray:
    anchors = np.array([hex_rgb(c) for c in sequential.Viridis], dtype=float)
    positions = np.linspace(0, 1, len(anchors))
    grid = np.linspace(0, 1, n)
    return np.stack([np.interp(grid, positions, anchors[:, k]) for k in range(3)], axis=1)


_TABLE = _viridis_table()


def banded_rgb(values: np.ndarray) -> np.ndarray:
    """Colour by band with darker band edges, so the image reads like a filled contour plot."""
    finite = values[np.isfinite(values)]
    lo, hi = np.percentile(finite, [0.0, 98.0]) if finite.size else (0.0, 1.0)
    hi = hi if hi > lo else lo + 1.0
    t = np.clip((np.nan_to_num(values, nan=hi, posinf=hi, neginf=lo) - lo) / (hi - lo), 0.0, 1.0)
    band = np.minimum((t * N_BANDS).astype(int), N_BANDS - 1)
    rgb = _TABLE[(band * (len(_TABLE) - 1)) // (N_BANDS - 1)] * (1.0 - WHITE_BLEND) + 255.0 * WHITE_BLEND
    edge = np.zeros(band.shape, dtype=bool)
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    rgb[edge] *= 0.6
    return rgb.astype(np.uint8)


def landscape_image(landscape: Landscape) -> Image.Image:
    """RGB image of the landscape, row 0 at the top (largest y)."""
    return Image.fromarray(banded_rgb(landscape.display(landscape.z)[::-1, :]), "RGB")


def image_data_uri(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
