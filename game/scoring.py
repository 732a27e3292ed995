"""Points. Pure functions with integer arithmetic, so docs/rules.md can state exact numbers and
the tests check them. Times are milliseconds since the drawing started."""

from __future__ import annotations

from collections.abc import Sequence

GUESS_BASE = 50
GUESS_TIME = 250
#: Extra points for the first, second and third correct guesser of a turn.
ORDER_BONUS = (50, 30, 15)
#: Hook for the AI player: a human who guesses before the room's AI gets this on top.
BEAT_THE_AI_BONUS = 20
DRAWER_SHARE = 200
DRAWER_SPEED = 100


def _remaining(elapsed_ms: int, draw_time_ms: int) -> int:
    return max(0, min(draw_time_ms, draw_time_ms - elapsed_ms))


def guesser_points(
    elapsed_ms: int,
    draw_time_s: int,
    order: int,
    *,
    ai_already_guessed: bool | None = None,
    is_ai: bool = False,
) -> int:
    """Points for a correct guess.

    ``50 + floor(250 * remaining / draw_time)`` (time decay) plus the order bonus (50, 30, 15
    for the first three). ``ai_already_guessed`` is ``None`` when no AI plays the turn;
    ``False`` means this human beat the AI to it and earns :data:`BEAT_THE_AI_BONUS`.
    """
    draw_time_ms = draw_time_s * 1000
    points = GUESS_BASE + GUESS_TIME * _remaining(elapsed_ms, draw_time_ms) // draw_time_ms
    if 1 <= order <= len(ORDER_BONUS):
        points += ORDER_BONUS[order - 1]
    if not is_ai and ai_already_guessed is False:
        points += BEAT_THE_AI_BONUS
    return points


def drawer_points(correct_elapsed_ms: Sequence[int], guesser_count: int, draw_time_s: int) -> int:
    """Points for the drawer: how many guessed and how fast.

    ``floor(200 * correct / guessers) + floor(100 * mean(remaining) / draw_time)``; zero when
    nobody guessed. The AI counts like any guesser: a drawing the AI recognises is a good one.
    """
    correct = len(correct_elapsed_ms)
    if correct == 0 or guesser_count <= 0:
        return 0
    draw_time_ms = draw_time_s * 1000
    remaining = sum(_remaining(ms, draw_time_ms) for ms in correct_elapsed_ms)
    return DRAWER_SHARE * min(correct, guesser_count) // guesser_count + (
        DRAWER_SPEED * remaining // (correct * draw_time_ms)
    )


def ranking(scores: Sequence[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(player_id, score) pairs → (player_id, score, rank), best first; ties share a rank
    (1, 2, 2, 4). Input order breaks ties in the listing only."""
    ordered = sorted(scores, key=lambda item: -item[1])
    out: list[tuple[int, int, int]] = []
    for position, (player_id, score) in enumerate(ordered, start=1):
        rank = out[-1][2] if out and out[-1][1] == score else position
        out.append((player_id, score, rank))
    return out
