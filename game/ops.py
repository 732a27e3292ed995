"""Validation of stroke ops (the fixed format in docs/protocol.md §3).

The drawer's batches are relayed verbatim to every player and stored for the gallery and the
AI, so nothing but the exact documented shape gets through: integers in range (no floats, no
booleans), known ops, bounded sizes. A bad batch is refused as a whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COORD_MAX = 9999
WIDTH_MIN, WIDTH_MAX = 1, 1000
ID_MAX = 2**31 - 1
MAX_OPS_PER_BATCH = 200
MAX_NUMBERS_PER_BATCH = 2000
#: Points (coordinate pairs) one turn may hold; keeps rendering and storage bounded.
MAX_POINTS_PER_TURN = 200_000
TOOLS = frozenset({"pen", "eraser"})
#: Ops after which the drawer's buffer is persisted: a finished stroke or a whole action.
FLUSHING_OPS = frozenset({"end", "fill", "clear", "undo", "redo"})

_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


class OpError(ValueError):
    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class Batch:
    ops: list[dict]
    points: int
    flushes: bool


def _int(value: object, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def _points(value: object) -> int:
    if not isinstance(value, list) or len(value) < 2 or len(value) % 2:
        raise OpError("pts must be a list of an even number (≥ 2) of integers")
    for number in value:
        if not _int(number, 0, COORD_MAX):
            raise OpError(f"coordinates are integers 0..{COORD_MAX}")
    return len(value)


def _color(value: object) -> str:
    if not isinstance(value, str) or not _COLOR.fullmatch(value):
        raise OpError("color must be #rrggbb")
    return value.lower()


def _op(raw: object) -> tuple[dict, int]:
    """One validated op, rebuilt from known keys only, and its count of coordinate numbers."""
    if not isinstance(raw, dict):
        raise OpError("an op is an object")
    kind = raw.get("op")
    if kind == "begin":
        if not _int(raw.get("id"), 0, ID_MAX):
            raise OpError("id must be an integer 0..2^31-1")
        if raw.get("tool") not in TOOLS:
            raise OpError("tool must be pen or eraser")
        if not _int(raw.get("width"), WIDTH_MIN, WIDTH_MAX):
            raise OpError(f"width must be an integer {WIDTH_MIN}..{WIDTH_MAX}")
        numbers = _points(raw.get("pts"))
        op = {
            "op": "begin",
            "id": raw["id"],
            "tool": raw["tool"],
            "color": _color(raw.get("color")),
            "width": raw["width"],
            "pts": raw["pts"],
        }
        return op, numbers
    if kind == "points":
        if not _int(raw.get("id"), 0, ID_MAX):
            raise OpError("id must be an integer 0..2^31-1")
        numbers = _points(raw.get("pts"))
        return {"op": "points", "id": raw["id"], "pts": raw["pts"]}, numbers
    if kind == "end":
        if not _int(raw.get("id"), 0, ID_MAX):
            raise OpError("id must be an integer 0..2^31-1")
        return {"op": "end", "id": raw["id"]}, 0
    if kind == "fill":
        if not (_int(raw.get("x"), 0, COORD_MAX) and _int(raw.get("y"), 0, COORD_MAX)):
            raise OpError(f"x and y are integers 0..{COORD_MAX}")
        return {"op": "fill", "x": raw["x"], "y": raw["y"], "color": _color(raw.get("color"))}, 0
    if kind in {"clear", "undo", "redo"}:
        return {"op": kind}, 0
    raise OpError("unknown op")


def validate_batch(ops: object) -> Batch:
    """Validate a client batch; raises :class:`OpError` (with the index of the bad op)."""
    if not isinstance(ops, list) or not ops:
        raise OpError("ops must be a non-empty list")
    if len(ops) > MAX_OPS_PER_BATCH:
        raise OpError(f"at most {MAX_OPS_PER_BATCH} ops per batch")
    clean: list[dict] = []
    numbers = 0
    for index, raw in enumerate(ops):
        try:
            op, count = _op(raw)
        except OpError as exc:
            raise OpError(str(exc), index) from None
        numbers += count
        if numbers > MAX_NUMBERS_PER_BATCH:
            raise OpError(f"at most {MAX_NUMBERS_PER_BATCH} coordinates per batch", index)
        clean.append(op)
    return Batch(
        ops=clean,
        points=numbers // 2,
        flushes=any(op["op"] in FLUSHING_OPS for op in clean),
    )
