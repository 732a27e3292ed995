"""static/js/board.js draws what game/ai/render.py draws: one op log, one picture.

The gallery, the AI and every player's screen must agree on what a drawing looks like, so the
browser's replay (undo/redo/clear, eraser, flood fill) is checked against the server's renderer
on the same ops, at points where anti-aliasing cannot matter.
"""

from __future__ import annotations

import pytest

from game.ai.render import render_image

pytestmark = pytest.mark.browser

WIDTH = 400
BOX = [2000, 2000, 8000, 2000, 8000, 8000, 2000, 8000, 2000, 2000]
OPS = [
    # A closed black box, filled red inside; a blue line that is undone, then redone.
    {"op": "begin", "id": 1, "tool": "pen", "color": "#000000", "width": 90, "pts": BOX[:4]},
    {"op": "points", "id": 1, "pts": BOX[4:]},
    {"op": "end", "id": 1},
    {"op": "fill", "x": 5000, "y": 5000, "color": "#e53935"},
    {"op": "begin", "id": 2, "tool": "pen", "color": "#1e88e5", "width": 180, "pts": [500, 500]},
    {"op": "points", "id": 2, "pts": [1500, 500]},
    {"op": "end", "id": 2},
    {"op": "undo"},
    {"op": "redo"},
    # A green stroke cleared away, the clear undone, then a second clear that stays undone.
    {"op": "begin", "id": 3, "tool": "pen", "color": "#2e7d32", "width": 180, "pts": [500, 9000]},
    {"op": "points", "id": 3, "pts": [9500, 9000]},
    {"op": "end", "id": 3},
    {"op": "clear"},
    {"op": "undo"},
    # The eraser cuts the box's bottom-right corner region back to white.
    {
        "op": "begin",
        "id": 4,
        "tool": "eraser",
        "color": "#000000",
        "width": 400,
        "pts": [7000, 7000],
    },
    {"op": "points", "id": 4, "pts": [7600, 7600]},
    {"op": "end", "id": 4},
    # A fill outside the box floods the whole background yellow.
    {"op": "fill", "x": 9900, "y": 100, "color": "#fdd835"},
    # Points for an unknown stroke and after an end are ignored by both.
    {"op": "points", "id": 99, "pts": [0, 0, 9999, 9999]},
    {"op": "points", "id": 1, "pts": [0, 9999]},
]
#: Board points (x, y) well inside one colour region each.
SAMPLES = {
    "inside the box": (5000, 4000),
    "outside the box": (9500, 1500),
    "the box's edge": (2000, 5000),
    "the redone blue line": (1000, 500),
    "the green stroke": (5000, 9000),
    "the erased corner": (7300, 7300),
}


def _pixel(image, x: int, y: int) -> tuple[int, int, int]:
    w, h = image.size
    return image.getpixel((min(x * w // 10000, w - 1), min(y * h // 10000, h - 1)))


def test_the_browser_replays_ops_like_the_server_renderer(pages):
    page = pages.new()
    page.goto("/")
    browser_pixels = page.evaluate(
        """async ([ops, width, samples]) => {
          const board = await import('/static/js/board.js');
          const canvas = board.renderOps(ops, width);
          const ctx = canvas.getContext('2d');
          const out = {};
          for (const [name, [x, y]] of Object.entries(samples)) {
            const px = Math.min(Math.floor(x * canvas.width / 10000), canvas.width - 1);
            const py = Math.min(Math.floor(y * canvas.height / 10000), canvas.height - 1);
            out[name] = Array.from(ctx.getImageData(px, py, 1, 1).data.slice(0, 3));
          }
          return out;
        }""",
        [OPS, WIDTH, SAMPLES],
    )
    server = render_image(OPS, WIDTH)
    for name, (x, y) in SAMPLES.items():
        expected = _pixel(server, x, y)
        got = tuple(browser_pixels[name])
        assert sum(abs(a - b) for a, b in zip(got, expected, strict=True)) <= 30, (
            name,
            got,
            expected,
        )
    # And the picture is what the ops say, not merely the same on both sides.
    assert _pixel(server, *SAMPLES["inside the box"]) == (0xE5, 0x39, 0x35)
    assert _pixel(server, *SAMPLES["outside the box"]) == (0xFD, 0xD8, 0x35)
    assert _pixel(server, *SAMPLES["the erased corner"]) == (255, 255, 255)
    assert _pixel(server, *SAMPLES["the green stroke"]) == (0x2E, 0x7D, 0x32)


def test_batches_stay_within_the_servers_limits(pages):
    page = pages.new()
    page.goto("/")
    sizes = page.evaluate(
        """async () => {
          const { toBatches } = await import('/static/js/draw-input.js');
          const long = Array.from({length: 5000}, (_, i) => i % 9999);
          const ops = [{op: 'begin', id: 1, tool: 'pen', color: '#000000', width: 40, pts: long},
                       ...Array.from({length: 300}, () => ({op: 'undo'})),
                       {op: 'end', id: 1}];
          const batches = toBatches(ops);
          const flat = batches.flat();
          const pts = flat.filter((op) => op.id === 1 && op.pts).flatMap((op) => op.pts);
          return {
            ops: batches.map((b) => b.length),
            numbers: batches.map((b) => b.reduce((n, op) => n + (op.pts?.length ?? 0), 0)),
            kinds: flat.slice(0, 3).map((op) => op.op),
            same: pts.length === long.length && pts.every((v, i) => v === long[i]),
            total: flat.length,
          };
        }"""
    )
    assert max(sizes["ops"]) <= 200
    assert max(sizes["numbers"]) <= 2000
    assert sizes["kinds"] == ["begin", "points", "points"]
    assert sizes["same"]
    assert sizes["total"] == 3 + 300 + 1  # the long begin became begin + 2 points
