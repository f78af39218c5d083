"""Slides of what the networks compute, drawn with Pillow as the surfaces' are (``slides``), so
no browser runs on the server: a still of any step at 1920×1080 and an animated GIF at 960×720.

One panel per run, as on the page: the predicted probability of class 1 from blue to orange
with the 0.5 boundary (or the fitted curve), training points filled and validation points
hollow, and under each run's label its training and validation loss at the step shown.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from optviz.figures.network.common import finite_snapshots, frame_snapshots
from optviz.figures.network.decision import (
    CLASS_COLOURS,
    CURVE_POINTS,
    PALE,
    _layout_grid,
    _padded,
    network_outputs,
    probability_grid,
    sigmoid,
)
from optviz.figures.slides import (
    BLACK,
    GIF_COLOURS,
    GIF_SIZE,
    GREY,
    STILL_SIZE,
    WHITE,
    Frame,
    nice_ticks,
    readable,
    typeface,
)
from optviz.figures.style import hex_rgb, run_style
from optviz.network.train import MAX_RUNS, TrainResult

CLASS_RGB = tuple(hex_rgb(c) for c in CLASS_COLOURS)
DIVERGED_RGB = (192, 0, 0)
RAMP = 96  # GIF palette entries for the probability's colours (the rest: exact and grey)
GRID_PX = 4  # one probability grid point per this many pixels: smooth once upsampled
GRID_RANGE = (32, 200)
MIN_ASPECT, MAX_ASPECT = 0.45, 2.0  # a panel keeps the data's scale within these height/width
LOSS_WORDINGS = ("training loss {} · validation loss {}", "train {} · validation {}", "train {} · val. {}")
SMALLEST_CAPTION = 0.7  # a caption shrinks to this share of the slide's font before it is cut
UNKNOWN = 255  # not a palette index (the GIF's palette has GIF_COLOURS + 1 entries)
HOLD_LAST_MS = 1500  # the last frame stays up so the end can be read before the loop restarts


def probability_rgb(p: np.ndarray) -> np.ndarray:
    """P(class 1) as colour: the page's pale class colours at 0 and 1, white at 0.5."""
    pale = np.array([[c + (255 - c) * PALE for c in rgb] for rgb in CLASS_RGB])
    t = 2.0 * np.asarray(p, dtype=float)[..., None] - 1.0
    side = np.where(t > 0, pale[1], pale[0])
    return np.clip(np.round(255.0 + np.abs(t) * (side - 255.0)), 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class Caption:
    """What a run's panel shows at a step: the snapshot ``step`` drawn (its last finite one at or
    before the step asked for), the losses there, and where it diverged once it stopped."""

    label: str
    step: int
    train: float
    validation: float
    diverged_at: int | None

    def losses(self, wording: int = 0) -> str:
        return LOSS_WORDINGS[wording].format(f"{self.train:#.3g}", f"{self.validation:#.3g}")

    @property
    def note(self) -> str | None:
        if self.diverged_at is None:
            return None
        return f"diverged at step {self.diverged_at}; shown: step {self.step}"

    def lines(self, wording: int = 0) -> list[str]:
        return [self.label, self.losses(wording)] + ([self.note] if self.note else [])


def snapshot_at(result: TrainResult, step: int | None) -> int:
    """The index of the snapshot a panel shows at ``step`` (None: the end): the last recorded
    at or before it, or the last finite one when the run had diverged by then."""
    last = finite_snapshots(result) - 1
    if step is None:
        return last
    return int(min(max(np.searchsorted(result.recorded_steps, step, side="right") - 1, 0), last))


def caption(result: TrainResult, label: str, step: int | None = None) -> Caption:
    k = snapshot_at(result, step)
    shown = int(result.recorded_steps[k])
    # the note appears once the panel is frozen: before that, the run was still training
    frozen = result.outcome.kind == "diverged" and (step is None or step >= result.outcome.step)
    return Caption(
        label,
        shown,
        float(result.train_loss[shown]),
        float(result.validation_loss[shown]),
        result.outcome.step if frozen else None,
    )


def _domain(result: TrainResult, n: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """The data range a panel shows.  Classification: the probability grid's, widened by half a
    cell, so each grid point is the centre of the pixel block its value is upsampled into."""
    if result.data.dataset.classifies:
        xs, ys, _ = probability_grid(result, n)
        dx, dy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
        return (float(xs[0] - dx), float(xs[-1] + dx)), (float(ys[0] - dy), float(ys[-1] + dy))
    data = result.data
    x = np.concatenate([data.x_train[:, 0], data.x_validation[:, 0]])
    return _padded(x), _padded(np.concatenate([data.y_train, data.y_validation]))


@dataclass(frozen=True)
class Sheet:
    """Where things go on a slide of ``size``: each run's panel (a ``slides.Frame`` whose plot is
    the panel's box) showing ``domains[r]``, with its caption's lines above it."""

    size: tuple[int, int]
    font: ImageFont.FreeTypeFont
    title_font: ImageFont.FreeTypeFont
    panels: list[Frame]
    domains: list
    columns: int
    grid: int  # probability grid points per side
    caption_lines: int
    legend_top: int
    classifies: bool

    @property
    def line_height(self) -> float:
        return self.font.size * 1.3


def _legend_items(classifies: bool) -> list[tuple[str, str]]:
    """(what the key shows, its words), in reading order."""
    if classifies:
        return [
            ("class0", "class 0"),
            ("class1", "class 1"),
            ("filled", "training (filled)"),
            ("hollow", "validation (hollow)"),
            ("boundary", "P(class 1) = 0.5"),
            ("ramp", "P(class 1):"),
        ]
    fit = ("fit", "the network's fit, in its run's colour")
    return [("filled", "training (filled)"), ("hollow", "validation (hollow)"), fit]


def _key_width(key: str, font) -> float:
    return font.size * (6.6 if key == "ramp" else 1.6)


def _legend_rows(classifies: bool, font, width: float) -> list[list[tuple[str, str]]]:
    """The legend's items flowed into rows no wider than ``width``."""
    rows: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for key, text in _legend_items(classifies):
        item = _key_width(key, font) + font.getlength(readable(text, font)) + font.size * 1.4
        if rows[-1] and used + item > width:
            rows.append([])
            used = 0.0
        rows[-1].append((key, text))
        used += item
    return rows


def _check(results: Sequence[TrainResult], labels: Sequence[str]) -> None:
    if not 1 <= len(results) <= MAX_RUNS:
        raise ValueError(f"results must hold 1 to {MAX_RUNS} runs, not {len(results)}")
    if len(labels) != len(results):
        raise ValueError(f"labels must name each run: {len(labels)} labels for {len(results)} runs")
    first = results[0].data
    for result in results[1:]:  # the panels share their axes: one comparison, one data set
        data = result.data
        if data.dataset.key != first.dataset.key or not (
            np.array_equal(data.x_train, first.x_train) and np.array_equal(data.x_validation, first.x_validation)
        ):
            raise ValueError("the runs must be trained on the same data (one comparison per slide)")


def sheet(size: tuple[int, int], results: Sequence[TrainResult], labels: Sequence[str]) -> Sheet:
    """The slide's layout: title and step on top, the legend under them, then the panels (one
    row up to 3 runs, 2 × 2 for 4, 2 × 3 for 5–6), each as large as fits at the data's scale."""
    _check(results, labels)
    width, height = size
    scale = height / 720
    font, title_font = typeface(max(int(20 * scale), 12)), typeface(max(int(30 * scale), 16))
    classifies = results[0].data.dataset.classifies
    rows, columns = _layout_grid(len(results), None)
    (x0, x1), (y0, y1) = _domain(results[0], GRID_RANGE[1])  # near each panel's: the grid is not known yet
    y_name = font.getlength(_axis_names(classifies, font)[1])
    left = int(12 + _tick_width(y0, y1, font) + font.size * 1.2 + y_name)
    right, gap = font.size, int(font.size * 1.6)
    legend_top = int(66 * scale)
    legend = _legend_rows(classifies, font, width - 2 * font.size)
    top = int(legend_top + len(legend) * font.size * 1.6 + font.size * 0.5)
    bottom = int(height - (12 + font.size * 1.3 + font.size * 1.5))
    caption_lines = 2 + any(r.outcome.kind == "diverged" for r in results)
    caption_h = caption_lines * font.size * 1.3 + font.size * 0.3
    row_gap = font.size * 1.0 if rows > 1 else 0
    cell_w = (width - left - right - (columns - 1) * gap) / columns
    cell_h = (bottom - top - (rows - 1) * row_gap) / rows - caption_h
    if classifies:
        aspect = float(np.clip((y1 - y0) / (x1 - x0), MIN_ASPECT, MAX_ASPECT))
        plot_w = min(cell_w, cell_h / aspect)
        plot_h = plot_w * aspect
    else:
        plot_w, plot_h = cell_w, cell_h
    block_w = columns * plot_w + (columns - 1) * gap
    block_h = rows * (caption_h + plot_h) + (rows - 1) * row_gap
    x_start = left + (width - left - right - block_w) / 2
    y_start = top + (bottom - top - block_h) / 2
    grid = int(np.clip(max(plot_w, plot_h) // GRID_PX, *GRID_RANGE))
    panels, domains = [], []
    for r, result in enumerate(results):
        row, column = divmod(r, columns)
        px = int(x_start + column * (plot_w + gap))
        py = int(y_start + row * (caption_h + plot_h + row_gap) + caption_h)
        box = (px, py, px + int(plot_w), py + int(plot_h))
        panels.append(Frame(size, box, box[2], font, title_font))
        domains.append(_domain(result, grid))
    return Sheet(size, font, title_font, panels, domains, columns, grid, caption_lines, legend_top, classifies)


def _tick_width(low: float, high: float, font) -> float:
    """The widest y tick label any panel height can ask for (the densest ticks have the most digits)."""
    return max(font.getlength(f"{v:g}") for v in nice_ticks(low, high, 10))


def _axis_names(classifies: bool, font) -> tuple[str, str]:
    names = ("x₁", "x₂") if classifies else ("x", "y")
    if "DejaVu" in (font.getname()[0] or ""):
        return names
    return tuple(n.replace("₁", "1").replace("₂", "2") for n in names)


def _fit_text(text: str, font, width: float) -> ImageFont.FreeTypeFont:
    """``font``, or a smaller size of it (down to SMALLEST_CAPTION) where ``text`` is wider than ``width``."""
    size = font.size
    while font.getlength(text) > width and font.size > size * SMALLEST_CAPTION:
        font = typeface(font.size - 1)
    return font


def _points_layer(result: TrainResult, panel: Frame, domain) -> Image.Image:
    """The data over a panel, transparent elsewhere: training filled, validation hollow, by class."""
    left, top, right, bottom = panel.plot
    layer = Image.new("RGBA", (right - left, bottom - top), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    radius = float(np.clip(min(right - left, bottom - top) / 55, 3, panel.font.size * 0.28))
    data, classifies = result.data, result.data.dataset.classifies
    for x, y, filled in ((data.x_validation, data.y_validation, False), (data.x_train, data.y_train, True)):
        points = x if classifies else np.column_stack([x[:, 0], y])
        for (cx, cy), target in zip(panel.to_pixels(domain, points), y):
            colour = CLASS_RGB[int(target > 0.5)] if classifies else BLACK
            box = (cx - left - radius, cy - top - radius, cx - left + radius, cy - top + radius)
            if filled:
                draw.ellipse(box, fill=colour, outline=WHITE, width=1)
            else:
                draw.ellipse(box, fill=None, outline=colour, width=max(2, round(radius / 2.5)))
    return layer


def _tiles(result: TrainResult, r: int, panel: Frame, domain, grid: int, snapshots: np.ndarray) -> list[Image.Image]:
    """The panel's picture (without frame or caption) at each of ``snapshots`` (indices into
    the recorded weights): probability, boundary and points, or the fitted curve and points."""
    left, top, right, bottom = panel.plot
    w, h = right - left, bottom - top
    points = _points_layer(result, panel, domain)
    tiles = []
    if result.data.dataset.classifies:
        _, _, inputs = probability_grid(result, grid)
        outputs = network_outputs(result, inputs, result.weights[snapshots])
        thickness = 3 if panel.font.size < 25 else 5
        for logits in outputs:
            # upsample the logit (not the colour) so the boundary is where it crosses 0, smoothly
            z = np.nan_to_num(logits.reshape(grid, grid)[::-1].astype(np.float32), posinf=1e30, neginf=-1e30)
            z = np.asarray(Image.fromarray(z, "F").resize((w, h), Image.Resampling.BILINEAR))
            rgb = probability_rgb(sigmoid(z.astype(float)))
            positive = z > 0
            edge = np.zeros_like(positive)
            edge[:, 1:] |= positive[:, 1:] != positive[:, :-1]
            edge[1:, :] |= positive[1:, :] != positive[:-1, :]
            line = np.asarray(Image.fromarray(edge.astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(thickness)))
            rgb[line > 0] = BLACK
            tile = Image.fromarray(rgb, "RGB")
            tile.paste(points, (0, 0), points)
            tiles.append(tile)
        return tiles
    (x0, x1), _ = domain
    xs = np.linspace(x0, x1, CURVE_POINTS)
    fitted = network_outputs(result, xs[:, None], result.weights[snapshots])
    colour = hex_rgb(run_style(r).color)
    for values in fitted:
        tile = Image.new("RGB", (w, h), WHITE)
        draw = ImageDraw.Draw(tile)
        width = max(3, panel.font.size // 5)
        for piece in panel.visible_pieces(domain, np.column_stack([xs, values])):
            draw.line([(x - left, y - top) for x, y in piece], fill=colour, width=width, joint="curve")
        tile.paste(points, (0, 0), points)
        tiles.append(tile)
    return tiles


def _legend_key(image: Image.Image, draw: ImageDraw.ImageDraw, key: str, x: float, y: float, font, colour) -> None:
    s = font.size
    r = s * 0.3
    if key in ("class0", "class1"):
        draw.ellipse((x + s * 0.5 - r, y - r, x + s * 0.5 + r, y + r), fill=CLASS_RGB[key == "class1"], outline=WHITE)
    elif key == "filled":
        draw.ellipse((x + s * 0.5 - r, y - r, x + s * 0.5 + r, y + r), fill=GREY, outline=WHITE)
    elif key == "hollow":
        draw.ellipse((x + s * 0.5 - r, y - r, x + s * 0.5 + r, y + r), outline=GREY, width=max(2, round(r / 2.5)))
    elif key in ("boundary", "fit"):
        draw.line([(x, y), (x + s * 1.2, y)], fill=BLACK if key == "boundary" else colour, width=max(3, s // 6))
    else:  # the probability's colours from 0 to 1, labelled at the ends
        draw.text((x, y), "0", fill=BLACK, font=font, anchor="lm")
        bar_x0, bar_x1 = x + s * 0.9, x + s * 5.6
        ramp = probability_rgb(np.linspace(0, 1, int(bar_x1 - bar_x0)))[None].repeat(int(s * 0.7), axis=0)
        image.paste(Image.fromarray(ramp, "RGB"), (int(bar_x0), int(y - s * 0.35)))
        draw.rectangle((bar_x0, y - s * 0.35, bar_x0 + ramp.shape[1], y - s * 0.35 + ramp.shape[0]), outline=GREY)
        middle = (bar_x0 + bar_x0 + ramp.shape[1]) / 2
        draw.line([(middle, y - s * 0.35), (middle, y + s * 0.35)], fill=BLACK, width=2)
        draw.text((bar_x1 + s * 0.3, y), "1", fill=BLACK, font=font, anchor="lm")


def _base(sheet: Sheet, results: Sequence[TrainResult], labels: Sequence[str], title: str) -> Image.Image:
    """What does not move: title, legend, each panel's ticks, axis names and label."""
    image = Image.new("RGB", sheet.size, WHITE)
    draw = ImageDraw.Draw(image)
    font, big = sheet.font, sheet.title_font
    width = sheet.size[0]
    margin = font.size
    title_face = _fit_text(readable(title, big), big, width - 2 * margin - big.getlength("step 00000") - margin)
    draw.text((margin, sheet.legend_top // 2), readable(title, title_face), fill=BLACK, font=title_face, anchor="lm")
    y = sheet.legend_top + font.size * 0.8
    for row in _legend_rows(sheet.classifies, font, width - 2 * margin):
        x = float(margin)
        for key, text in row:
            words = readable(text, font)
            if key == "ramp":  # the scale reads after its name: "P(class 1): 0 ▭ 1"
                draw.text((x, y), words, fill=BLACK, font=font, anchor="lm")
                _legend_key(image, draw, key, x + font.getlength(words) + font.size * 0.4, y, font, BLACK)
            else:
                _legend_key(image, draw, key, x, y, font, hex_rgb(run_style(0).color))
                draw.text((x + _key_width(key, font), y), words, fill=BLACK, font=font, anchor="lm")
            x += _key_width(key, font) + font.getlength(words) + font.size * 1.4
        y += font.size * 1.6
    x_name, y_name = _axis_names(sheet.classifies, font)
    count = len(results)
    for r, (panel, domain, label) in enumerate(zip(sheet.panels, sheet.domains, labels)):
        (x0, x1), (y0, y1) = domain
        left, top, right, bottom = panel.plot
        labelled_x, labelled_y = r + sheet.columns >= count, r % sheet.columns == 0
        for value in nice_ticks(x0, x1, max(4, int((right - left) / (font.size * 3)))):
            ((px, _),) = panel.to_pixels(domain, np.array([[value, y0]]))
            draw.line([(px, bottom), (px, bottom + 8)], fill=GREY, width=2)
            if labelled_x:
                draw.text((px, bottom + 12), f"{value:g}", fill=BLACK, font=font, anchor="mt")
        for value in nice_ticks(y0, y1, max(4, int((bottom - top) / (font.size * 2)))):
            ((_, py),) = panel.to_pixels(domain, np.array([[x0, value]]))
            draw.line([(left - 8, py), (left, py)], fill=GREY, width=2)
            if labelled_y:
                draw.text((left - 12, py), f"{value:g}", fill=BLACK, font=font, anchor="rm")
        if labelled_x:
            draw.text(((left + right) / 2, bottom + 12 + font.size * 1.3), x_name, fill=BLACK, font=font, anchor="mt")
        if labelled_y:
            tick_w = _tick_width(y0, y1, font)
            draw.text(
                (left - 12 - tick_w - font.size * 0.6, (top + bottom) / 2), y_name, fill=BLACK, font=font, anchor="rm"
            )
        line_y = top - sheet.caption_lines * sheet.line_height - font.size * 0.3 + sheet.line_height / 2
        side = font.size * 0.7  # the run's colour as a square before its label, as on the page
        draw.rectangle((left, line_y - side / 2, left + side, line_y + side / 2), fill=hex_rgb(run_style(r).color))
        text = readable(label, font)
        face = _fit_text(text, font, right - left - side * 1.5)
        draw.text((left + side * 1.5, line_y), text, fill=BLACK, font=face, anchor="lm")
    return image


def _wording(sheet: Sheet, captions: Sequence[Sequence[Caption]]) -> tuple[int, ImageFont.FreeTypeFont]:
    """The loss lines' wording and size: the first that fits every panel at every step it shows
    (one choice for all panels and frames, so the lines read alike and do not change words)."""
    width = min(right - left for left, _, right, _ in (panel.plot for panel in sheet.panels))
    shown = [c for panel in captions for c in panel]
    for wording in range(len(LOSS_WORDINGS)):
        if max(sheet.font.getlength(c.losses(wording)) for c in shown) <= width:
            return wording, sheet.font
    longest = max((c.losses(len(LOSS_WORDINGS) - 1) for c in shown), key=sheet.font.getlength)
    return len(LOSS_WORDINGS) - 1, _fit_text(longest, sheet.font, width)


def _moving(draw: ImageDraw.ImageDraw, sheet: Sheet, captions: Sequence[Caption], step: int, loss_line) -> None:
    """One moment's words: each panel's losses and divergence note, and the step."""
    wording, face = loss_line
    for panel, shown in zip(sheet.panels, captions):
        left, top, right, _ = panel.plot
        y = top - sheet.caption_lines * sheet.line_height - sheet.font.size * 0.3 + sheet.line_height * 1.5
        draw.text((left, y), shown.losses(wording), fill=BLACK, font=face, anchor="lm")
        if shown.note:
            note = _fit_text(shown.note, sheet.font, right - left)
            draw.text((left, y + sheet.line_height), shown.note, fill=DIVERGED_RGB, font=note, anchor="lm")
    big = sheet.title_font
    draw.text(
        (sheet.size[0] - sheet.font.size, sheet.legend_top // 2), f"step {step}", fill=BLACK, font=big, anchor="rm"
    )


def _frame(base, sheet, tiles, captions, step, wording) -> Image.Image:
    image = base.copy()
    for panel, tile in zip(sheet.panels, tiles):
        image.paste(tile, panel.plot[:2])
        ImageDraw.Draw(image).rectangle(panel.plot, outline=GREY, width=2)
    _moving(ImageDraw.Draw(image), sheet, captions, step, wording)
    return image


def decision_png(results: Sequence[TrainResult], labels: Sequence[str], title: str, step: int | None = None) -> bytes:
    """What each run's network computes at ``step`` (default: each run's last finite snapshot),
    one panel per run, as a 1920×1080 PNG."""
    layout = sheet(STILL_SIZE, results, labels)
    base = _base(layout, results, labels, title)
    tiles, captions = [], []
    for r, (result, label, panel, domain) in enumerate(zip(results, labels, layout.panels, layout.domains)):
        tiles += _tiles(result, r, panel, domain, layout.grid, np.array([snapshot_at(result, step)]))
        captions.append(caption(result, label, step))
    wording = _wording(layout, [[c] for c in captions])
    # the step on top: the longest run's recorded step at or before ``step``, diverged or not
    recorded = max((result.recorded_steps for result in results), key=lambda steps: steps[-1])
    shown = int(recorded[-1] if step is None else recorded[max(np.searchsorted(recorded, step, side="right") - 1, 0)])
    image = _frame(base, layout, tiles, captions, shown, wording)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _palette(results: Sequence[TrainResult]) -> np.ndarray:
    """The GIF's colours: the probability's ramp, then every colour drawn exactly, then greys
    for the anti-aliased edges of text."""
    exact = [hex_rgb(run_style(r).color) for r in range(len(results))] + [*CLASS_RGB, WHITE, BLACK, GREY]
    exact.append(DIVERGED_RGB)
    greys = GIF_COLOURS - RAMP - len(exact)
    ramp = probability_rgb(np.linspace(0, 1, RAMP)).tolist()
    grey = [[int(v)] * 3 for v in np.linspace(30, 235, greys)]
    return np.array(ramp + [list(c) for c in exact] + grey, dtype=np.uint8)


def _indices(rgb: np.ndarray, table: np.ndarray, lookup: np.ndarray) -> np.ndarray:
    """Each pixel's nearest palette entry, exactly (Pillow's quantize approximates: its white
    came out pale blue).  ``lookup`` maps every 24-bit colour met so far (255: not yet)."""
    packed = (rgb[..., 0].astype(np.int32) << 16) | (rgb[..., 1].astype(np.int32) << 8) | rgb[..., 2]
    indices = lookup[packed]
    unknown = indices == UNKNOWN
    if unknown.any():  # the first frame, and few colours after it
        new = np.unique(packed[unknown]).astype(np.int64)
        channels = np.column_stack([(new >> 16) & 255, (new >> 8) & 255, new & 255])
        lookup[new] = ((channels[:, None, :] - table[None, :, :].astype(np.int64)) ** 2).sum(axis=2).argmin(axis=1)
        indices = lookup[packed]
    return indices


def decision_gif(
    results: Sequence[TrainResult], labels: Sequence[str], title: str, frame_ms: int = 120, frames: int = 40
) -> bytes:
    """The panels playing over up to ``frames`` evenly spread snapshots, 960×720.  One palette
    for every frame; after the first, a frame keeps only the pixels that changed (the rest
    transparent, over the previous frame), as the surfaces' GIF does."""
    layout = sheet(GIF_SIZE, results, labels)
    base = _base(layout, results, labels, title)
    reference = max(results, key=lambda result: result.recorded_steps[-1])
    steps = reference.recorded_steps[frame_snapshots(reference, frames)]
    tiles, captions = [], []
    for r, (result, label, panel, domain) in enumerate(zip(results, labels, layout.panels, layout.domains)):
        shown = np.array([snapshot_at(result, int(s)) for s in steps])
        unique, where = np.unique(shown, return_inverse=True)
        drawn = _tiles(result, r, panel, domain, layout.grid, unique)  # a frozen panel is drawn once
        tiles.append([drawn[k] for k in where])
        captions.append([caption(result, label, int(s)) for s in steps])
    wording = _wording(layout, captions)
    table = _palette(results)
    lookup = np.full(1 << 24, UNKNOWN, np.uint8)
    palette = table.ravel().tolist() + [255, 0, 255]  # the last entry: "unchanged" (transparent)
    images, previous = [], None
    for k, step in enumerate(steps):
        frame = _frame(base, layout, [t[k] for t in tiles], [c[k] for c in captions], int(step), wording)
        pixels = _indices(np.asarray(frame), table, lookup)
        changed = pixels if previous is None else np.where(pixels == previous, len(table), pixels)
        previous = pixels
        image = Image.fromarray(changed.astype(np.uint8), "P")
        image.putpalette(palette)
        images.append(image)
    durations = [max(frame_ms, 40)] * len(images)
    durations[-1] = max(durations[-1], HOLD_LAST_MS)
    out = io.BytesIO()
    images[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=0,
        optimize=False,
        transparency=len(table),
        disposal=1,
    )
    return out.getvalue()
