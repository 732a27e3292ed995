"""Scheduling of the AI seat: one call per room at a time, only on a changed canvas, paced,
leased, and within the paid backend's budget."""

from __future__ import annotations

import datetime as dt

import pytest

from game.ai import hooks, player
from game.ai.guessers import GuessResult, Outcome
from game.ai.records import AICall, AIRoomState
from tests.ai.conftest import seat_ai_turn

pytestmark = pytest.mark.django_db

STROKE = [
    {"op": "begin", "id": 1, "tool": "pen", "color": "#000000", "width": 40, "pts": [10, 10]},
    {"op": "end", "id": 1},
]


@pytest.fixture
def quiet_game(monkeypatch):
    """Record what the AI would say and show instead of calling the game's actions."""
    said, shown = [], []
    monkeypatch.setattr(hooks, "say", lambda room, p, turn, text: said.append(text) or True)
    monkeypatch.setattr(hooks, "thinking", lambda room, turn, p, guesses: shown.append(guesses))
    return said, shown


def ready(room, game_clock, seconds: float = 30):
    """Move past the reaction delay of every difficulty."""
    game_clock.shift(seconds)


def open_seat(room, turn, game_clock):
    """The room's AI row, started for ``turn`` and free to claim now."""
    player._ensure_row(room.id)
    player.start_turn(room.id, turn.id, game_clock.now(), game_clock.now())


def test_nothing_on_the_canvas_means_no_call(game_clock):
    room, turn, _, _ = seat_ai_turn()
    ready(room, game_clock)
    assert player.plan(room.id).stop


def test_the_ai_waits_for_its_reaction_delay(game_clock):
    room, turn, _, _ = seat_ai_turn(difficulty="easy", ops=STROKE)
    first = player.plan(room.id)
    assert first.seat is None and not first.stop
    assert first.wait == pytest.approx(player.PROFILES["easy"].reaction, abs=0.5)
    game_clock.shift(player.PROFILES["easy"].reaction + 0.1)
    assert player.plan(room.id).seat is not None


def test_one_claim_at_a_time_and_only_for_a_grown_canvas(game_clock):
    room, turn, _, _ = seat_ai_turn(ops=STROKE)
    ready(room, game_clock)
    open_seat(room, turn, game_clock)
    now = game_clock.now()
    token = player.claim(room.id, turn.id, 2, 5, 10.0, now)
    assert token
    assert player.claim(room.id, turn.id, 2, 5, 10.0, now) is None  # in flight
    assert player.release(room.id, token, next_at=now)
    assert player.claim(room.id, turn.id, 2, 5, 10.0, now) is None  # canvas unchanged
    assert player.claim(room.id, turn.id, 4, 5, 10.0, now)  # it grew


def test_the_minimum_interval_spaces_calls(game_clock):
    room, turn, _, _ = seat_ai_turn(ops=STROKE)
    ready(room, game_clock)
    open_seat(room, turn, game_clock)
    now = game_clock.now()
    token = player.claim(room.id, turn.id, 2, 5, 10.0, now)
    player.release(room.id, token, next_at=now + dt.timedelta(seconds=1.5))
    assert player.claim(room.id, turn.id, 4, 5, 10.0, now + dt.timedelta(seconds=1)) is None
    assert player.claim(room.id, turn.id, 4, 5, 10.0, now + dt.timedelta(seconds=1.6))


def test_a_crashed_holder_blocks_the_seat_only_until_its_lease_expires(game_clock):
    room, turn, _, _ = seat_ai_turn(ops=STROKE)
    ready(room, game_clock)
    open_seat(room, turn, game_clock)
    now = game_clock.now()
    crashed = player.claim(room.id, turn.id, 2, 5, 10.0, now)
    assert crashed
    assert player.claim(room.id, turn.id, 2, 5, 10.0, now + dt.timedelta(seconds=9)) is None
    later = now + dt.timedelta(seconds=10.1)
    assert player.claim(room.id, turn.id, 2, 5, 10.0, later)
    # The late holder's release changes nothing: the seat is someone else's now.
    assert player.release(room.id, crashed, next_at=later) is False


def test_a_new_turn_resets_the_seat(game_clock):
    room, turn, _, _ = seat_ai_turn(ops=STROKE)
    ready(room, game_clock)
    player.plan(room.id)
    state = AIRoomState.objects.get(room=room)
    assert state.turn_id == turn.id and state.said == []


def test_later_looks_of_a_turn_do_not_set_up_the_seat_again(
    game_clock, quiet_game, django_assert_num_queries
):
    from game.models import TurnOps

    room, turn, _, _ = seat_ai_turn(ops=STROKE)
    ready(room, game_clock)
    first = player.plan(room.id)
    player.finish(first, GuessResult(backend="local", model="m", outcome=Outcome.OK))
    TurnOps.objects.create(turn=turn, seq=len(STROKE), ops=STROKE)
    turn.op_count = 2 * len(STROKE)
    turn.save(update_fields=["op_count"])
    game_clock.shift(30)
    # The room with its turn, the AI seat, the AI's row, its right guess, the claim, the ops
    # and the turn of the (cached) candidates: no row check nor start_turn update.
    with django_assert_num_queries(7):
        second = player.plan(room.id)
    assert second.seat is not None and second.ops == STROKE + STROKE


def test_a_call_records_its_outcome_and_says_a_confident_guess(game_clock, quiet_game):
    said, shown = quiet_game
    room, turn, _, ai = seat_ai_turn(ops=STROKE)
    ready(room, game_clock)
    p = player.plan(room.id)
    assert p.seat is not None and p.backend == "local"
    assert p.ops == STROKE
    result = GuessResult(backend="local", model="sketch.onnx", latency_ms=3)
    result.guesses = [player.g.Guess("비행기", 0.7), player.g.Guess("고양이", 0.2)]
    assert player.finish(p, result) == "비행기"
    assert said == ["비행기"]
    assert [g.word for g in shown[0]] == ["비행기", "고양이"]
    call = AICall.objects.get()
    assert (call.room_id, call.turn_id, call.outcome, call.backend) == (
        room.id,
        turn.id,
        "ok",
        "local",
    )
    assert call.guesses[0] == {"word": "비행기", "confidence": 0.7}
    state = AIRoomState.objects.get(room=room)
    assert state.said == ["비행기"] and state.seen_ops == 2 and state.lease_token == ""


def test_an_unconfident_or_repeated_guess_is_not_said(game_clock, quiet_game):
    said, _ = quiet_game
    room, turn, _, _ = seat_ai_turn(difficulty="easy", ops=STROKE)
    game_clock.shift(30)
    p = player.plan(room.id)
    weak = GuessResult(backend="local", model="m", guesses=[player.g.Guess("비행기", 0.3)])
    assert player.finish(p, weak) is None
    assert said == []


def test_a_failed_call_is_recorded_and_the_ai_stays_silent(game_clock, quiet_game):
    said, shown = quiet_game
    room, turn, _, _ = seat_ai_turn(ops=STROKE)
    ready(room, game_clock)
    p = player.plan(room.id)
    failed = GuessResult(backend="openai", model="m", outcome=Outcome.TIMEOUT, latency_ms=4000)
    assert player.finish(p, failed) is None
    assert (said, shown) == ([], [])
    assert AICall.objects.get().outcome == "timeout"
    assert AIRoomState.objects.get(room=room).lease_token == ""


def test_over_budget_a_paid_room_falls_back_to_local_and_the_admin_sees_it(
    settings, game_clock, quiet_game
):
    settings.OPENAI_API_KEY = "sk-test"
    settings.CATCHMIND_AI_ROOM_BUDGET_PER_HOUR = 2
    room, turn, _, _ = seat_ai_turn(backend="openai", ops=STROKE)
    ready(room, game_clock)
    for _ in range(2):
        AICall.objects.create(
            room=room, turn=turn, backend="openai", outcome="ok", created=game_clock.now()
        )
    p = player.plan(room.id)
    assert p.backend == "local" and p.fallback == "over_budget"
    assert AICall.objects.filter(outcome="over_budget", backend="openai").count() == 1
    player.finish(p, GuessResult(backend="local", model="sketch.onnx"))
    state = AIRoomState.objects.get(room=room)
    assert (state.backend, state.fallback) == ("local", "over_budget")
    assert state.fallback_since is not None

    # An hour later the budget is free again and the room is back on its paid backend.
    game_clock.shift(3601)
    with_new_ops = STROKE + [{"op": "clear"}]
    from game.models import TurnOps

    TurnOps.objects.create(turn=turn, seq=2, ops=with_new_ops[2:])
    turn.op_count = 3
    turn.save(update_fields=["op_count"])
    room.ends_at = game_clock.now() + dt.timedelta(seconds=60)
    room.save(update_fields=["ends_at"])
    p = player.plan(room.id)
    assert (p.backend, p.fallback) == ("openai", "")


def test_the_global_budget_counts_every_room(settings, game_clock):
    settings.OPENAI_API_KEY = "sk-test"
    settings.CATCHMIND_AI_BUDGET_PER_HOUR = 3
    room, turn, _, _ = seat_ai_turn(backend="openai", ops=STROKE)
    other, _, _, _ = seat_ai_turn(backend="openai")
    for _ in range(3):
        AICall.objects.create(room=other, backend="openai", outcome="ok", created=game_clock.now())
    assert player.over_budget(room.id) == "global"
    assert player.over_budget(room.id, game_clock.now() + dt.timedelta(hours=1, seconds=1)) == ""


def test_the_ai_stops_once_it_said_all_it_may(game_clock, quiet_game):
    room, turn, _, _ = seat_ai_turn(difficulty="easy", ops=STROKE)
    ready(room, game_clock)
    player.plan(room.id)
    AIRoomState.objects.filter(room=room).update(said_count=player.PROFILES["easy"].max_guesses)
    assert player.plan(room.id).stop


def test_the_ai_plays_only_while_a_drawing_runs(game_clock):
    room, turn, _, _ = seat_ai_turn(ops=STROKE)
    ready(room, game_clock)
    room.ai_enabled = False
    room.save(update_fields=["ai_enabled"])
    assert player.plan(room.id).stop
    room.ai_enabled = True
    room.phase = "reveal"
    room.save(update_fields=["ai_enabled", "phase"])
    assert player.plan(room.id).stop


def test_the_difficulties_play_as_docs_rules_md_says():
    documented = {
        "easy": player.Profile(reaction=8.0, min_confidence=0.6, max_guesses=3),
        "normal": player.Profile(reaction=4.0, min_confidence=0.4, max_guesses=5),
        "hard": player.Profile(reaction=1.5, min_confidence=0.2, max_guesses=8),
    }
    assert documented == player.PROFILES
    assert (player.min_interval("local"), player.min_interval("openai")) == (1.5, 4.0)
