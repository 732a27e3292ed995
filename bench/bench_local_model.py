"""Latency of the local sketch model: one guess = render the ops + run the ONNX model.

Why: the AI guesses while people draw, on the same cores as the game; a guess must stay in
the low milliseconds on one thread (target: median <= 5 ms). Measures render, model and the
whole guess (``SketchModel.predict`` / ``rank``) on real drawings streamed as game ops.

    .venv/bin/python bench/bench_local_model.py [--data ../shared/quickdraw] [--n 500] [--write]

``--write`` records the result in docs/benchmarks.md. Without the Quick, Draw! folder the
synthetic test sketches in tests/fixtures/sketches are used.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


from bench.report import write_section  # noqa: E402
from game.ai.render import quickdraw_to_ops, render_ink  # noqa: E402
from game.ai.sketch import SketchModel, iter_drawings, ndjson_files  # noqa: E402


def stats(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "mean": statistics.fmean(times),
    }


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def main() -> None:
    default_data = os.environ.get("CATCHMIND_QUICKDRAW_DIR") or str(
        REPO.parent / "shared" / "quickdraw"
    )
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=default_data)
    parser.add_argument("--n", type=int, default=500, help="drawings to time")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()

    files = ndjson_files(args.data) or ndjson_files(REPO / "tests" / "fixtures" / "sketches")
    drawings = list(iter_drawings(files, "val" if Path(args.data).is_dir() else "all"))
    if not drawings:
        drawings = list(iter_drawings(files, "all"))
    random.Random(0).shuffle(drawings)
    drawings = drawings[: args.n]
    ops_list = [quickdraw_to_ops(d.strokes, chunk=8) for d in drawings]
    n_ops = statistics.median(len(o) for o in ops_list)

    t0 = time.perf_counter()
    model = SketchModel.get()
    load_ms = (time.perf_counter() - t0) * 1000.0
    candidates = {w: w for w in random.Random(1).sample(model.labels, 20)}
    for ops in ops_list[:20]:  # warm-up
        model.predict(ops)
    images = [render_ink(ops, model.input_size) for ops in ops_list]
    rows = {
        "render (ops -> 32x32 ink)": stats(
            timed(lambda o: render_ink(o, model.input_size), ops_list)
        ),
        "model (onnxruntime, 1 thread)": stats(
            timed(lambda im: model.predict_images(im[None]), images)
        ),
        "guess = predict(ops)": stats(timed(model.predict, ops_list)),
        "rank(ops, 20 candidates)": stats(timed(lambda o: model.rank(o, candidates), ops_list)),
    }
    # A busy board: 40 drawings on top of each other with an eraser pass, ~1000 ops.
    busy = []
    for i, d in enumerate(drawings[:40]):
        busy += quickdraw_to_ops(d.strokes, chunk=8, first_id=1000 * i + 1)
    busy += [
        {"op": "begin", "id": 99999, "tool": "eraser", "width": 400, "pts": [0, 5000, 9999, 5000]},
        {"op": "end", "id": 99999},
    ]
    rows[f"busy board ({len(busy)} ops, eraser)"] = stats(timed(model.predict, [busy] * 50))
    cpu = platform.processor() or platform.machine()
    lines = [
        f"{len(ops_list)} drawings (median {n_ops:.0f} ops each), model load {load_ms:.0f} ms",
        f"{'':32} {'median':>8} {'p95':>8} {'mean':>8}   (ms)",
    ]
    for name, s in rows.items():
        lines.append(f"{name:32} {s['median']:8.2f} {s['p95']:8.2f} {s['mean']:8.2f}")
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_doc(report, cpu, len(drawings))


def write_doc(report: str, cpu: str, n: int) -> None:
    section = f"""## Local sketch model (`bench/bench_local_model.py`)

One AI guess = render the turn's ops to the 32x32 ink image (`game/ai/render.py`) and run the
ONNX model (`game/ai/sketch.py`, onnxruntime with one intra-op thread; one batch of the image
and its mirror image, averaged, then the class-prior correction). Target: median <= 5 ms.

Command: `.venv/bin/python bench/bench_local_model.py --write` ({n} validation drawings of
`../shared/quickdraw`, streamed as game ops in 8-point batches).
Machine: {os.cpu_count()} CPU cores ({cpu}), Python {platform.python_version()}, no GPU,
shared with other work while measured.

```
{report}
```
"""
    write_section("## Local sketch model", section)


if __name__ == "__main__":
    main()
