"""One renderer for the game's stroke ops, used by play, training, evaluation and the gallery.

Why one module: the local sketch model only works if a live drawing looks to it exactly like
its training data. Quick, Draw! drawings are therefore first converted to game ops
(:func:`quickdraw_to_ops`) and then rendered by the very same :func:`render_ink` that the AI
player calls during a turn.

Two outputs:

* :func:`render_ink` - the model input, a small square float32 ink image. The model sees
  *ink*, not colour: every visible pen stroke is ink whatever its colour, the eraser removes
  ink, fills are ignored (a filled area carries little shape information and Quick, Draw! has
  no fills). Pen strokes are drawn with a fixed line width in model pixels (the user's pen
  width is ignored, as Quick, Draw! lines all have the same width) and the ink's bounding box
  is scaled to fit the image, so the input does not depend on where or how large one draws.
* :func:`render_image` / :func:`render_png` - a colour picture (white background, colours,
  eraser = background, flood fill) for the gallery and vision backends.

Both first call :func:`replay`, which resolves undo/redo/clear into the visible actions.
Everything here is defensive: malformed ops (unknown ids, points after end, NaN or huge
coordinates, wrong types) are skipped, never raised on.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

#: Logical board coordinates run 0..BOARD_MAX on both axes of a 4:3 board.
BOARD_MAX = 9999
BOARD_UNITS = 10000
#: Board height / board width in pixels.
ASPECT = 0.75
#: Default pen width (1/10000 of the board width) when an op carries none or a bad one.
DEFAULT_WIDTH = 40
MAX_WIDTH = 2000
#: Hard caps so that hostile or runaway input cannot make rendering slow.
MAX_POINTS_TOTAL = 200_000
#: Side of the model input in pixels (the ONNX model's metadata repeats it).
MODEL_SIZE = 32

_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass
class Stroke:
    """A visible pen or eraser stroke; ``pts`` holds (x, y) board coordinates."""

    tool: str
    color: str
    width: int
    pts: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Fill:
    """A flood fill at a board point."""

    x: int
    y: int
    color: str


@dataclass
class _Clear:
    """Marker in the undo history; never returned by :func:`replay`."""


Action = Stroke | Fill


def _num(value: Any) -> float | None:
    """A finite number or None (bools and strings are not coordinates)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    v = float(value)
    if not math.isfinite(v):
        return None
    return v


def _clamp(v: float) -> int:
    return int(min(max(round(v), 0), BOARD_MAX))


def _points(raw: Any) -> list[tuple[int, int]]:
    """Flat [x0, y0, x1, y1, ...] -> clamped pairs; pairs with a bad number are skipped."""
    if not isinstance(raw, list | tuple):
        return []
    if len(raw) >= 8 and all(type(v) is int or type(v) is float for v in raw):
        # Fast path for the usual well-formed batch (same result as the loop below).
        arr = np.asarray(raw[: len(raw) // 2 * 2], dtype=np.float64).reshape(-1, 2)
        arr = arr[np.isfinite(arr).all(axis=1)]
        arr = np.clip(np.round(arr), 0, BOARD_MAX).astype(np.int64)
        return list(zip(arr[:, 0].tolist(), arr[:, 1].tolist(), strict=True))
    out: list[tuple[int, int]] = []
    for i in range(0, len(raw) - 1, 2):
        x, y = _num(raw[i]), _num(raw[i + 1])
        if x is None or y is None:
            continue
        out.append((_clamp(x), _clamp(y)))
    return out


def _color(value: Any, default: str = "#000000") -> str:
    return value if isinstance(value, str) and _COLOR_RE.match(value) else default


def _width(value: Any) -> int:
    v = _num(value)
    if v is None or v <= 0:
        return DEFAULT_WIDTH
    return int(min(max(round(v), 1), MAX_WIDTH))


def replay(ops: Iterable[Any]) -> list[Action]:
    """Resolve a turn's op log into the actions visible at its end, oldest first.

    Undo/redo work on whole strokes, fills and clears; a new stroke, fill or clear empties the
    redo stack; a clear hides everything before it (and can itself be undone). A stroke is
    visible from its ``begin`` on (an unfinished stroke is shown); ``points`` for an unknown,
    ended or undone stroke are ignored.
    """
    history: list[Stroke | Fill | _Clear] = []
    redo: list[Stroke | Fill | _Clear] = []
    open_strokes: dict[Any, Stroke] = {}
    budget = MAX_POINTS_TOTAL

    for op in ops if ops is not None else ():
        if not isinstance(op, dict):
            continue
        kind = op.get("op")
        if kind == "begin":
            tool = op.get("tool", "pen")
            sid = op.get("id")
            if tool not in ("pen", "eraser") or not isinstance(sid, int | str):
                continue
            pts = _points(op.get("pts"))[: max(budget, 0)]
            budget -= len(pts)
            stroke = Stroke(tool=tool, color=_color(op.get("color")), width=_width(op.get("width")))
            stroke.pts.extend(pts)
            open_strokes[sid] = stroke
            history.append(stroke)
            redo.clear()
        elif kind == "points":
            stroke = open_strokes.get(op.get("id")) if _hashable(op.get("id")) else None
            if stroke is None or budget <= 0:
                continue
            pts = _points(op.get("pts"))[:budget]
            budget -= len(pts)
            stroke.pts.extend(pts)
        elif kind == "end":
            if _hashable(op.get("id")):
                open_strokes.pop(op.get("id"), None)
        elif kind == "fill":
            x, y = _num(op.get("x")), _num(op.get("y"))
            if x is None or y is None:
                continue
            history.append(Fill(_clamp(x), _clamp(y), _color(op.get("color"))))
            redo.clear()
        elif kind == "clear":
            history.append(_Clear())
            redo.clear()
        elif kind == "undo":
            if history:
                action = history.pop()
                redo.append(action)
                if isinstance(action, Stroke):
                    for key in [k for k, s in open_strokes.items() if s is action]:
                        del open_strokes[key]
        elif kind == "redo" and redo:
            history.append(redo.pop())

    start = 0
    for i, action in enumerate(history):
        if isinstance(action, _Clear):
            start = i + 1
    return [a for a in history[start:] if not isinstance(a, _Clear)]


def _hashable(value: Any) -> bool:
    return isinstance(value, int | str)


# ---------------------------------------------------------------------------------------------
# Model input
# ---------------------------------------------------------------------------------------------

_SUPERSAMPLE = 4
#: Pen line width in model pixels (before supersampling) and the free margin around the ink.
_INK_WIDTH = 1.5
_MARGIN = 2.0
#: A drawing smaller than this (board units, on its longer side) is not blown up further,
#: so a single dot stays a dot.
_MIN_EXTENT = 400.0


def _ink_bbox(strokes: Sequence[Stroke]) -> tuple[float, float, float, float] | None:
    """Bounding box (x0, y0, x1, y1) of the visible ink, in width-proportional board units.

    y is scaled by ASPECT so that one unit is the same physical length on both axes. Erased
    ink must not stretch the frame: when the eraser was used, each pen stroke's path (its
    points and samples along its segments) is tested against a coarse mask of the eraser
    strokes drawn after it, and only the uncovered part counts.
    """
    if not any(s.tool == "eraser" for s in strokes):
        xs = [p[0] for s in strokes if s.tool == "pen" for p in s.pts]
        ys = [p[1] for s in strokes if s.tool == "pen" for p in s.pts]
        if not xs:
            return None
        return min(xs), min(ys) * ASPECT, max(xs), max(ys) * ASPECT
    w, h = 400, 300
    k = w / BOARD_UNITS
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    covered: np.ndarray | None = None
    boxes = []
    for s in reversed(strokes):
        if s.tool == "eraser":
            pts = [(x * k, y * k * ASPECT) for x, y in s.pts]
            _line(draw, pts, max(s.width * k, 1.0), 255)
            covered = None
            continue
        if covered is None:
            covered = np.asarray(mask)
        if not s.pts:
            continue
        pts = np.asarray(s.pts, dtype=np.float64)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        x0, y0 = int(lo[0] * k), int(lo[1] * k * ASPECT)
        x1, y1 = int(hi[0] * k), int(hi[1] * k * ASPECT)
        if not covered[y0 : y1 + 1, x0 : x1 + 1].any():  # untouched by later erasers
            boxes.append((lo[0], lo[1] * ASPECT, hi[0], hi[1] * ASPECT))
            continue
        path = _densify(pts, step=1.0 / k)
        px = np.clip((path[:, 0] * k).astype(np.int64), 0, w - 1)
        py = np.clip((path[:, 1] * k * ASPECT).astype(np.int64), 0, h - 1)
        visible = path[covered[py, px] == 0]
        if len(visible):
            lo, hi = visible.min(axis=0), visible.max(axis=0)
            boxes.append((lo[0], lo[1] * ASPECT, hi[0], hi[1] * ASPECT))
    if not boxes:
        return None
    b = np.asarray(boxes)
    return b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()


def _densify(pts: np.ndarray, step: float) -> np.ndarray:
    """The polyline's vertices plus samples every ``step`` units along each segment."""
    if len(pts) < 2:
        return pts
    seg = np.diff(pts, axis=0)
    n = np.maximum(np.ceil(np.hypot(seg[:, 0], seg[:, 1]) / step).astype(np.int64), 1)
    reps = np.repeat(n, n)
    t = (np.arange(len(reps)) - np.repeat(np.cumsum(n) - n, n)) / reps
    base = np.repeat(pts[:-1], n, axis=0)
    return np.vstack([base + np.repeat(seg, n, axis=0) * t[:, None], pts[-1:]])


def _line(draw: ImageDraw.ImageDraw, pts: Sequence[tuple[float, float]], width: float, fill):
    """A polyline with round joints and caps (PIL draws square ends otherwise)."""
    if not pts:
        return
    r = width / 2.0
    if len(pts) > 1:
        draw.line(list(pts), fill=fill, width=max(int(round(width)), 1), joint="curve")
    for x, y in (pts[0], pts[-1]) if len(pts) > 1 else (pts[0],):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)


def render_ink(ops: Iterable[Any], size: int = MODEL_SIZE) -> np.ndarray:
    """The model input: a (size, size) float32 array in [0, 1], 1 = ink, 0 = empty.

    Visible pen strokes (any colour) are ink with a fixed width; eraser strokes remove ink
    (their board width, scaled, plus the ink width so a stroke erased along its centre line
    is fully gone); fills are ignored. The ink's bounding box is centred and scaled to fit,
    keeping its aspect ratio. A drawing without ink gives an all-zero image.
    """
    return render_actions_ink(replay(ops), size)


def render_actions_ink(actions: Sequence[Action], size: int = MODEL_SIZE) -> np.ndarray:
    """:func:`render_ink` for already replayed actions."""
    strokes = [a for a in actions if isinstance(a, Stroke) and a.pts]
    bbox = _ink_bbox(strokes)
    if bbox is None:
        return np.zeros((size, size), dtype=np.float32)
    x0, y0, x1, y1 = bbox
    extent = max(x1 - x0, y1 - y0, _MIN_EXTENT)
    ss = _SUPERSAMPLE
    big = size * ss
    scale = (size - 2 * _MARGIN) * ss / extent
    ox = big / 2 - (x0 + x1) / 2 * scale
    oy = big / 2 - (y0 + y1) / 2 * scale
    ink_w = _INK_WIDTH * ss
    img = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(img)
    for s in strokes:
        pts = [(x * scale + ox, y * ASPECT * scale + oy) for x, y in s.pts]
        if s.tool == "pen":
            _line(draw, pts, ink_w, 255)
        else:
            _line(draw, pts, s.width * scale + ink_w, 0)
    small = img.reduce(ss)
    return np.asarray(small, dtype=np.float32) / 255.0


# ---------------------------------------------------------------------------------------------
# Colour picture
# ---------------------------------------------------------------------------------------------


def render_image(ops: Iterable[Any], width: int = 800) -> Image.Image:
    """The drawing as people saw it: RGB, white background, height = width * 3/4.

    The eraser paints background; fills flood the connected region of the clicked colour.
    """
    width = int(min(max(int(width), 8), 4096))
    height = max(int(round(width * ASPECT)), 1)
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    kx, ky = width / BOARD_UNITS, height / BOARD_UNITS
    for action in replay(ops):
        if isinstance(action, Stroke):
            if not action.pts:
                continue
            color = _rgb(action.color) if action.tool == "pen" else (255, 255, 255)
            pts = [(x * kx, y * ky) for x, y in action.pts]
            _line(draw, pts, max(action.width * kx, 1.0), color)
        else:
            xy = (min(int(action.x * kx), width - 1), min(int(action.y * ky), height - 1))
            ImageDraw.floodfill(img, xy, _rgb(action.color), thresh=40)
    return img


def render_png(ops: Iterable[Any], width: int = 800) -> bytes:
    """:func:`render_image` encoded as PNG bytes."""
    buf = io.BytesIO()
    render_image(ops, width).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


# ---------------------------------------------------------------------------------------------
# Quick, Draw! -> game ops
# ---------------------------------------------------------------------------------------------


def quickdraw_to_ops(
    drawing: Sequence[Sequence[Sequence[float]]],
    *,
    size: float = 0.6,
    center: tuple[float, float] = (0.5, 0.5),
    color: str = "#000000",
    width: int = DEFAULT_WIDTH,
    chunk: int = 0,
    first_id: int = 1,
) -> list[dict[str, Any]]:
    """Convert a Quick, Draw! drawing (strokes of [[xs], [ys]], 0..255) into game ops.

    The drawing is centred on the 4:3 board at ``center`` (fractions of the board) and scaled
    so its larger side spans ``size`` of the board height, the way a player would draw it.
    With ``chunk`` > 0 every stroke is streamed as a ``begin`` with its first point and
    ``points`` ops of ``chunk`` points each, like the browser sends it; otherwise one
    ``begin`` carries all points. Coordinates may be floats (augmented drawings).
    """
    strokes = []
    for stroke in drawing:
        if len(stroke) < 2:
            continue
        pairs = [
            (float(x), float(y))
            for x, y in zip(stroke[0], stroke[1], strict=False)
            if math.isfinite(float(x)) and math.isfinite(float(y))
        ]
        if pairs:
            strokes.append(pairs)
    if not strokes:
        return []
    xs = [p[0] for s in strokes for p in s]
    ys = [p[1] for s in strokes for p in s]
    bx, by = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    extent = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    # Work in units of the board width (height = ASPECT), then map y back to 0..9999.
    k = size * ASPECT / extent
    cx, cy = center[0], center[1] * ASPECT
    ops: list[dict[str, Any]] = []
    for i, pairs in enumerate(strokes):
        flat: list[int] = []
        for x, y in pairs:
            flat.append(_clamp(((x - bx) * k + cx) * BOARD_UNITS))
            flat.append(_clamp(((y - by) * k + cy) / ASPECT * BOARD_UNITS))
        sid = first_id + i
        head = flat if chunk <= 0 else flat[:2]
        ops.append(
            {"op": "begin", "id": sid, "tool": "pen", "color": color, "width": width, "pts": head}
        )
        if chunk > 0:
            for j in range(2, len(flat), 2 * chunk):
                ops.append({"op": "points", "id": sid, "pts": flat[j : j + 2 * chunk]})
        ops.append({"op": "end", "id": sid})
    return ops
