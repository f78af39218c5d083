"""Slide-ready pictures drawn with Pillow (no browser on the server): a still of any step at
1920×1080 and an animated GIF at 960×720, each with a title, axes, a legend and every run in
its own colour, dash and marker, as on the page."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from optviz.engine.trajectory import Trajectory
from optviz.figures.animation import envelope_points, frame_positions, frame_steps
from optviz.figures.landscape import Landscape, landscape_image
from optviz.figures.style import hex_rgb, marker_shape, run_style

STILL_SIZE = (1920, 1080)
GIF_SIZE = (960, 720)
GIF_MAX_FRAMES = 60
GIF_COLOURS = 127  # + 1 transparent index
WHITE, BLACK, GREY = (255, 255, 255), (0, 0, 0), (90, 90, 90)


def typeface(size: int) -> ImageFont.FreeTypeFont:
    """DejaVu Sans where the system has it (it has μ, σ, λ); else Pillow's own font."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def readable(text: str, face: ImageFont.FreeTypeFont) -> str:
    """Greek letters spelled out when the font has no glyph for them (Pillow's own font)."""
    if "DejaVu" in (face.getname()[0] or ""):
        return text
    return text.translate(str.maketrans({"μ": "mu", "σ": "sigma", "λ": "lambda", "β": "beta", "α": "alpha"}))


def _star(draw: ImageDraw.ImageDraw, x: float, y: float, r: float, fill=WHITE, outline=BLACK) -> None:
    points = [
        (
            x + (r if k % 2 == 0 else r * 0.45) * math.sin(math.pi * k / 5),
            y - (r if k % 2 == 0 else r * 0.45) * math.cos(math.pi * k / 5),
        )
        for k in range(10)
    ]
    draw.polygon(points, fill=fill, outline=outline, width=2)


@dataclass(frozen=True)
class Frame:
    """Where things go on a slide of ``size``: the map's pixel box and the legend's column."""

    size: tuple[int, int]
    plot: tuple[int, int, int, int]  # left, top, right, bottom
    legend_x: int
    font: ImageFont.FreeTypeFont
    title_font: ImageFont.FreeTypeFont
    legend_bottom: int = 0  # below it, where the room allows (a 16:9 still), the loss chart goes

    @staticmethod
    def for_size(size: tuple[int, int], landscape: Landscape, labels: list[str]) -> Frame:
        """``landscape``'s map as large as fits beside a legend wide enough for the longest label
        (the runs' ``labels``, then ``landscape.legend_keys``)."""
        keys = landscape.legend_keys
        width, height = size
        scale = height / 720
        top, bottom, left = int(80 * scale), int(70 * scale), int(90 * scale)
        face = typeface(max(int(20 * scale), 12))
        legend = max(face.getlength(readable(text, face)) for text in [*labels, *keys])
        legend += face.size * 3.2 + int(60 * scale)
        (x0, x1), (y0, y1) = landscape.surface.domain
        side = height - top - bottom
        plot_w = int(min(side * (x1 - x0) / (y1 - y0), width - left - legend))
        plot_h = int(plot_w * (y1 - y0) / (x1 - x0))
        plot = (left, top, left + plot_w, top + plot_h)
        # the legend's rows: one per run, a gap, then the keys (as _base draws them)
        legend_bottom = int(top + face.size * (1 + 1.8 * (len(labels) + len(keys)) + 0.4 - 0.8))
        return Frame(
            size, plot, left + plot_w + int(40 * scale), face, typeface(max(int(30 * scale), 16)), legend_bottom
        )

    @property
    def chart(self) -> tuple[int, int, int, int] | None:
        """The loss chart's plot box, right of the map and under the legend, when it fits."""
        width, height = self.size
        left = self.legend_x + int(self.font.size * 4.5)  # room for the y tick labels
        top = self.legend_bottom + int(self.font.size * 3.0)  # room for its title
        right, bottom = width - self.font.size * 2, self.plot[3]
        return (left, top, right, bottom) if right - left >= 400 and bottom - top >= 250 else None

    def inside(self, x: float, y: float) -> bool:
        left, top, right, bottom = self.plot
        return left <= x <= right and top <= y <= bottom

    def visible_pieces(self, domain, points: np.ndarray) -> list[list[tuple[float, float]]]:
        """A path in pixels, cut to the map's box: the stretches inside it (a run thrown off the
        map leaves it at the edge instead of crossing the title and legend)."""
        left, top, right, bottom = self.plot
        pixels = self.to_pixels(domain, points[np.all(np.isfinite(points), axis=1)])
        pieces: list[list[tuple[float, float]]] = []
        piece: list[tuple[float, float]] = []
        for a, b in zip(pixels[:-1], pixels[1:]):
            cut = _clip_segment(a, b, left, top, right, bottom)
            if cut is None:
                continue
            if not piece or piece[-1] != cut[0]:
                if len(piece) > 1:
                    pieces.append(piece)
                piece = [cut[0]]
            piece.append(cut[1])
        return pieces + ([piece] if len(piece) > 1 else [])

    def to_pixels(self, domain, points: np.ndarray) -> list[tuple[float, float]]:
        (x0, x1), (y0, y1) = domain
        left, top, right, bottom = self.plot
        px = left + (points[:, 0] - x0) / (x1 - x0) * (right - left)
        py = top + (y1 - points[:, 1]) / (y1 - y0) * (bottom - top)
        return list(zip(px.tolist(), py.tolist()))


def _clip_segment(a, b, left, top, right, bottom):
    """The part of segment a→b inside the box (Liang–Barsky), or None."""
    (xa, ya), (xb, yb) = a, b
    dx, dy = xb - xa, yb - ya
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, xa - left), (dx, right - xa), (-dy, ya - top), (dy, bottom - ya)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    start = a if t0 == 0.0 else (xa + t0 * dx, ya + t0 * dy)
    end = b if t1 == 1.0 else (xa + t1 * dx, ya + t1 * dy)
    return start, end


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round-numbered ticks (1, 2 or 5 × 10ᵏ apart) inside [low, high]."""
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


def _marker(draw: ImageDraw.ImageDraw, symbol: str, x: float, y: float, r: float, fill, outline) -> None:
    kind, points = marker_shape(symbol, x, y, r)
    if kind == "circle":
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline=outline, width=2)
    elif kind == "polygon":
        draw.polygon(points, fill=fill, outline=outline, width=2)
    else:  # two bars, with a white halo so they read on any background
        for bar in (points[:2], points[2:]):
            draw.line(bar, fill=outline, width=int(r * 0.9) + 3)
            draw.line(bar, fill=fill, width=int(r * 0.6) + 1)


def _dashed(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], dash: str, fill, width: int) -> None:
    """A polyline in the run's dash pattern (lengths in line widths)."""
    pattern = {
        "solid": None,
        "dash": (4, 2.5),
        "dot": (1, 1.8),
        "dashdot": (4, 2, 1, 2),
        "longdash": (7, 2.5),
        "longdashdot": (7, 2, 1, 2),
    }[dash]
    if pattern is None or len(points) < 2:
        if len(points) > 1:
            draw.line(points, fill=fill, width=width, joint="curve")
        return
    lengths = [p * width for p in pattern]
    k, left, on = 0, lengths[0], True
    for (xa, ya), (xb, yb) in zip(points[:-1], points[1:]):
        seg = math.hypot(xb - xa, yb - ya)
        done = 0.0
        while seg - done > 1e-9:
            take = min(left, seg - done)
            if on:
                t0, t1 = done / seg, (done + take) / seg
                draw.line(
                    [(xa + (xb - xa) * t0, ya + (yb - ya) * t0), (xa + (xb - xa) * t1, ya + (yb - ya) * t1)],
                    fill=fill,
                    width=width,
                )
            done += take
            left -= take
            if left <= 1e-9:
                k = (k + 1) % len(lengths)
                left, on = lengths[k], not on


def _base(
    landscape: Landscape, runs: list[Trajectory], labels: list[str], start, title: str, frame: Frame
) -> Image.Image:
    """Everything that does not move: landscape, axes, minima, start, faint full paths, legend."""
    domain = landscape.surface.domain
    (x0, x1), (y0, y1) = domain
    left, top, right, bottom = frame.plot
    image = Image.new("RGB", frame.size, WHITE)
    image.paste(landscape_image(landscape).resize((right - left, bottom - top), Image.Resampling.BILINEAR), (left, top))
    draw = ImageDraw.Draw(image)
    draw.rectangle(frame.plot, outline=GREY, width=2)
    font, big = frame.font, frame.title_font
    draw.text((left, top // 2), readable(title, big), fill=BLACK, font=big, anchor="lm")
    for value in nice_ticks(x0, x1):
        ((px, _),) = frame.to_pixels(domain, np.array([[value, y0]]))
        draw.line([(px, bottom), (px, bottom + 8)], fill=GREY, width=2)
        draw.text((px, bottom + 12), f"{value:g}", fill=BLACK, font=font, anchor="mt")
    for value in nice_ticks(y0, y1):
        ((_, py),) = frame.to_pixels(domain, np.array([[x0, value]]))
        draw.line([(left - 8, py), (left, py)], fill=GREY, width=2)
        draw.text((left - 12, py), f"{value:g}", fill=BLACK, font=font, anchor="rm")
    draw.text(((left + right) / 2, bottom + 14 + font.size * 1.4), "x", fill=BLACK, font=font, anchor="mt")
    draw.text((left - 14 - font.size * 2.6, (top + bottom) / 2), "y", fill=BLACK, font=font, anchor="rm")
    lowest = landscape.lowest_minima
    for m in landscape.minima[:200]:
        ((cx, cy),) = frame.to_pixels(domain, np.array([[m.x, m.y]]))
        if m in lowest:
            _star(draw, cx, cy, font.size * 0.8)
        else:
            draw.ellipse((cx - 3, cy - 3, cx + 3, cy + 3), fill=WHITE, outline=BLACK)
    line = max(3, font.size // 5)
    for r, t in enumerate(runs):
        style = run_style(r)
        for piece in frame.visible_pieces(domain, t.path):
            _dashed(draw, piece, style.dash, hex_rgb(style.color), line)
    ((sx, sy),) = frame.to_pixels(domain, np.array([start]))
    ring = font.size * 0.6
    draw.ellipse((sx - ring, sy - ring, sx + ring, sy + ring), outline=BLACK, width=3)
    y = top + font.size
    for r, label in enumerate(labels):
        style = run_style(r)
        x = frame.legend_x
        _dashed(draw, [(x, y), (x + font.size * 2.6, y)], style.dash, hex_rgb(style.color), line + 2)
        _marker(draw, style.symbol, x + font.size * 1.3, y, font.size * 0.35, hex_rgb(style.color), WHITE)
        draw.text((x + font.size * 3.2, y), readable(label, font), fill=BLACK, font=font, anchor="lm")
        y += font.size * 1.8
    y += font.size * 0.4
    key_x = frame.legend_x + font.size * 1.3
    for key in landscape.legend_keys:
        if key == "start":
            draw.ellipse(
                (key_x - ring * 0.8, y - ring * 0.8, key_x + ring * 0.8, y + ring * 0.8), outline=BLACK, width=3
            )
        elif key == "other minima":
            draw.ellipse((key_x - 3, y - 3, key_x + 3, y + 3), fill=WHITE, outline=BLACK)
        else:
            _star(draw, key_x, y, font.size * 0.7)
        draw.text((frame.legend_x + font.size * 3.2, y), key, fill=BLACK, font=font, anchor="lm")
        y += font.size * 1.8
    return image


def _moving(
    draw: ImageDraw.ImageDraw,
    landscape: Landscape,
    runs: list[Trajectory],
    positions,
    k: int,
    step: int,
    frame: Frame,
    colours,
) -> None:
    """One moment: each run's recent trail and its marker, and the step number."""
    domain = landscape.surface.domain
    font = frame.font
    for r, t in enumerate(runs):
        style = run_style(r)
        trail, head = positions[r][k]
        for piece in frame.visible_pieces(domain, t.path[trail]):
            draw.line(piece, fill=colours[r], width=max(4, font.size // 4), joint="curve")
        if np.all(np.isfinite(t.path[head])):
            ((hx, hy),) = frame.to_pixels(domain, t.path[head][None, :])
            if frame.inside(hx, hy):  # off the map it would cover the axes or the legend
                _marker(draw, style.symbol, hx, hy, font.size * 0.5, colours[r], colours["white"])
    for m in landscape.lowest_minima:  # the goal stays visible over runs that reached it, and they under it
        ((cx, cy),) = frame.to_pixels(domain, np.array([[m.x, m.y]]))
        _star(draw, cx, cy, font.size * 0.8, None, colours["black"])
    left, top, right, _ = frame.plot
    box = (right - font.size * 6.5, top + 6, right - 6, top + 6 + font.size * 1.5)
    draw.rectangle(box, fill=colours["white"])
    draw.text(
        (right - 12, top + 6 + font.size * 0.75), f"step {int(step)}", fill=colours["black"], font=font, anchor="rm"
    )


def power_of_ten(exponent: int, face: ImageFont.FreeTypeFont) -> str:
    """10⁻³, where the font has superscripts; else 1e-3."""
    if "DejaVu" not in (face.getname()[0] or ""):
        return f"1e{exponent:d}"
    return "10" + str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _loss_chart(
    draw: ImageDraw.ImageDraw, frame: Frame, landscape: Landscape, runs: list[Trajectory], step: int, last: int
) -> None:
    """Each run's loss up to ``step``, as the page's loss strip draws it (above the lowest known
    loss on a log axis where the surface spans decades), with the step marked."""
    left, top, right, bottom = frame.chart
    font = frame.font
    log = landscape.log_scale
    losses = [landscape.loss_shown(t.loss[: step + 1]) for t in runs]
    losses = [np.where(np.isfinite(v), v, np.nan) for v in (np.log10(loss) if log else loss for loss in losses)]
    finite = np.concatenate([v[np.isfinite(v)] for v in losses] + [np.array([])])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    title = "Loss above the minimum (log scale), by step" if log else "Loss, by step"
    draw.text((left, top - font.size * 1.6), title, fill=BLACK, font=font, anchor="lm")
    draw.rectangle((left, top, right, bottom), outline=GREY, width=2)

    def to_pixel(k: float, v: float) -> tuple[float, float]:
        return left + k / max(last, 1) * (right - left), bottom - (v - lo) / (hi - lo) * (bottom - top)

    ticks = [d for d in range(math.ceil(lo), math.floor(hi) + 1)] if log else nice_ticks(lo, hi, 4)
    ticks = ticks[:: max(1, math.ceil(len(ticks) / 5))]
    for value in ticks:
        _, py = to_pixel(0, value)
        draw.line([(left - 8, py), (left, py)], fill=GREY, width=2)
        draw.text(
            (left - 12, py), power_of_ten(value, font) if log else f"{value:g}", fill=BLACK, font=font, anchor="rm"
        )
    for value in nice_ticks(0, last, 4):
        px, _ = to_pixel(value, lo)
        draw.line([(px, bottom), (px, bottom + 8)], fill=GREY, width=2)
        draw.text((px, bottom + 12), f"{value:g}", fill=BLACK, font=font, anchor="mt")
    draw.text(((left + right) / 2, bottom + 14 + font.size * 1.4), "step", fill=BLACK, font=font, anchor="mt")
    width = max(3, font.size // 6)
    for r, loss in enumerate(losses):
        style = run_style(r)
        segment: list[tuple[float, float]] = []
        kept = envelope_points(loss, 400).tolist() if loss.size else []
        for k in kept + [None]:  # a gap wherever the loss is not drawable
            if k is not None and math.isfinite(loss[k]):
                segment.append(to_pixel(k, loss[k]))
            elif segment:
                _dashed(draw, segment, style.dash, hex_rgb(style.color), width)
                segment = []
        end = len(loss) - 1
        if end < step and end >= 0 and math.isfinite(loss[end]):  # it stopped there (converged or left)
            _marker(draw, style.symbol, *to_pixel(end, loss[end]), font.size * 0.4, hex_rgb(style.color), WHITE)
    cursor, _ = to_pixel(step, lo)
    draw.line([(cursor, top), (cursor, bottom)], fill=(192, 0, 0), width=2)


def still_png(
    landscape: Landscape, runs: list[Trajectory], labels: list[str], start, title: str, step: int | None = None
) -> bytes:
    """The map at ``step`` (the last one by default) as a 1920×1080 PNG."""
    frame = Frame.for_size(STILL_SIZE, landscape, labels)
    image = _base(landscape, runs, labels, start, title, frame)
    last = max(t.steps for t in runs)
    shown = np.array([last if step is None else max(0, min(int(step), last))])
    positions = [frame_positions(t, shown) for t in runs]
    colours = {r: hex_rgb(run_style(r).color) for r in range(len(runs))} | {"white": WHITE, "black": BLACK}
    draw = ImageDraw.Draw(image)
    _moving(draw, landscape, runs, positions, 0, int(shown[0]), frame, colours)
    if frame.chart is not None:
        _loss_chart(draw, frame, landscape, runs, int(shown[0]), last)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def animated_gif(
    landscape: Landscape, runs: list[Trajectory], labels: list[str], start, title: str, frame_ms: int
) -> bytes:
    """The map playing, 960×720.  One palette for every frame, and after the first each frame
    keeps only the pixels that changed (the rest transparent, drawn over the previous frame):
    a few kB per frame instead of tens."""
    frame = Frame.for_size(GIF_SIZE, landscape, labels)
    exact = [hex_rgb(run_style(r).color) for r in range(len(runs))] + [WHITE, BLACK, GREY]
    landscape_colours = landscape_image(landscape).quantize(colors=GIF_COLOURS - len(exact), dither=Image.Dither.NONE)
    table = np.array(
        landscape_colours.getpalette()[: (GIF_COLOURS - len(exact)) * 3] + [c for rgb in exact for c in rgb]
    )
    table = table.reshape(-1, 3)
    chooser = Image.new("P", (1, 1))
    chooser.putpalette(table.ravel().tolist())
    base = _base(landscape, runs, labels, start, title, frame).quantize(palette=chooser, dither=Image.Dither.NONE)
    palette = table.ravel().tolist() + [255, 0, 255]  # the last entry: "unchanged" (transparent)

    def index_of(rgb) -> int:
        return int(np.argmin(((table - np.array(rgb)) ** 2).sum(axis=1)))

    colours = {r: index_of(hex_rgb(run_style(r).color)) for r in range(len(runs))}
    colours |= {"white": index_of(WHITE), "black": index_of(BLACK)}
    shown = frame_steps(max(t.steps for t in runs), GIF_MAX_FRAMES)
    positions = [frame_positions(t, shown) for t in runs]
    frames, previous = [], None
    for k, step in enumerate(shown):
        image = base.copy()
        _moving(ImageDraw.Draw(image), landscape, runs, positions, k, int(step), frame, colours)
        pixels = np.asarray(image)
        shown_pixels = pixels if previous is None else np.where(pixels == previous, GIF_COLOURS, pixels)
        previous = pixels
        out_frame = Image.fromarray(shown_pixels.astype(np.uint8), "P")
        out_frame.putpalette(palette)
        frames.append(out_frame)
    out = io.BytesIO()
    frames[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=max(frame_ms, 40),
        loop=0,
        optimize=False,
        transparency=GIF_COLOURS,
        disposal=1,
    )
    return out.getvalue()
