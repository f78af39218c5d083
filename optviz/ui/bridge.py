"""The page's one piece of browser code, for what Python cannot see or do.

- **The screen's width.** The phone layout follows the viewport (≤ NARROW_PX), not the
  User-Agent: a narrow desktop window gets it too, and a phone turned sideways does not.
- **Taps and clicks on a map, to the pixel.** Plotly reports clicks only on points (a grid of
  invisible markers snapped them to its cells) and a phone's tap reaches no selection at
  all.  Here a press that lifts within TAP_SLOP_PX and TAP_MS where it went down is a tap,
  converted to data coordinates from the map's axes; a swipe the browser scrolls is not one.
- **A swipe over a chart scrolls the page on a narrow screen.** Plotly takes one-finger drags
  (pan, rotate) and the charts fill a phone's width, so the page could hardly be scrolled.
  Until the reader turns on GESTURES_KEY, one-finger touches on a chart are kept from Plotly
  (taps still reach the map, Play and the slider), and the Plotly toolbars, which would sit
  over the charts' titles at this width, are hidden (views.PAGE_CSS).
- **The sidebar folds after a preset tap on a narrow screen**, where it covers the result.
- **A chart's 3-D view follows ▶ Play** at the rate it can draw (``animation.FOLLOW_3D_JS``,
  attached to a chart the first time a pointer goes down on it: before its Play or slider acts).

The JavaScript is fixed text written here; Python passes it only numbers and CSS selectors.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from optviz.figures.animation import FOLLOW_3D_JS

KEY = "bridge"
HOST = "bridge_host"  # hidden by views.PAGE_CSS: the bridge draws nothing
NARROW_PX = 480
TAP_SLOP_PX = 8
TAP_MS = 700
# Maps that take taps: name -> the keyed container around its chart (st.container(key=...)).
MAPS = {"paths": ".st-key-paths_side, .st-key-paths_stacked", "quiz": ".st-key-quiz_map"}
GESTURES_KEY = "chart_gestures"  # the phone's "pan, zoom and rotate" toggle
FOLD_AFTER = '[data-testid="stSidebar"] [class*="st-key-preset_"] button'

_JS = """
export default function (component) {
  const { data, setStateValue, setTriggerValue } = component;
  const bridge = window.__optvizBridge || (window.__optvizBridge = {});
  Object.assign(bridge, { data, setStateValue, setTriggerValue });
  document.body.classList.toggle('optviz-gestures', !!data.gestures);  // PAGE_CSS shows the toolbars then
  const isNarrow = () => window.innerWidth <= bridge.data.narrow_px;
  const report = () => {
    const now = isNarrow();
    if (now !== bridge.data.narrow) {
      bridge.data = { ...bridge.data, narrow: now };
      bridge.setStateValue('narrow', now);
    }
  };
  report();
  if (bridge.installed) return;
  bridge.installed = true;
  let timer = null;
  window.addEventListener('resize', () => { clearTimeout(timer); timer = setTimeout(report, 300); });

  const mapUnder = (target) => {
    if (!target || !target.closest || target.closest('.modebar, .updatemenu-container, .slider-container')) return null;
    for (const [name, selector] of bridge.data.maps) {
      const box = target.closest(selector);
      const gd = box && box.querySelector('.js-plotly-plot');
      if (gd) return { name, gd };
    }
    return null;
  };
  // the point under (cx, cy) in the map's data coordinates, or null outside its plot area
  const toData = (gd, cx, cy) => {
    const full = gd._fullLayout;
    if (!full || !full.xaxis || !full.yaxis) return null;
    const xa = full.xaxis, ya = full.yaxis, box = gd.getBoundingClientRect();
    const px = cx - box.left - xa._offset, py = cy - box.top - ya._offset;
    if (px < 0 || py < 0 || px > xa._length || py > ya._length) return null;
    const [x0, x1] = xa.range, [y0, y1] = ya.range;
    return [x0 + (px / xa._length) * (x1 - x0), y1 - (py / ya._length) * (y1 - y0)];
  };
  let down = null;
  document.addEventListener('pointerdown', (e) => {
    const map = mapUnder(e.target);
    down = map && e.isPrimary ? { ...map, id: e.pointerId, x: e.clientX, y: e.clientY, t: e.timeStamp } : null;
  }, true);
  const follow3d = FOLLOW_3D;
  document.addEventListener('pointerdown', (e) => {
    const gd = e.target.closest && e.target.closest('.js-plotly-plot');
    if (gd) follow3d(gd);
  }, true);
  document.addEventListener('pointercancel', () => { down = null; }, true);  // the browser scrolls instead
  document.addEventListener('pointerup', (e) => {
    const d = down;
    down = null;
    if (!d || e.pointerId !== d.id || e.timeStamp - d.t > bridge.data.tap_ms
        || Math.hypot(e.clientX - d.x, e.clientY - d.y) > bridge.data.tap_slop_px) return;
    const point = toData(d.gd, e.clientX, e.clientY);
    if (point) bridge.setTriggerValue('tap', { map: d.name, x: point[0], y: point[1] });
  }, true);
  // one-finger touches on a chart go to the page (scrolling), not to Plotly, unless gestures are on
  let keptFromPlotly = false;
  const keep = (e) => {
    if (e.type === 'touchstart') {
      const t = e.target;
      keptFromPlotly = isNarrow() && !bridge.data.gestures && e.touches.length === 1 && !!t.closest
        && !!t.closest('.js-plotly-plot') && !t.closest('.slider-container, .updatemenu-container, .modebar');
    }
    if (keptFromPlotly) e.stopPropagation();
    if (e.type !== 'touchmove' && e.touches.length === 0) keptFromPlotly = false;
  };
  for (const type of ['touchstart', 'touchmove', 'touchend', 'touchcancel']) {
    document.addEventListener(type, keep, { capture: true, passive: true });
  }
  document.addEventListener('click', (e) => {
    if (!isNarrow() || !e.target.closest || !e.target.closest(bridge.data.fold_after)) return;
    setTimeout(() => {
      const fold = document.querySelector('[data-testid="stSidebarCollapseButton"] button')
        || document.querySelector('[data-testid="stSidebarCollapseButton"]');
      if (fold) fold.click();
    }, 50);
  }, true);
}
"""

_COMPONENT = st.components.v2.component("optviz_bridge", js=_JS.replace("FOLLOW_3D", FOLLOW_3D_JS))
_TAP_HANDLERS: dict[str, Callable[[float, float], None]] = {}


def on_tap(name: str):
    """Register ``handler(x, y)`` for taps on the map called ``name`` (a key of MAPS)."""

    def register(handler: Callable[[float, float], None]):
        _TAP_HANDLERS[name] = handler
        return handler

    return register


def _value(field: str):
    try:
        return st.session_state[KEY][field]
    except (KeyError, TypeError):
        return None


def _dispatch_tap() -> None:
    tap = _value("tap")
    if not isinstance(tap, dict):
        return
    x, y, handler = tap.get("x"), tap.get("y"), _TAP_HANDLERS.get(tap.get("map"))
    if handler and all(isinstance(v, (int, float)) and v == v for v in (x, y)):
        handler(float(x), float(y))


def narrow(guess: bool) -> bool:
    """Whether the viewport is a phone's: what the browser reported, else ``guess``."""
    reported = _value("narrow")
    return guess if reported is None else bool(reported)


def mount(drawn_narrow: bool) -> None:
    """Put the bridge on the page (it draws nothing).  ``drawn_narrow``: whether this run draws
    the phone layout; the browser reports back (a rerun) only when the screen disagrees."""
    with st.container(key=HOST):
        _COMPONENT(
            key=KEY,
            data={
                "narrow": drawn_narrow,
                "narrow_px": NARROW_PX,
                # pairs, not a dict: Streamlit tests each dict value for a dataframe by importing
                # pandas (~0.3 s of a cold start), and skips tuples
                "maps": tuple(MAPS.items()),
                "fold_after": FOLD_AFTER,
                "tap_slop_px": TAP_SLOP_PX,
                "tap_ms": TAP_MS,
                "gestures": bool(st.session_state.get(GESTURES_KEY, False)),
            },
            default={"narrow": None},
            on_narrow_change=lambda: None,
            on_tap_change=_dispatch_tap,
        )
