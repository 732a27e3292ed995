"""The shared renderer: replay semantics, the ink model input and the colour picture."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image

from game.ai.render import (
    BOARD_MAX,
    Fill,
    Stroke,
    quickdraw_to_ops,
    render_image,
    render_ink,
    render_png,
    replay,
)


def stroke(sid, pts, tool="pen", color="#000000", width=40):
    return [
        {"op": "begin", "id": sid, "tool": tool, "color": color, "width": width, "pts": pts},
        {"op": "end", "id": sid},
    ]


# A small house: square body and a roof, drawn as three strokes.
HOUSE = (
    stroke(1, [3000, 4000, 7000, 4000, 7000, 8000, 3000, 8000, 3000, 4000])
    + stroke(2, [3000, 4000, 5000, 1500, 7000, 4000])
    + stroke(3, [4500, 8000, 4500, 6000, 5500, 6000, 5500, 8000])
)


def test_same_ops_same_images():
    assert np.array_equal(render_ink(HOUSE), render_ink([dict(op) for op in HOUSE]))
    assert render_png(HOUSE, 200) == render_png(list(HOUSE), 200)


def test_ink_shape_range_and_content():
    img = render_ink(HOUSE, 32)
    assert img.shape == (32, 32) and img.dtype == np.float32
    assert img.min() >= 0.0 and img.max() <= 1.0
    assert img.max() > 0.9
    # The ink is centred and fills the frame (bounding box normalisation).
    rows, cols = np.nonzero(img > 0.2)
    assert rows.min() <= 3 and rows.max() >= 28
    assert abs((cols.min() + cols.max()) / 2 - 15.5) <= 2


def test_position_and_size_on_board_do_not_matter():
    small = quickdraw_to_ops(
        [[[0, 100, 100, 0, 0], [0, 0, 60, 60, 0]]], size=0.3, center=(0.3, 0.3)
    )
    large = quickdraw_to_ops(
        [[[0, 100, 100, 0, 0], [0, 0, 60, 60, 0]]], size=0.8, center=(0.6, 0.5)
    )
    a, b = render_ink(small), render_ink(large)
    assert np.abs(a - b).mean() < 0.02


def test_empty_canvas():
    for ops in ([], None, [{"op": "clear"}], stroke(1, [])):
        assert not render_ink(ops).any()
        img = render_image(ops, 80)
        assert img.size == (80, 60)
        assert img.getextrema() == ((255, 255), (255, 255), (255, 255))


def test_colour_and_fill_do_not_change_model_input():
    red = [dict(op, color="#ff0000") if op["op"] == "begin" else op for op in HOUSE]
    filled = HOUSE + [{"op": "fill", "x": 5000, "y": 6000, "color": "#00ff00"}]
    thick = [dict(op, width=180) if op["op"] == "begin" else op for op in HOUSE]
    base = render_ink(HOUSE)
    assert np.array_equal(base, render_ink(red))
    assert np.array_equal(base, render_ink(filled))
    assert np.array_equal(base, render_ink(thick))
    # ... but they do change the colour picture.
    assert render_png(red, 200) != render_png(HOUSE, 200)
    assert render_png(filled, 200) != render_png(HOUSE, 200)


def test_undo_redo_clear():
    a = stroke(1, [1000, 1000, 2000, 2000])
    b = stroke(2, [5000, 5000, 6000, 6000])
    assert [s.pts[0] for s in replay(a + b)] == [(1000, 1000), (5000, 5000)]
    assert [s.pts[0] for s in replay(a + b + [{"op": "undo"}])] == [(1000, 1000)]
    assert len(replay(a + b + [{"op": "undo"}, {"op": "redo"}])) == 2
    assert replay(a + b + [{"op": "clear"}]) == []
    assert len(replay(a + b + [{"op": "clear"}, {"op": "undo"}])) == 2
    # A new stroke empties the redo stack.
    c = stroke(3, [9000, 9000, 9500, 9500])
    actions = replay(a + b + [{"op": "undo"}] + c + [{"op": "redo"}])
    assert [s.pts[0] for s in actions] == [(1000, 1000), (9000, 9000)]
    # Undo past the beginning and redo with nothing to redo are harmless.
    assert replay([{"op": "undo"}, {"op": "redo"}] * 3) == []
    # Fills are undoable actions too.
    fill = {"op": "fill", "x": 10, "y": 10, "color": "#123456"}
    assert isinstance(replay(a + [fill])[-1], Fill)
    assert all(isinstance(x, Stroke) for x in replay(a + [fill, {"op": "undo"}]))
    # The model input follows: undoing the last stroke gives the first stroke's image.
    assert np.array_equal(render_ink(a + b + [{"op": "undo"}]), render_ink(a))


def test_streamed_points_and_unfinished_strokes():
    drawing = [[[0, 50, 100, 150], [0, 80, 20, 90]], [[10, 200], [200, 10]]]
    whole = quickdraw_to_ops(drawing)
    streamed = quickdraw_to_ops(drawing, chunk=1)
    assert len(streamed) > len(whole)
    assert replay(whole) == replay(streamed)
    # A stroke still being drawn (no "end" yet) is already visible.
    unfinished = [op for op in streamed if not (op["op"] == "end" and op["id"] == 2)]
    assert np.array_equal(render_ink(unfinished), render_ink(whole))


def test_eraser_removes_ink():
    line = stroke(1, [2000, 5000, 8000, 5000], width=40)
    other = stroke(2, [5000, 1000, 5000, 2000], width=40)
    erase_all = stroke(9, [1500, 5000, 8500, 5000], tool="eraser", width=200)
    assert not render_ink(line + erase_all).any()
    # Erasing one stroke leaves exactly the other one's ink.
    assert np.array_equal(render_ink(line + other + erase_all), render_ink(other))
    # Half erased: looks like the other half alone (the frame shrinks to the remaining ink).
    erase_half = stroke(9, [1500, 5000, 5000, 5000], tool="eraser", width=200)
    half = render_ink(line + other + erase_half)
    rest = render_ink(other + stroke(1, [5100, 5000, 8000, 5000]))
    assert np.abs(half - rest).mean() < 0.02
    assert np.abs(half - render_ink(line + other)).mean() > 0.05
    # Ink drawn after the eraser stays.
    assert render_ink(erase_all + line).any()
    # Colour picture: the eraser paints background.
    img = render_image(line + erase_all, 400)
    assert img.getpixel((200, 150)) == (255, 255, 255)
    assert render_image(line, 400).getpixel((200, 150)) == (0, 0, 0)


def test_colour_image_size_colours_and_flood_fill():
    box = stroke(1, [2000, 2000, 8000, 2000, 8000, 8000, 2000, 8000, 2000, 2000], color="#0000ff")
    ops = box + [{"op": "fill", "x": 5000, "y": 5000, "color": "#ff0000"}]
    img = render_image(ops, 400)
    assert img.mode == "RGB" and img.size == (400, 300)
    assert img.getpixel((200, 150)) == (255, 0, 0)  # inside the box: filled
    assert img.getpixel((10, 10)) == (255, 255, 255)  # outside: background
    assert img.getpixel((80, 60)) == (0, 0, 255)  # the box's corner: its colour
    png = render_png(ops, 200)
    decoded = Image.open(io.BytesIO(png))
    assert decoded.format == "PNG" and decoded.size == (200, 150)


def test_coordinates_are_clamped():
    ops = stroke(1, [-5000, -5000, 10**12, 10**12, 5000.7, 3000.2])
    (s,) = replay(ops)
    assert s.pts == [(0, 0), (BOARD_MAX, BOARD_MAX), (5001, 3000)]
    img = render_image(ops, 100)
    assert img.size == (100, 75)
    assert render_ink(ops).any()


@pytest.mark.parametrize(
    "garbage",
    [
        [None, 1, "x", [], {"op": "nope"}, {}],
        [{"op": "points", "id": 99, "pts": [1, 2, 3, 4]}, {"op": "end", "id": 99}],
        [{"op": "begin", "id": 1, "pts": [math.nan, 5, math.inf, 7, "a", 3, True, 2]}],
        [{"op": "begin", "id": 1, "tool": "laser", "pts": [1, 2, 3, 4]}],
        [{"op": "begin", "id": [1], "pts": [1, 2]}, {"op": "points", "id": {}, "pts": [1]}],
        [{"op": "begin", "id": 1, "width": "huge", "color": "red", "pts": "1,2,3"}],
        [{"op": "fill", "x": "a", "y": None}, {"op": "fill", "x": math.nan, "y": 1}],
        [{"op": "begin", "id": 1, "width": 1e300, "pts": [1, 2, 3, 4]}],
    ],
)
def test_garbage_is_skipped(garbage):
    render_ink(garbage)
    render_image(garbage, 64)
    replay(garbage)


def test_points_after_end_and_after_undo_are_ignored():
    ops = stroke(1, [1000, 1000, 2000, 2000]) + [{"op": "points", "id": 1, "pts": [9000, 9000]}]
    assert replay(ops)[0].pts == [(1000, 1000), (2000, 2000)]
    live = [{"op": "begin", "id": 2, "tool": "pen", "pts": [10, 10]}, {"op": "undo"}]
    live.append({"op": "points", "id": 2, "pts": [50, 50]})
    assert replay(live) == []
    assert replay(live + [{"op": "redo"}])[0].pts == [(10, 10)]


def test_thousands_of_ops():
    ops = []
    for i in range(3000):
        ops += stroke(i, [(i * 37) % 10000, (i * 91) % 10000, (i * 53) % 10000, 5000])
        if i % 7 == 0:
            ops.append({"op": "undo"})
    assert render_ink(ops).any()
    assert render_image(ops, 200).size == (200, 150)


def test_quickdraw_to_ops_centres_on_the_board_keeping_aspect():
    # A 255 x 51 wide rectangle, aligned top-left as Quick, Draw! stores it.
    ops = quickdraw_to_ops([[[0, 255, 255, 0, 0], [0, 0, 51, 51, 0]]], size=0.6)
    assert [op["op"] for op in ops] == ["begin", "end"]
    xs, ys = ops[0]["pts"][0::2], ops[0]["pts"][1::2]
    assert abs((min(xs) + max(xs)) / 2 - 5000) <= 2 and abs((min(ys) + max(ys)) / 2 - 5000) <= 2
    # Physical aspect on the 4:3 board: width / height in pixels stays 5:1.
    w_px = (max(xs) - min(xs)) * 4
    h_px = (max(ys) - min(ys)) * 3
    assert abs(w_px / h_px - 5.0) < 0.05
    # The larger side spans `size` of the board height.
    assert abs(w_px / (3 * 10000) - 0.6) < 0.01
    assert quickdraw_to_ops([]) == []


def test_fast_and_careful_point_parsing_agree():
    pts = [0.4, 10.5, 11.5, -3, math.nan, 7, 9e99, 42, 1234.5678, 9999.6, 5, math.inf, 77, 78, 3]
    fast = replay(stroke(1, pts))[0].pts  # all numbers: vectorised path
    careful = replay(stroke(1, pts[:-1] + [None, 5]))[0].pts  # a None forces the loop
    assert fast == careful == [(0, 10), (12, 0), (9999, 42), (1235, 9999), (77, 78)]
