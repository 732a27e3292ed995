"""The rules, action by action (game.actions), with what each player is sent.

Published room messages are captured instead of going through the channel layer; ``seen``
applies the same recipient filter as every connection does.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.identity import Identity
from game import actions, clock, scoring, state
from game.actions import GameError
from game.models import Guess, Message, Phase, Player, Room
from tests.game_support import create_room, make_guest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.reset()
    clock.freeze()
    yield
    clock.reset()


@pytest.fixture
def sent(monkeypatch, django_capture_on_commit_callbacks):
    """Every room message published after commit, in order."""
    published: list[dict] = []
    monkeypatch.setattr("game.events.publish", lambda room_id, message: published.append(message))
    monkeypatch.setattr("game.ratelimit.allow_chat", lambda player_id: True)

    class Sent(list):
        def run(self, function, *args):
            with django_capture_on_commit_callbacks(execute=True):
                return function(*args)

        def seen(self, player_id: int, type_: str | None = None) -> list[dict]:
            out = []
            for message in published:
                for text, recipients, excluded in message["events"]:
                    if (
                        recipients is None or player_id in recipients
                    ) and player_id not in excluded:
                        payload = json.loads(text)
                        if type_ is None or payload["type"] == type_:
                            out.append(payload)
            return out

        def clear(self):
            published.clear()

    return Sent()


def guests(*names: str) -> dict:
    return {name: make_guest(name)[1] for name in names}


def seat(room: Room, identity) -> int:
    return actions.connect(room.pk, identity, f"conn-{identity.guest_id}").player_id


def seated_room(*names: str, **options) -> tuple[Room, dict[str, int]]:
    """A lobby with ``names`` connected; the first is the host."""
    people = guests(*names)
    room = create_room(people[names[0]], **options)
    return room, {name: seat(room, identity) for name, identity in people.items()}


def drawing_room(sent, *names: str, **options):
    """A room whose first drawer (the host) is drawing 사과; returns (room, ids by name)."""
    room, ids = seated_room(
        *names, custom_words=["사과"], custom_words_only=True, word_choices=1, **options
    )
    sent.run(actions.start, room.pk, ids[names[0]])
    sent.run(actions.choose, room.pk, ids[names[0]], 0)
    sent.clear()
    room.refresh_from_db()
    return room, ids


def chat(sent, room, player_id, text):
    sent.run(actions.chat, room.pk, player_id, text)


def test_close_guess_is_private_to_the_guesser(sent):
    room, ids = drawing_room(sent, "drawer", "bob", "carol")
    chat(sent, room, ids["bob"], "사가")
    assert sent.seen(ids["bob"], "close") == [{"type": "close", "text": "사가"}]
    assert [m["audience"] for m in sent.seen(ids["bob"], "chat")] == ["you"]
    assert sent.seen(ids["carol"]) == []
    assert sent.seen(ids["drawer"]) == []
    guess = Guess.objects.get()
    assert (guess.verdict, guess.points) == ("close", 0)


def test_a_correct_guess_is_never_shown_to_players_who_have_not_guessed(sent):
    room, ids = drawing_room(sent, "drawer", "bob", "carol")
    chat(sent, room, ids["bob"], "사과요!")
    for other in ("carol", "drawer"):
        assert "사과" not in json.dumps(sent.seen(ids[other]), ensure_ascii=False)
    assert sent.seen(ids["carol"], "guessed")[0]["player_id"] == ids["bob"]
    assert sent.seen(ids["bob"], "guessed")[0]["word"] == "사과"
    notice = sent.seen(ids["carol"], "chat")[0]
    assert (notice["kind"], notice["text"]) == ("guessed", "")


def test_chat_of_players_who_guessed_goes_only_to_them_and_the_drawer(sent):
    room, ids = drawing_room(sent, "drawer", "bob", "carol", "dave")
    chat(sent, room, ids["bob"], "사과")
    chat(sent, room, ids["carol"], "사과")
    sent.clear()
    chat(sent, room, ids["bob"], "너무 쉬웠다")
    for name in ("drawer", "bob", "carol"):
        [line] = sent.seen(ids[name], "chat")
        assert (line["text"], line["audience"]) == ("너무 쉬웠다", "guessed")
    assert sent.seen(ids["dave"]) == []
    # The same rule holds for the chat history of a snapshot.
    assert "너무 쉬웠다" not in str(state.visible_chat(room, ids["dave"]))
    assert "너무 쉬웠다" in str(state.visible_chat(room, ids["drawer"]))


def test_drawer_cannot_chat_the_answer(sent):
    room, ids = drawing_room(sent, "drawer", "bob")
    for text in ("사과", "정답은 사과를 닮았어", "사가"):
        with pytest.raises(GameError) as refused:
            chat(sent, room, ids["drawer"], text)
        assert refused.value.code == "reveals_answer"
    assert sent == [] and not Message.objects.exists()
    chat(sent, room, ids["drawer"], "빨간 과일")
    assert sent.seen(ids["bob"], "chat")[0]["text"] == "빨간 과일"


def test_the_hint_mask_is_for_those_who_do_not_know_the_word(sent):
    room, ids = drawing_room(sent, "drawer", "bob", "carol")
    chat(sent, room, ids["bob"], "사과")
    drawer = state.snapshot(room, ids["drawer"])["turn"]
    bob = state.snapshot(room, ids["bob"])["turn"]
    carol = state.snapshot(room, ids["carol"])["turn"]
    assert (drawer["word"], drawer["hint"]) == ("사과", None)
    assert (bob["word"], bob["hint"]) == ("사과", None)
    assert (carol["word"], carol["hint"], carol["word_length"]) == (None, "__", 2)
    # Hints follow the schedule of docs/rules.md: 초성 first, at a third of 80 s.
    clock.shift(27)
    sent.run(actions.tick, room.pk)
    assert sent.seen(ids["carol"], "hint") == [
        {"type": "hint", "turn_id": carol["id"], "hint": "ㅅㄱ", "level": 1}
    ]
    assert sent.seen(ids["bob"], "hint") == sent.seen(ids["drawer"], "hint") == []


def test_a_room_without_hints_only_ever_shows_the_length(sent):
    room, ids = drawing_room(sent, "drawer", "bob", hints=False)
    clock.shift(70)
    sent.run(actions.tick, room.pk)
    assert sent.seen(ids["bob"], "hint") == []
    assert state.snapshot(room, ids["bob"])["turn"]["hint"] == "__"


def test_the_ai_never_holds_a_turn_open(sent):
    room, ids = drawing_room(sent, "drawer", "bob", ai_enabled=True)
    ai = Player.objects.get(room=room, is_ai=True)
    assert ai.pk in room.current_turn.guessers
    chat(sent, room, ids["bob"], "사과")
    room.refresh_from_db()
    assert room.phase == Phase.REVEAL
    assert room.current_turn.end_reason == "all_guessed"
    # Bob guessed before the AI: the beat-the-AI bonus applies.
    assert Guess.objects.get(player_id=ids["bob"]).points == scoring.guesser_points(
        0, 80, 1, ai_already_guessed=False
    )
    assert Guess.objects.get(player_id=ids["bob"]).points == 370


def test_the_ai_guesses_through_the_same_path_as_a_human(sent):
    room, ids = drawing_room(sent, "drawer", "bob", ai_enabled=True)
    ai = Player.objects.get(room=room, is_ai=True)
    clock.shift(40)
    chat(sent, room, ai.pk, "사과")
    guess = Guess.objects.get(player=ai)
    assert (guess.verdict, guess.order, guess.points) == ("correct", 1, 50 + 125 + 50)
    assert sent.seen(ids["bob"], "guessed")[0]["player_id"] == ai.pk
    # The turn goes on: Bob, the only human guesser, has not guessed yet.
    room.refresh_from_db()
    assert room.phase == Phase.DRAWING
    # Bob guessed after the AI: no bonus.
    chat(sent, room, ids["bob"], "사과")
    assert Guess.objects.get(player_id=ids["bob"]).points == 50 + 125 + 30


def test_players_who_join_during_a_game_draw_later_in_the_round(sent):
    room, ids = drawing_room(sent, "drawer", "bob")
    late = seat(room, guests("late")["late"])
    room.refresh_from_db()
    assert room.draw_queue == [ids["bob"], late]
    assert late not in room.current_turn.guessers
    assert state.snapshot(room, late)["you"]["role"] == "waiting"


def test_vote_kick_needs_a_majority_of_connected_players(sent):
    room, ids = seated_room("host", "b", "c", "d", "e")
    # 5 connected: 3 votes needed, the target's own seat counted.
    sent.run(actions.vote_kick, room.pk, ids["b"], ids["e"])
    sent.run(actions.vote_kick, room.pk, ids["c"], ids["e"])
    assert [m["votes"] for m in sent.seen(ids["host"], "vote_kick")] == [1, 2]
    assert {m["needed"] for m in sent.seen(ids["host"], "vote_kick")} == {3}
    assert Player.objects.get(pk=ids["e"]).present
    sent.run(actions.vote_kick, room.pk, ids["d"], ids["e"])
    kicked = Player.objects.get(pk=ids["e"])
    assert (kicked.present, kicked.kicked, kicked.left_reason) == (False, True, "kicked")
    assert sent.seen(ids["e"], "kicked") == [{"type": "kicked", "by": "vote"}]
    # A kicked player cannot come back.
    with pytest.raises(GameError) as refused:
        actions.connect(room.pk, actions_identity(kicked), "again")
    assert refused.value.close_code == actions.CLOSE_KICKED


def actions_identity(player: Player):
    from accounts.identity import Identity

    return Identity(user_id=player.user_id, guest_id=player.guest_id, name=player.name)


def test_only_the_host_kicks_and_the_host_passes_on_when_leaving(sent):
    room, ids = seated_room("host", "b", "c")
    with pytest.raises(GameError) as refused:
        actions.kick(room.pk, ids["b"], ids["c"])
    assert refused.value.code == "not_host"
    sent.run(actions.kick, room.pk, ids["host"], ids["c"])
    assert sent.seen(ids["c"], "kicked") == [{"type": "kicked", "by": "host"}]
    sent.run(actions.leave, room.pk, ids["host"])
    room.refresh_from_db()
    assert room.host_id == ids["b"]
    assert sent.seen(ids["b"], "host")[-1] == {"type": "host", "player_id": ids["b"]}


def test_settings_change_only_in_the_lobby_by_the_host_with_per_field_errors(sent):
    room, ids = seated_room("host", "b")
    with pytest.raises(GameError) as refused:
        actions.update_settings(room.pk, ids["b"], {"rounds": 5})
    assert refused.value.code == "not_host"
    with pytest.raises(GameError) as refused:
        actions.update_settings(room.pk, ids["host"], {"rounds": 11, "draw_time": 10, "x": 1})
    assert set(refused.value.errors) == {"rounds", "draw_time", "x"}
    sent.run(actions.update_settings, room.pk, ids["host"], {"rounds": 5, "ai_enabled": True})
    assert sent.seen(ids["b"], "settings")[0]["settings"]["rounds"] == 5
    ai = Player.objects.get(room=room, is_ai=True)
    assert (ai.name, ai.connected) == ("AI", True)
    assert sent.seen(ids["b"], "player_joined")[0]["player"]["is_ai"] is True
    # Seats taken cannot be configured away.
    with pytest.raises(GameError) as refused:
        actions.update_settings(room.pk, ids["host"], {"max_players": 2})
    assert refused.value.errors["max_players"][0]["code"] == "too_small"
    # The settings as the host got them (custom_word_count included) can be sent back as is.
    echoed = sent.seen(ids["host"], "settings")[-1]["settings"]
    assert "custom_word_count" in echoed
    sent.run(actions.update_settings, room.pk, ids["host"], echoed)


def test_a_full_room_refuses_another_player():
    room, _ids = seated_room("host", "b", max_players=2)
    with pytest.raises(GameError) as refused:
        seat(room, guests("c")["c"])
    assert (refused.value.code, refused.value.close_code) == ("full", actions.CLOSE_FULL)


def test_starting_needs_two_connected_humans():
    room, ids = seated_room("host")
    with pytest.raises(GameError) as refused:
        actions.start(room.pk, ids["host"])
    assert refused.value.code == "not_enough_players"


def test_one_human_can_play_alone_against_the_ai(sent):
    room, ids = seated_room("host", ai_enabled=True)
    sent.run(actions.start, room.pk, ids["host"])
    room.refresh_from_db()
    assert room.phase == Phase.CHOOSING
    assert room.current_turn.drawer_id == ids["host"]


def test_an_expired_phase_advances_on_any_read_exactly_once(sent):
    room, ids = drawing_room(sent, "drawer", "bob")
    clock.shift(81)
    # Two readers find the deadline passed; only the first moves the room on.
    sent.run(actions.tick, room.pk)
    sent.run(actions.tick, room.pk)
    phases = [m["phase"] for m in sent.seen(ids["bob"], "phase")]
    assert phases == ["reveal"]
    room.refresh_from_db()
    assert room.phase == Phase.REVEAL
    assert room.current_turn.end_reason == "time_up"


def test_the_ai_thinking_is_shown_only_to_those_who_know_the_word(sent):
    room, ids = drawing_room(sent, "drawer", "bob", "carol", ai_enabled=True)
    ai = Player.objects.get(room=room, is_ai=True)
    turn_id = room.current_turn_id
    chat(sent, room, ids["bob"], "사과")
    top = [{"word": "사과", "confidence": 0.61}, {"word": "체리", "confidence": 0.2}]
    sent.run(actions.ai_thinking, room.pk, turn_id, ai.pk, top)
    [shown] = sent.seen(ids["drawer"], "ai_thinking")
    assert shown["guesses"] == top and shown["player_id"] == ai.pk
    assert sent.seen(ids["bob"], "ai_thinking") == [shown]
    assert sent.seen(ids["carol"], "ai_thinking") == []
    sent.clear()
    sent.run(actions.ai_thinking_reveal, room.pk, turn_id, ai.pk, top)
    assert sent.seen(ids["carol"], "ai_thinking")[0]["guesses"] == top


def test_a_late_ai_guess_never_lands_in_another_turn(sent):
    room, ids = drawing_room(sent, "drawer", "bob", ai_enabled=True)
    ai = Player.objects.get(room=room, is_ai=True)
    assert sent.run(actions.ai_guess, room.pk, ai.pk, room.current_turn_id, "배") is True
    assert sent.run(actions.ai_guess, room.pk, ai.pk, room.current_turn_id + 1, "사과") is False
    assert not Guess.objects.filter(player=ai, verdict="correct").exists()


def test_hooks_fire_after_commit_with_the_turn(sent):
    from game import signals

    heard: list[tuple[str, dict]] = []

    def listen(name):
        def receiver(sender, **kwargs):
            heard.append((name, {k: v for k, v in kwargs.items() if k != "signal"}))

        return receiver

    receivers = {name: listen(name) for name in ("started", "canvas", "ended")}
    signals.turn_started.connect(receivers["started"])
    signals.canvas_changed.connect(receivers["canvas"])
    signals.turn_ended.connect(receivers["ended"])
    try:
        room, ids = drawing_room(sent, "drawer", "bob")
        turn_id = room.current_turn_id
        ops = [{"op": "begin", "id": 1, "tool": "pen", "color": "#000000", "width": 9,
                "pts": [1, 1]}, {"op": "end", "id": 1}]  # fmt: skip
        assert sent.run(actions.append_ops, room.pk, ids["drawer"], turn_id, 0, ops) is True
        clock.shift(80)
        sent.run(actions.tick, room.pk)
    finally:
        signals.turn_started.disconnect(receivers["started"])
        signals.canvas_changed.disconnect(receivers["canvas"])
        signals.turn_ended.disconnect(receivers["ended"])
    assert heard == [
        ("started", {"room_id": room.pk, "turn_id": turn_id}),
        ("canvas", {"room_id": room.pk, "turn_id": turn_id, "op_count": 2}),
        ("ended", {"room_id": room.pk, "turn_id": turn_id}),
    ]
    room.refresh_from_db()
    assert room.turns.get(pk=turn_id).op_log() == ops


def test_connections_of_a_process_that_died_go_stale_and_then_lose_the_seat(sent):
    import datetime as dt

    from django.utils import timezone

    room, ids = seated_room("host", "b")
    # The process holding b's socket stopped vouching for it 91 s ago (it crashed).
    Player.objects.filter(pk=ids["b"]).update(seen_at=timezone.now() - dt.timedelta(seconds=91))
    actions.heartbeat([room.pk], ["conn-does-not-matter"])
    sent.run(actions.tick, room.pk)
    assert sent.seen(ids["host"], "presence") == [
        {"type": "presence", "player_id": ids["b"], "connected": False}
    ]
    clock.shift(61)
    sent.run(actions.tick, room.pk)
    assert sent.seen(ids["host"], "player_left")[0]["reason"] == "timeout"


def test_a_live_process_keeps_vouching_for_its_connections(sent):
    import datetime as dt

    from django.utils import timezone

    room, ids = seated_room("host", "b")
    b = Player.objects.get(pk=ids["b"])
    Player.objects.filter(pk=b.pk).update(seen_at=timezone.now() - dt.timedelta(seconds=91))
    actions.heartbeat([room.pk], [b.connection_id])
    sent.run(actions.tick, room.pk)
    assert sent.seen(ids["host"], "presence") == []
    assert Player.objects.get(pk=b.pk).connected


def _signed_in_drawing_room(sent, django_user_model, players: int):
    """A room whose host draws 사과 while ``players - 1`` others guess, all signed in (so a
    whole scene would read their badges); returns (room, player ids)."""
    people = [
        Identity(
            user_id=django_user_model.objects.create_user(f"u{i}").pk, guest_id=None, name=f"u{i}"
        )
        for i in range(players)
    ]
    room = create_room(
        people[0], custom_words=["사과"], custom_words_only=True, word_choices=1, max_players=12
    )
    ids = [actions.connect(room.pk, person, f"conn-{person.name}").player_id for person in people]
    sent.run(actions.start, room.pk, ids[0])
    sent.run(actions.choose, room.pk, ids[0], 0)
    sent.clear()
    return room, ids


@pytest.mark.parametrize("players", [2, 8])
def test_a_connect_reads_the_joining_player_not_the_whole_room(sent, django_user_model, players):
    room, _ids = _signed_in_drawing_room(sent, django_user_model, players)
    late = django_user_model.objects.create_user("late")
    with CaptureQueriesContext(connection) as queries:
        sent.run(actions.connect, room.pk, Identity(late.pk, None, "late"), "conn-late")
    # The same for 2 and 8 players: no query reads every seat for the player_joined event
    # (the lock, time's catch-up, the seat, the count, the insert, the draw queue, the
    # joiner's badge, the next wake-up, the version).
    assert len(queries) == 17
    (joined,) = sent.seen(_ids[0], "player_joined")
    assert joined["player"]["badge"] is not None and joined["player"]["guessed"] is False


def test_a_player_back_in_the_turn_they_guessed_shows_as_guessed(sent):
    room, ids = drawing_room(sent, "drawer", "bob", "carol")
    chat(sent, room, ids["bob"], "사과")
    sent.run(actions.leave, room.pk, ids["bob"])
    bob = Player.objects.get(pk=ids["bob"])
    sent.clear()
    sent.run(actions.connect, room.pk, Identity(None, bob.guest_id, "bob"), "conn-bob-2")
    (joined,) = sent.seen(ids["drawer"], "player_joined")
    assert joined["player"]["id"] == ids["bob"] and joined["player"]["guessed"] is True
