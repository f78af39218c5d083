"""What the animation frames show, shared by the contour and 3-D views.

At most MAX_FRAMES frames, evenly spread over the steps; each frame carries only what moves
(a marker and a short trail per run), never the landscape: GUIDE measured 36 MB when the
surface is re-sent per frame against 0.17 MB for moving markers.
"""

from __future__ import annotations

import math

import numpy as np

from optviz.engine.trajectory import Trajectory

MAX_FRAMES = 100  # every 3rd step of a 300-step run: smooth, and each view change sends ~1/3 less
TRAIL_FRAMES = 10
DRAWN_TOLERANCE = 1 / 2000
SIMPLIFY_ABOVE = 600  # points: shorter paths are drawn whole


def screen(values) -> np.ndarray:
    """float32 for drawing: ~1e-7 relative is far below a pixel and halves the payload."""
    return np.asarray(values, dtype=np.float32)


def point(values) -> list[float]:
    """A frame's few moving points (marker, trail) as a short JSON list of 6-digit numbers: a
    base64 array costs ~35 bytes for 4 of data, and 6 digits are far below a pixel."""
    return [float(f"{v:.6g}") for v in values]


def rounded(values, extent: float) -> list[float]:
    """Coordinates as short JSON numbers, to 1e-6 of the plotted extent (far below a pixel),
    vectorised: a frame's trail costs list picks, not number formatting, for every new view.
    Beyond float32's range (a diverged run) a value becomes None, a gap."""
    values = np.asarray(values, dtype=float)
    decimals = max(0, 6 - math.floor(math.log10(extent))) if extent > 0 else 6
    shown = np.round(values, decimals)
    return [v if abs(v) < 3e38 else None for v in shown.tolist()]


def drawn_points(*coordinates: np.ndarray, extents: tuple[float, ...]) -> np.ndarray:
    """Indices of a path's points that its drawn line needs: a point is left out only when the
    line without it stays within 1/2000 of the plotted extent (under half a pixel on any
    screen), so every zig-zag and turn is kept.  Ramer–Douglas–Peucker against segments; a
    path with a non-finite coordinate (a gap in the line) is kept whole, and so is a path of
    at most SIMPLIFY_ABOVE points: a new view is built for every student who changes a value,
    and at that length the line costs little while simplifying it costs the class time."""
    n = len(coordinates[0])
    if n <= SIMPLIFY_ABOVE:
        return np.arange(n)
    points = np.column_stack([np.asarray(c, dtype=float) / e for c, e in zip(coordinates, extents)])
    if not np.isfinite(points).all():
        return np.arange(n)
    keep = np.zeros(n, dtype=bool)
    keep[[0, -1]] = True
    pending = [(0, n - 1)]
    while pending:
        a, b = pending.pop()
        if b - a < 2:
            continue
        chord, offsets = points[b] - points[a], points[a + 1 : b] - points[a]
        length2 = float(chord @ chord)
        along = np.clip(offsets @ chord / length2, 0.0, 1.0) if length2 > 0 else np.zeros(b - a - 1)
        gaps = np.sqrt(((offsets - along[:, None] * chord) ** 2).sum(axis=1))
        k = int(np.argmax(gaps))
        if gaps[k] > DRAWN_TOLERANCE:
            keep[a + 1 + k] = True
            pending += [(a, a + 1 + k), (a + 1 + k, b)]
    return np.nonzero(keep)[0]


def envelope_points(values: np.ndarray, buckets: int = 200) -> np.ndarray:
    """Indices that keep a long series' look at chart width: the lowest and highest point of
    each of ``buckets`` equal runs of steps (noise spikes survive; a smooth decline costs little)."""
    n = len(values)
    if n <= 2 * buckets:
        return np.arange(n)
    filled = np.where(np.isfinite(values), values, np.nanmax(values[np.isfinite(values)], initial=0.0))
    edges = np.linspace(0, n, buckets + 1).astype(int)
    chosen = {0, n - 1}
    for a, b in zip(edges[:-1], edges[1:]):
        chunk = filled[a:b]
        chosen.update((a + int(np.argmin(chunk)), a + int(np.argmax(chunk))))
    return np.array(sorted(chosen))


def path_and_head(
    trace_type: str,
    coordinates: dict[str, np.ndarray],
    line: np.ndarray,
    head: int,
    label: str,
    r: int,
    line_style: dict,
    marker_style: dict,
    **line_extra,
) -> tuple[dict, dict]:
    """A run's two traces in either view: its whole path (the points ``line`` keeps) and the
    marker at ``head``, grouped under the run so the legend toggles both."""
    group = {"legendgroup": f"run{r}", "name": label}
    path = {
        "type": trace_type,
        "mode": "lines",
        "hoverinfo": "skip",
        "line": line_style,
        **group,
        **line_extra,
        **{axis: values[line] for axis, values in coordinates.items()},
    }
    marker = {
        "type": trace_type,
        "mode": "markers",
        "showlegend": False,
        "marker": marker_style,
        **group,
        **{axis: values[head : head + 1] for axis, values in coordinates.items()},
    }
    return path, marker


def evenly(last: int, most: int) -> np.ndarray:
    """0, s, 2s, … and ``last``: at most ``most`` + 1 values one whole stride s apart (only the
    final gap may be shorter), so ▶ Play moves at an even pace and the slider's labels are
    multiples of s (a rounded linspace labelled 0, 5, 10, 14, 19 …)."""
    stride = max(1, -(-last // most))
    shown = np.arange(0, last + 1, stride)
    return shown if shown[-1] == last else np.append(shown, last)


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The step shown by each frame: 0 … steps, at most max_frames + 1 of them, evenly spaced."""
    return evenly(steps, max_frames)


def frame_positions(trajectory: Trajectory, shown: np.ndarray) -> list[tuple[list[int], int]]:
    """Per frame: the path indices of its trail (the positions of the last TRAIL_FRAMES frames
    and the current one) and of its marker; a stopped run stays at its end.  Plain ints,
    computed once per run: building 150 frames × 6 runs is then list work, not numpy calls."""
    last = len(trajectory.path) - 1
    heads = [min(int(s), last) for s in shown]
    return [(sorted(set(heads[max(0, k - TRAIL_FRAMES) : k + 1])), head) for k, head in enumerate(heads)]


# How a figure's 3-D scene follows ▶ Play.  Frames are drawn with ``redraw: False`` (the 2-D map
# and the loss strip move without a full redraw); the scene, whose software-WebGL draw costs
# ~0.4 s a frame in headless Chromium, is drawn between frames, idle FOLLOW_REST times as long
# as its last draw took (so it takes at most 1/(1 + FOLLOW_REST) of the time on any machine),
# and once more when the animation stops, so a pause or the last frame shows it in step.
# Plotly's transitions keep ``_fullData`` current; its gl3d module's ``plot(gd)`` draws the
# scenes from it.  A JS function of the graph div: the page's bridge and the exported HTML call it.
FOLLOW_REST = 3
FOLLOW_3D_JS = """function (gd) {
  if (!gd || gd.__optvizFollow3d) return;
  gd.__optvizFollow3d = true;
  let ready = 0, drawing = false, owed = false;
  const draw = () => {
    const modules = (gd._fullLayout && gd._fullLayout._basePlotModules) || [];
    const gl3d = modules.find(m => m.name === 'gl3d');
    if (!gl3d) { drawing = false; return; }
    owed = false;
    const start = performance.now();
    gl3d.plot(gd);
    requestAnimationFrame(() => requestAnimationFrame(() => {  // WebGL renders after the script
      const now = performance.now();
      ready = now + REST * (now - start);
      drawing = false;
      if (owed) request();
    }));
  };
  const request = () => { drawing = true; setTimeout(draw, 0); };
  const follow = (settle) => {
    if (drawing) owed = owed || settle;
    else if (settle || performance.now() >= ready) request();
  };
  gd.on('plotly_animatingframe', () => follow(false));
  gd.on('plotly_animated', () => follow(true));
}""".replace("REST", str(FOLLOW_REST))


def _below_axis(font: int) -> int:
    """px under a plot taken by its x tick labels and axis title."""
    return int(font * 2.9 + 8)


def _button_height(font: int) -> int:
    return int(font * 1.6 + 14)


def slider_beside_buttons(font: int, plot_px: float) -> float:
    """Where a slider on ▶ Play / ❚❚ Pause's row starts, as a fraction of a plot ``plot_px``
    wide: right of the two buttons (about 10.5 font sizes)."""
    return (font * 10.5 + 24) / plot_px


def controls_margin(font: int, slider_x: float | None = None) -> int:
    """Bottom margin (px) for the axis labels, the play buttons and the slider (its own row
    unless it starts at ``slider_x``, right of the buttons)."""
    slider = int(font * 2.9 + 34)
    if slider_x is not None:
        return _below_axis(font) + max(_button_height(font), slider)
    return _below_axis(font) + _button_height(font) + slider


def play_controls(
    frame_names: list[str], duration_ms: int, redraw: bool, sizes_font: int, slider_x: float | None = None
) -> dict:
    """Play/pause buttons under the plot, and the scrubbing slider on its own row beneath them,
    or on the same row from ``slider_x`` (a fraction of the width that must clear the buttons:
    overlapped, the buttons hid the slider's thumb at step 0)."""
    play = {
        "frame": {"duration": duration_ms, "redraw": redraw},
        "fromcurrent": True,
        "transition": {"duration": 0},
        "mode": "immediate",
    }
    pause = {"frame": {"duration": 0, "redraw": redraw}, "mode": "immediate", "transition": {"duration": 0}}
    below = _below_axis(sizes_font)
    buttons = {
        "type": "buttons",
        "direction": "left",
        "showactive": False,
        "x": 0.0,
        "y": 0.0,
        "xanchor": "left",
        "yanchor": "top",
        "pad": {"t": below, "r": 10},
        "font": {"size": sizes_font},
        "buttons": [
            {"label": "▶ Play", "method": "animate", "args": [None, play]},
            {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]},
        ],
    }
    same_row = slider_x is not None
    slider = {
        "active": 0,
        "x": slider_x if same_row else 0.0,
        "len": 1.0 - slider_x if same_row else 1.0,
        "y": 0.0,
        "yanchor": "top",
        "pad": {"t": below - 10 if same_row else below + _button_height(sizes_font), "l": 8},
        "currentvalue": {"prefix": "step ", "xanchor": "right", "font": {"size": sizes_font}},
        "font": {"size": max(sizes_font - 4, 10)},
        "ticklen": 4,
        "minorticklen": 2,
        "steps": [
            {
                "label": name,
                "method": "animate",
                "args": [
                    [name],
                    {"frame": {"duration": 0, "redraw": redraw}, "mode": "immediate", "transition": {"duration": 0}},
                ],
            }
            for name in frame_names
        ],
    }
    return {"updatemenus": [buttons], "sliders": [slider]}
