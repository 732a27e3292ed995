"""bench/bench_ai_play.py (the AI play figures of docs/ai.md) runs on a few real drawings."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

from tests.conftest import quickdraw_dir

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench" / "bench_ai_play.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_ai_play", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_without_the_data_folder_it_stops_with_exit_code_2(bench, tmp_path, capsys):
    assert bench.main(["--data", str(tmp_path / "missing")]) == 2
    assert "No Quick, Draw! drawings" in capsys.readouterr().err


def test_the_paced_schedule_waits_like_the_player(bench):
    # Strokes end at 1, 2, ... 10 s; easy first looks after 8 s, then every 1.5 s at most.
    assert bench.paced(10, "easy", 1.0) == [8, 9, 10]
    assert bench.paced(3, "easy", 1.0) == [3]  # finished before the reaction delay
    assert bench.paced(4, "hard", 1.0) == [1, 3, 4]  # looks at 1.5, 3.0 and 4.5 s
    assert bench.every_stroke(3, "hard") == [1, 2, 3]


@pytest.mark.shared_data
def test_five_validation_drawings(bench):
    drawings = bench.load_drawings(quickdraw_dir(), 5)
    assert len(drawings) == 5
    report = bench.measure(drawings, latency_n=5)
    assert sum(report.n.values()) == 5
    assert report.candidates == 345
    for schedule in (bench.EVERY_STROKE, bench.PACED):
        assert set(report.rows[schedule]) == {"easy", "normal", "hard"}
        for buckets in report.rows[schedule].values():
            for row in buckets.values():
                if row.n:
                    assert 0.0 <= row.right <= 1.0
                    assert row.strokes_median is None or 0.0 < row.strokes_median <= 1.0
                    assert row.wrong_per_drawing >= 0.0
    assert report.latency["n"] == 5 and report.latency["median"] > 0
    text = bench.format_report(report)
    assert all(d in text for d in ("easy", "normal", "hard"))
    assert not math.isnan(report.latency["p95"])
