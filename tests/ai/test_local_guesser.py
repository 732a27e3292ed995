"""The local backend: the shipped ONNX sketch model, off the event loop, never raising."""

from __future__ import annotations

import threading

import pytest

from game.ai import guessers
from game.ai.guessers import LocalGuesser, Outcome, get_guesser
from game.ai.render import quickdraw_to_ops
from tests.ai.conftest import quickdraw_drawings

CANDIDATES = {"고양이": "cat", "비행기": "airplane", "자전거": "bicycle", "무지개": None}
SQUARE = quickdraw_to_ops([[[0, 255, 255, 0, 0], [0, 0, 255, 255, 0]]])


def test_the_local_model_ships_with_the_game():
    from game.ai.sketch import LABELS_PATH, MODEL_PATH

    assert MODEL_PATH.is_file() and LABELS_PATH.is_file()


def test_local_is_the_default_backend(settings):
    settings.CATCHMIND_AI_BACKEND = "local"
    assert get_guesser().backend == "local"


async def test_a_model_file_that_fails_to_load_is_an_error_not_an_exception(tmp_path):
    broken = tmp_path / "sketch.onnx"
    broken.write_bytes(b"this is not an onnx model")
    labels = tmp_path / "labels.json"
    labels.write_text('{"labels": ["cat", "airplane"]}')
    result = await LocalGuesser(broken, labels).guess(SQUARE, CANDIDATES)
    assert result.outcome == Outcome.ERROR
    assert result.guesses == []
    assert result.detail


async def test_a_missing_model_file_is_an_error_not_an_exception(tmp_path):
    result = await LocalGuesser(tmp_path / "none.onnx", tmp_path / "none.json").guess(
        SQUARE, CANDIDATES
    )
    assert (result.outcome, result.guesses) == (Outcome.ERROR, [])


async def test_the_model_runs_in_the_ai_thread_pool_not_on_the_event_loop(monkeypatch):
    seen = {}

    def fake_rank(self, ops, candidates, k):
        seen["thread"] = threading.current_thread().name
        seen["candidates"] = candidates
        return [guessers.Guess("고양이", 0.9)]

    monkeypatch.setattr(LocalGuesser, "_rank", fake_rank)
    result = await LocalGuesser().guess(SQUARE, CANDIDATES)
    assert result.outcome == Outcome.OK
    assert seen["thread"].startswith("catchmind-ai")
    # Words without a Quick, Draw! category are never offered to the local model.
    assert seen["candidates"] == {"고양이": "cat", "비행기": "airplane", "자전거": "bicycle"}


async def test_an_empty_canvas_gives_no_guess():
    result = await LocalGuesser().guess([], CANDIDATES)
    assert (result.outcome, result.guesses) == (Outcome.OK, [])


@pytest.mark.shared_data
@pytest.mark.parametrize("category", ["cat", "airplane", "bicycle"])
async def test_the_local_model_recognises_well_covered_quickdraw_drawings(category):
    words = {"고양이": "cat", "비행기": "airplane", "자전거": "bicycle", "카메라": "camera"}
    words.update({f"w{i}": c for i, c in enumerate(["guitar", "eye", "television", "dragon"])})
    guesser = LocalGuesser()
    hits = 0
    drawings = quickdraw_drawings(category, limit=30)
    for drawing in drawings:
        result = await guesser.guess(quickdraw_to_ops(drawing, chunk=8), words)
        assert result.outcome == Outcome.OK
        assert len(result.guesses) == 3
        assert abs(sum(g.confidence for g in result.guesses)) <= 1.0 + 1e-6
        hits += words[result.guesses[0].word] == category
    assert hits / len(drawings) >= 0.6
