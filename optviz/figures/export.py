"""Downloads for slides and notebooks: trajectories as CSV, the animation as standalone HTML
(plotly.js embedded, plays offline) and as an animated GIF drawn with Pillow (no Chrome)."""

from __future__ import annotations

import csv
import io

import numpy as np
import plotly.io as pio
from PIL import Image, ImageDraw

from optviz.engine.trajectory import Trajectory
from optviz.figures.animation import frame_positions, frame_steps
from optviz.figures.landscape import Landscape, landscape_image
from optviz.figures.style import TEMPLATE, run_style

GIF_SIZE = 480
GIF_MAX_FRAMES = 60


def trajectories_csv(runs: list[Trajectory], labels: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["run", "label", "optimizer", "step", "x", "y", "loss", "lr", "grad_norm", "outcome"])
    for r, (t, label) in enumerate(zip(runs, labels), start=1):
        for step in range(len(t.path)):
            lr = repr(float(t.lr[step - 1])) if 0 < step <= len(t.lr) else ""
            writer.writerow([r, label, t.optimizer, step, repr(float(t.path[step, 0])), repr(float(t.path[step, 1])),
                             repr(float(t.loss[step])), lr, repr(float(t.grad_norm[step])), t.outcome.kind])
    return out.getvalue()


def standalone_html(figure: dict) -> str:
    """Self-contained HTML (~5 MB: plotly.js inlined) with an explicit light template."""
    figure = dict(figure)
    figure["layout"] = dict(figure["layout"], template=TEMPLATE)
    return pio.to_html(figure, include_plotlyjs=True, full_html=True, validate=False, auto_play=False)


def _to_pixels(landscape: Landscape, points: np.ndarray) -> list[tuple[float, float]]:
    (x0, x1), (y0, y1) = landscape.surface.domain
    px = (points[:, 0] - x0) / (x1 - x0) * (GIF_SIZE - 1)
    py = (y1 - points[:, 1]) / (y1 - y0) * (GIF_SIZE - 1)
    return list(zip(px.tolist(), py.tolist()))


def _hex_rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


def animated_gif(landscape: Landscape, runs: list[Trajectory], frame_ms: int) -> bytes:
    """The contour animation as a GIF: landscape, faint full paths, trails and moving markers."""
    background = landscape_image(landscape).resize((GIF_SIZE, GIF_SIZE), Image.Resampling.BILINEAR)
    base = ImageDraw.Draw(background)
    for m in landscape.minima[:50]:
        (cx, cy), = _to_pixels(landscape, np.array([[m.x, m.y]]))
        base.regular_polygon((cx, cy, 7), 5, fill=(255, 255, 255), outline=(0, 0, 0))
    for r, t in enumerate(runs):
        base.line(_to_pixels(landscape, t.path), fill=_hex_rgb(run_style(r).color), width=1)
    shown = frame_steps(max(t.steps for t in runs), GIF_MAX_FRAMES)
    frames = []
    positions = [frame_positions(t, shown) for t in runs]
    for k, step in enumerate(shown):
        frame = background.copy()
        draw = ImageDraw.Draw(frame)
        for r, t in enumerate(runs):
            color = _hex_rgb(run_style(r).color)
            trail, head = positions[r][k]
            tail = _to_pixels(landscape, t.path[trail])
            if len(tail) > 1:
                draw.line(tail, fill=color, width=4)
            (hx, hy), = _to_pixels(landscape, t.path[head][None, :])
            draw.ellipse((hx - 6, hy - 6, hx + 6, hy + 6), fill=color, outline=(255, 255, 255), width=2)
        draw.rectangle((4, 4, 118, 24), fill=(255, 255, 255))
        draw.text((10, 8), f"step {int(step)}", fill=(0, 0, 0))
        frames.append(frame.convert("P", palette=Image.Palette.ADAPTIVE, colors=128))
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=max(frame_ms, 20),
                   loop=0, optimize=False)
    return out.getvalue()
