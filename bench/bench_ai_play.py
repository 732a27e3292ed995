"""How the local AI player plays: held-out drawings replayed stroke by stroke through its code.

Why: docs/ai.md tells players and operators how often the AI seat says the right word per
difficulty, how early and how many wrong words it says on the way. Those figures move with
every new model and every change of the difficulty table, so they must come from a committed
command that runs the live decision code, not from a throwaway script.

What it does. Every validation-split ("val") drawing of the shared Quick, Draw! folder is
drawn again stroke by stroke - the game persists the drawer's ops and pokes the AI at stroke
ends - as game ops (``quickdraw_to_ops`` of the first k strokes). A look is exactly a live
local look: ``LocalGuesser.guess`` (``SketchModel.rank`` in the AI thread pool) with the
room's candidates = every word of the built-in Korean pack mapped to its Quick, Draw!
category, as ``hooks.candidates`` builds them for a room playing that pack. What the AI says
is ``player.choose_words`` under the difficulty's ``player.profile`` (confidence, at most
``max_guesses`` words), judged by the game's own ``match_guess`` (synonyms count); it stops
once right. Two schedules of looks:

* after every stroke: no reaction delay, no minimum interval (the most the AI can see);
* paced: one stroke ends every ``--stroke-seconds`` (the simplified data keeps no timing, so
  the pace is an assumption), the first look once the difficulty's reaction delay has passed,
  later ones only when the canvas grew and at least ``player.min_interval("local")`` apart -
  the waits ``player.plan`` makes, which needs a database and cannot run here.

Reported per difficulty, for well-covered categories (300+ training drawings in the model's
labels.json) and sparse ones: the share of drawings where the AI says the right word, the
median share of the strokes drawn when it does, and the wrong words it says per drawing.
Also the wall time of one local look through ``LocalGuesser.guess`` (thread hop included).

    .venv/bin/python bench/bench_ai_play.py [--data ../shared/quickdraw] [--n N] [--write]
        [--stroke-seconds 1.0] [--latency-n 200] [--model DIR]

``--write`` records the result in its section of docs/benchmarks.md. Without the Quick, Draw!
folder it stops with exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catchmind.settings")

import django  # noqa: E402
from django.apps import apps  # noqa: E402

if not apps.ready:  # game.ai.player imports the AI's models
    django.setup()

from bench.report import write_section  # noqa: E402
from game.ai import player  # noqa: E402
from game.ai.guessers import LOCAL, TOP_K, GuessResult, LocalGuesser  # noqa: E402
from game.ai.render import quickdraw_to_ops  # noqa: E402
from game.ai.sketch import (  # noqa: E402
    WELL_COVERED_MIN,
    Drawing,
    SketchModel,
    iter_drawings,
    ndjson_files,
    normalise_label,
)
from game.matching import Verdict, match_guess  # noqa: E402
from game.wordpacks import load_builtin_pack, pack_vocabulary  # noqa: E402

LANGUAGE = "ko"
DIFFICULTIES: tuple[str, ...] = tuple(player.PROFILES)  # easy, normal, hard
BUCKETS = ("well_covered", "sparse")
EVERY_STROKE = "every stroke"
PACED = "paced"
#: Points per ``points`` op, as the browser streams a stroke.
CHUNK = 8
SECTION = "## AI player in play"


# ---------------------------------------------------------------------------------------------
# The room's words
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Room:
    """A room playing the built-in pack: the AI's candidates and the game's judge."""

    candidates: dict[str, str | None]  # {word: category}, as hooks.candidates builds them
    entries: dict[str, dict[str, Any]]  # normalised category -> pack entry (the answer)
    vocabulary: frozenset[str]

    @classmethod
    def builtin(cls, lang: str = LANGUAGE) -> Room:
        pack = load_builtin_pack(lang)
        words = pack["words"]
        return cls(
            candidates={e["word"]: (e["category"] or None) for e in words},
            entries={normalise_label(e["category"]): e for e in words},
            vocabulary=pack_vocabulary(pack),
        )

    def answer(self, category: str) -> dict[str, Any] | None:
        return self.entries.get(normalise_label(category))

    def is_right(self, said: str, answer: Mapping[str, Any]) -> bool:
        """What the game's chat would say to this guess (a synonym counts, as for people)."""
        verdict = match_guess(said, answer["word"], answer["synonyms"], LANGUAGE, self.vocabulary)
        return verdict == Verdict.CORRECT


# ---------------------------------------------------------------------------------------------
# When the AI looks
# ---------------------------------------------------------------------------------------------


def every_stroke(n_strokes: int, difficulty: str) -> list[int]:
    """Strokes on the canvas at each look when the AI looks after every stroke."""
    return list(range(1, n_strokes + 1))


def paced(n_strokes: int, difficulty: str, stroke_seconds: float) -> list[int]:
    """Strokes on the canvas at each look when stroke i ends at i * ``stroke_seconds``.

    The waits of ``player.plan``: nothing before the difficulty's reaction delay, a look only
    when the canvas grew since the last one, and looks at least ``min_interval`` apart (the
    model's milliseconds per look are ignored).
    """
    ends = [i * stroke_seconds for i in range(1, n_strokes + 1)]
    interval = player.min_interval(LOCAL)
    next_at = player.profile(difficulty).reaction
    seen, looks = 0, []
    while seen < n_strokes:
        at = max(next_at, ends[seen])  # poked at the next stroke end, waits for next_at
        seen = bisect.bisect_right(ends, at)
        looks.append(seen)
        next_at = at + interval
    return looks


# ---------------------------------------------------------------------------------------------
# One drawing
# ---------------------------------------------------------------------------------------------


class Canvas:
    """One drawing in progress; the AI's look after k strokes is computed once and shared by
    every difficulty and schedule (the model is deterministic)."""

    def __init__(self, drawing: Drawing, guesser: LocalGuesser, candidates: Mapping[str, Any]):
        self.strokes = drawing.strokes
        self.guesser = guesser
        self.candidates = candidates
        self._looks: dict[int, GuessResult] = {}

    @property
    def n_strokes(self) -> int:
        return len(self.strokes)

    @property
    def looks_computed(self) -> int:
        return len(self._looks)

    async def look(self, k: int) -> GuessResult:
        if k not in self._looks:
            ops = quickdraw_to_ops(self.strokes[:k], chunk=CHUNK)
            self._looks[k] = await self.guesser.guess(ops, self.candidates, TOP_K)
        return self._looks[k]


@dataclass(frozen=True)
class Play:
    """How the AI did on one drawing."""

    right: bool
    strokes_share: float | None  # share of the strokes drawn when it said the right word
    wrong: int  # wrong words it said


async def play(
    canvas: Canvas, looks: Sequence[int], difficulty: str, room: Room, answer: Mapping[str, Any]
) -> Play:
    """The AI seat of ``difficulty`` watching the drawing: what it says at each look."""
    prof = player.profile(difficulty)
    said: list[str] = []
    for k in looks:
        if len(said) >= prof.max_guesses:
            break
        result = await canvas.look(k)
        word = player.choose_words(result, said, difficulty)
        if word is None:
            continue
        said.append(word)
        if room.is_right(word, answer):
            return Play(True, k / canvas.n_strokes, len(said) - 1)
    return Play(False, None, len(said))


# ---------------------------------------------------------------------------------------------
# The whole benchmark
# ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One difficulty on one bucket of drawings."""

    n: int
    right: float  # share of drawings where the AI said the right word
    strokes_median: float | None  # median share of strokes drawn when it did
    wrong_per_drawing: float


@dataclass
class Report:
    n: dict[str, int]  # drawings per bucket
    candidates: int
    stroke_seconds: float
    interval: float
    #: ``{schedule: {difficulty: {bucket: Row}}}``
    rows: dict[str, dict[str, dict[str, Row]]]
    latency: dict[str, float]  # median, p95 (ms), n
    looks: int  # distinct looks computed
    load_ms: float
    seconds: float
    skipped: list[str] = field(default_factory=list)


def summarise(plays: list[Play]) -> Row:
    hits = [p.strokes_share for p in plays if p.right and p.strokes_share is not None]
    n = len(plays)
    return Row(
        n=n,
        right=len(hits) / n if n else float("nan"),
        strokes_median=statistics.median(hits) if hits else None,
        wrong_per_drawing=sum(p.wrong for p in plays) / n if n else float("nan"),
    )


def load_drawings(data: Path | str, n: int | None) -> list[Drawing]:
    """The validation drawings in a fixed random order, the first ``n`` of them."""
    drawings = list(iter_drawings(ndjson_files(data), "val"))
    random.Random(0).shuffle(drawings)
    return drawings if n is None else drawings[:n]


async def time_looks(
    guesser: LocalGuesser, drawings: Sequence[Drawing], candidates: Mapping[str, Any]
) -> dict[str, float]:
    """Wall time of one local look on the whole drawing, as the driver awaits it (ms)."""
    ops_list = [quickdraw_to_ops(d.strokes, chunk=CHUNK) for d in drawings]
    for ops in ops_list[:10]:  # warm-up
        await guesser.guess(ops, candidates, TOP_K)
    times = []
    for ops in ops_list:
        t0 = time.perf_counter()
        await guesser.guess(ops, candidates, TOP_K)
        times.append((time.perf_counter() - t0) * 1000.0)
    times.sort()
    if not times:
        return {"median": float("nan"), "p95": float("nan"), "n": 0}
    return {
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "n": len(times),
    }


async def measure_async(
    drawings: Sequence[Drawing],
    stroke_seconds: float,
    latency_n: int,
    model_dir: Path | str | None = None,
) -> Report:
    start = time.perf_counter()
    if model_dir is None:  # the packaged model, as get_guesser("local") builds it
        model, guesser = SketchModel.get(), LocalGuesser()
    else:
        paths = (Path(model_dir) / "sketch.onnx", Path(model_dir) / "labels.json")
        model, guesser = SketchModel(*paths), LocalGuesser(*paths)
    load_ms = (time.perf_counter() - start) * 1000.0
    room = Room.builtin()
    counts = {normalise_label(c): n for c, n in model.train_counts.items()}
    schedules = {
        EVERY_STROKE: every_stroke,
        PACED: lambda n, d: paced(n, d, stroke_seconds),
    }
    plays: dict[str, dict[str, dict[str, list[Play]]]] = {
        s: {d: {b: [] for b in BUCKETS} for d in DIFFICULTIES} for s in schedules
    }
    n_bucket = dict.fromkeys(BUCKETS, 0)
    skipped: set[str] = set()
    looks = 0
    for drawing in drawings:
        answer = room.answer(drawing.word)
        if answer is None or model.index_of(drawing.word) is None:
            skipped.add(drawing.word)
            continue
        well = counts.get(normalise_label(drawing.word), 0) >= WELL_COVERED_MIN
        bucket = "well_covered" if well else "sparse"
        n_bucket[bucket] += 1
        canvas = Canvas(drawing, guesser, room.candidates)
        for name, schedule in schedules.items():
            for difficulty in DIFFICULTIES:
                looks_at = schedule(canvas.n_strokes, difficulty)
                outcome = await play(canvas, looks_at, difficulty, room, answer)
                plays[name][difficulty][bucket].append(outcome)
        looks += canvas.looks_computed
    rows = {
        s: {d: {b: summarise(plays[s][d][b]) for b in BUCKETS} for d in DIFFICULTIES}
        for s in schedules
    }
    latency = await time_looks(guesser, drawings[:latency_n], room.candidates)
    return Report(
        n=n_bucket,
        candidates=sum(1 for c in room.candidates.values() if c),
        stroke_seconds=stroke_seconds,
        interval=player.min_interval(LOCAL),
        rows=rows,
        latency=latency,
        looks=looks,
        load_ms=load_ms,
        seconds=time.perf_counter() - start,
        skipped=sorted(skipped),
    )


def measure(
    drawings: Sequence[Drawing],
    stroke_seconds: float = 1.0,
    latency_n: int = 200,
    model_dir: Path | str | None = None,
) -> Report:
    """Replay ``drawings`` for every difficulty and schedule; time ``latency_n`` looks.
    ``model_dir`` (a folder with sketch.onnx and labels.json) replaces the packaged model."""
    return asyncio.run(measure_async(drawings, stroke_seconds, latency_n, model_dir))


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "   -" if x is None or x != x else f"{100 * x:3.0f} %"


def format_report(r: Report) -> str:
    reactions = " / ".join(f"{player.profile(d).reaction:g}" for d in DIFFICULTIES)
    titles = {
        EVERY_STROKE: ["Looks after every stroke (no reaction delay, no minimum interval):"],
        PACED: [
            f"Paced, one stroke every {r.stroke_seconds:g} s: first look after the reaction "
            f"delay ({reactions} s),",
            f"then at most every {r.interval:g} s and only when the canvas grew:",
        ],
    }
    lines = [
        f"{sum(r.n.values())} validation drawings: {r.n['well_covered']} of well-covered "
        f"categories ({WELL_COVERED_MIN}+ training drawings),",
        f"{r.n['sparse']} of sparse ones; {r.candidates} Korean words as candidates.",
        "right = share of drawings where the AI says the right word, strokes = median share",
        "of the strokes drawn when it does, wrong = wrong words said per drawing.",
    ]
    head = f"{'':10}" + "".join(f"  {b.replace('_', '-'):>26}" for b in ("well_covered", "sparse"))
    sub = f"{'':10}" + f"  {'right':>8} {'strokes':>8} {'wrong':>8}" * 2
    for schedule, title in titles.items():
        lines += ["", *title, head, sub]
        for d in DIFFICULTIES:
            cells = ""
            for b in BUCKETS:
                row = r.rows[schedule][d][b]
                cells += (
                    f"  {_pct(row.right):>8} {_pct(row.strokes_median):>8} "
                    f"{row.wrong_per_drawing:8.2f}"
                )
            lines.append(f"{d:10}{cells}")
    lat = r.latency
    lines += [
        "",
        f"Local look (LocalGuesser.guess: render + model + thread hop, {r.candidates} candidates),",
        f"{lat['n']} whole drawings: median {lat['median']:.1f} ms, p95 {lat['p95']:.1f} ms.",
        f"Model load {r.load_ms:.0f} ms; {r.looks} looks replayed; {r.seconds:.0f} s in all.",
    ]
    if r.skipped:
        lines.append(f"Skipped (no pack word or model label): {', '.join(r.skipped)}")
    return "\n".join(lines)


def write_doc(report: str, n: int) -> None:
    cpu = platform.processor() or platform.machine()
    section = f"""{SECTION} (`bench/bench_ai_play.py`)

How often the local AI seat says the right word, how early, and how many wrong words it says
on the way (quoted in docs/ai.md). The validation drawings are drawn again stroke by stroke;
every look is a live local look (`LocalGuesser.guess` with all Korean pack words as
candidates) and what the AI says is decided by `player.choose_words` under the difficulty's
profile, judged by the game's `match_guess`. "Paced" adds the player's waits (reaction delay,
minimum interval) at an assumed pace: the simplified drawings keep no timing.

Command: `.venv/bin/python bench/bench_ai_play.py --write` ({n} validation drawings of
`../shared/quickdraw`).
Machine: {os.cpu_count()} CPU cores ({cpu}), Python {platform.python_version()}, no GPU,
shared with other work while measured.

```
{report}
```
"""
    write_section(SECTION, section)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    default_data = os.environ.get("CATCHMIND_QUICKDRAW_DIR") or str(
        REPO.parent / "shared" / "quickdraw"
    )
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=default_data, help="the Quick, Draw! folder")
    parser.add_argument("--n", type=int, default=None, help="drawings to replay (default all)")
    parser.add_argument(
        "--stroke-seconds",
        type=float,
        default=1.0,
        help="assumed time per stroke for the paced schedule (default 1.0)",
    )
    parser.add_argument(
        "--latency-n", type=int, default=200, help="drawings to time a look on (default 200)"
    )
    parser.add_argument(
        "--model",
        default=None,
        help="a folder with sketch.onnx and labels.json instead of the packaged model",
    )
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.n is not None and args.n <= 0:
        parser.error("--n must be positive")
    if args.stroke_seconds <= 0:
        parser.error("--stroke-seconds must be positive")
    if args.model is not None and args.write:
        parser.error("--write records the packaged model only: drop --model")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not ndjson_files(args.data):
        print(
            f"No Quick, Draw! drawings (*.ndjson) in {args.data}: pass --data or set "
            "CATCHMIND_QUICKDRAW_DIR to the shared folder (../shared/quickdraw).",
            file=sys.stderr,
        )
        return 2
    drawings = load_drawings(args.data, args.n)
    if not drawings:
        print(f"No validation drawings in {args.data}.", file=sys.stderr)
        return 2
    report = measure(drawings, args.stroke_seconds, args.latency_n, args.model)
    text = format_report(report)
    print(text)
    if args.write:
        write_doc(text, len(drawings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
