"""Points (docs/rules.md "Scoring") and stroke op validation (docs/protocol.md §3)."""

from __future__ import annotations

import pytest

from game.ops import MAX_NUMBERS_PER_BATCH, OpError, validate_batch
from game.scoring import drawer_points, guesser_points, ranking


@pytest.mark.parametrize(
    ("elapsed_ms", "order", "ai", "points"),
    [
        (0, 1, None, 350),  # 50 + 250 + 50
        (10_000, 1, None, 318),  # 50 + 218 + 50
        (20_000, 2, None, 267),  # 50 + 187 + 30
        (40_000, 3, None, 190),  # 50 + 125 + 15
        (60_000, 4, None, 112),  # 50 + 62
        (80_000, 5, None, 50),  # the base, even at the buzzer
        (95_000, 1, None, 100),  # never below the base (late by a network hop)
        (0, 1, False, 370),  # beat the AI: +20
        (0, 2, True, 330),  # the AI was faster: no bonus
    ],
)
def test_a_guesser_earns_more_the_earlier_they_guess(elapsed_ms, order, ai, points):
    assert guesser_points(elapsed_ms, 80, order, ai_already_guessed=ai) == points


def test_the_ai_itself_never_gets_the_beat_the_ai_bonus():
    assert guesser_points(0, 80, 1, ai_already_guessed=False, is_ai=True) == 350


@pytest.mark.parametrize(
    ("correct", "guessers", "points"),
    [
        ([], 3, 0),
        ([10_000, 20_000], 2, 281),  # 200 + floor(100 * 65 / 80)
        ([10_000], 3, 66 + 87),  # floor(200 / 3) + floor(100 * 70 / 80)
        ([0, 0, 0], 3, 300),
        ([80_000], 1, 200),
    ],
)
def test_the_drawer_earns_from_how_many_guessed_and_how_fast(correct, guessers, points):
    assert drawer_points(correct, guessers, 80) == points


def test_equal_scores_share_a_rank():
    assert ranking([(1, 100), (2, 300), (3, 100), (4, 50)]) == [
        (2, 300, 1),
        (1, 100, 2),
        (3, 100, 2),
        (4, 50, 4),
    ]


def test_a_valid_batch_keeps_only_the_documented_keys():
    batch = validate_batch(
        [
            {"op": "begin", "id": 7, "tool": "pen", "color": "#A0b0C0", "width": 40,
             "pts": [0, 0, 9999, 9999], "extra": "ignored"},
            {"op": "points", "id": 7, "pts": [5, 5]},
            {"op": "end", "id": 7},
            {"op": "fill", "x": 5000, "y": 3750, "color": "#ff0000"},
            {"op": "undo"}, {"op": "redo"}, {"op": "clear"},
        ]
    )  # fmt: skip
    assert batch.ops[0] == {
        "op": "begin", "id": 7, "tool": "pen", "color": "#a0b0c0", "width": 40,
        "pts": [0, 0, 9999, 9999],
    }  # fmt: skip
    assert (batch.points, batch.flushes) == (3, True)
    assert validate_batch([{"op": "points", "id": 7, "pts": [1, 2]}]).flushes is False


@pytest.mark.parametrize(
    ("ops", "index"),
    [
        ("clear", None),
        ([], None),
        ([{"op": "clear"}] * 201, None),
        ([{"op": "undo"}, {"op": "begin", "id": 1, "tool": "pen", "color": "#000000",
                           "width": 1001, "pts": [1, 1]}], 1),
        ([{"op": "points", "id": -1, "pts": [1, 1]}], 0),
        ([{"op": "points", "id": 1, "pts": []}], 0),
        ([{"op": "points", "id": 1, "pts": [1, False]}], 0),
        ([{"op": "fill", "x": 1, "y": 10000, "color": "#000000"}], 0),
        ([{"op": "end"}], 0),
        (["clear"], 0),
        ([{"op": "points", "id": 1, "pts": [1] * 1000}, {"op": "points", "id": 1,
          "pts": [1] * 1002}], 1),
    ],
)  # fmt: skip
def test_bad_batches_are_refused_with_the_index_of_the_first_bad_op(ops, index):
    with pytest.raises(OpError) as refused:
        validate_batch(ops)
    assert refused.value.index == index


def test_a_batch_may_carry_up_to_2000_coordinates():
    assert validate_batch([{"op": "points", "id": 1, "pts": [3] * MAX_NUMBERS_PER_BATCH}])
