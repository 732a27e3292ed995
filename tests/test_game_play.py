"""A whole game over websockets, as three players see it (docs/rules.md, docs/protocol.md).

Time is the game clock (game.clock), moved by the tests; nothing sleeps.
"""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from game import clock, scoring
from game.models import Guess, Phase, Room, Turn
from tests.game_support import advance, create_room, new_player, stroke

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_thread_connections", "fresh_clock_and_cache"),
]

WORDS = ["사과", "바나나", "고양이"]
CLOSE = {"사과": "사가", "바나나": "바나니", "고양이": "고야이"}


async def seat_three(**options):
    alice, bob, carol = [await new_player(n) for n in ("앨리스", "밥", "캐럴")]
    settings = {"custom_words": WORDS, "custom_words_only": True, "rounds": 1} | options
    room = await sync_to_async(create_room)(alice.identity, **settings)
    for player in (alice, bob, carol):
        await player.connect(room.code)
    return room, alice, bob, carol


async def start_drawing(host) -> str:
    """The host starts the game, draws first and takes the first word offered: that word."""
    await host.send("start")
    await host.expect("phase", phase="choosing")
    await host.send("choose", index=0)
    return (await host.expect("phase", phase="drawing"))["turn"]["word"]


async def close_all(*players):
    for player in players:
        await player.close()


async def test_a_complete_game_with_three_players():
    room, alice, bob, carol = await seat_three()
    try:
        assert alice.snapshot["you"]["is_host"] is True
        assert [p["name"] for p in carol.snapshot["players"]] == ["앨리스", "밥", "캐럴"]

        # Only the host starts; the first drawer is the first to sit down.
        await bob.send("start")
        assert (await bob.expect("error", ref="start"))["code"] == "not_host"
        await alice.send("start")
        choosing = await alice.expect("phase", phase="choosing")
        assert choosing["turn"]["drawer_id"] == alice.id
        assert sorted(choosing["turn"]["choices"]) == sorted(WORDS)
        others_see = await bob.expect("phase", phase="choosing")
        assert others_see["turn"]["choices"] is None
        assert 14_000 < others_see["ends_at"] - others_see["server_time"] <= 15_000

        # The drawer picks a word; guessers see only its shape.
        await alice.send("choose", index=0)
        drawing = await alice.expect("phase", phase="drawing")
        word = drawing["turn"]["word"]
        assert word == choosing["turn"]["choices"][0]
        for guesser in (bob, carol):
            seen = await guesser.expect("phase", phase="drawing")
            assert seen["turn"]["word"] is None
            assert seen["turn"]["hint"] == "_" * len(word)
            assert 79_000 < seen["ends_at"] - seen["server_time"] <= 80_000

        # Strokes are relayed to everyone else, in order, with their position in the log.
        await alice.send("draw", ops=stroke(1, 100, 100, 200, 200, 300, 300))
        for guesser in (bob, carol):
            relayed = await guesser.expect("draw")
            assert relayed["seq"] == 0
            assert [op["op"] for op in relayed["ops"]] == ["begin", "points", "end"]

        # A wrong guess is chat for everyone; a close one is private to the guesser.
        await bob.send("chat", text="자동차")
        for player in (alice, bob, carol):
            line = await player.expect("chat", text="자동차")
            assert line["audience"] == "all"
        await bob.send("chat", text=CLOSE[word])
        assert (await bob.expect("close"))["text"] == CLOSE[word]
        assert await carol.nothing_of("chat", text=CLOSE[word])
        assert await alice.nothing_of("close")

        # Carol guesses right after 10 s: everyone learns that she did, only she sees the word.
        clock.shift(10)
        await carol.send("chat", text=f"{word}!")
        mine = await carol.expect("guessed", player_id=carol.id)
        assert mine["word"] == word
        assert mine["points"] == scoring.guesser_points(10_000, 80, 1) == 318
        theirs = await bob.expect("guessed", player_id=carol.id)
        assert "word" not in theirs
        assert await bob.nothing_of("chat", text=f"{word}!")

        # Chat of a player who guessed goes only to the drawer and the others who guessed.
        await carol.send("chat", text="쉽다")
        await alice.expect("chat", text="쉽다", audience="guessed")
        await carol.expect("chat", text="쉽다", audience="guessed")
        assert await bob.nothing_of("chat", text="쉽다")

        # Bob guesses 10 s later: every human guesser has guessed, so the turn ends at once.
        clock.shift(10)
        await bob.send("chat", text=word)
        reveal = await bob.expect("phase", phase="reveal")
        assert reveal["turn"]["word"] == word
        assert reveal["turn"]["reveal"]["reason"] == "all_guessed"
        points = reveal["turn"]["reveal"]["points"]
        assert points == {
            str(carol.id): 318,
            str(bob.id): scoring.guesser_points(20_000, 80, 2),
            str(alice.id): scoring.drawer_points([10_000, 20_000], 2, 80),
        }
        assert points[str(bob.id)] == 267 and points[str(alice.id)] == 281

        # Next turn after the 5 s reveal: Bob draws. He lets the 15 s pass: a word is picked.
        for player in (alice, bob, carol):
            await player.forget()
        await advance(room, 5)
        turn2 = await bob.expect("phase", phase="choosing")
        assert turn2["turn"]["drawer_id"] == bob.id
        await advance(room, 15)
        drawing2 = await bob.expect("phase", phase="drawing")
        assert drawing2["turn"]["word"] in turn2["turn"]["choices"]
        # Nobody guesses: time runs out, the drawer earns nothing.
        await advance(room, 80)
        reveal2 = await carol.expect("phase", phase="reveal")
        assert reveal2["turn"]["reveal"]["reason"] == "time_up"
        assert reveal2["turn"]["reveal"]["points"] == {str(bob.id): 0}

        # Carol's turn; Alice guesses at once; then the game is over after the last reveal.
        for player in (alice, bob, carol):
            await player.forget()
        await advance(room, 5)
        await carol.expect("phase", phase="choosing")
        await carol.send("choose", index=0)
        word3 = (await carol.expect("phase", phase="drawing"))["turn"]["word"]
        await alice.send("chat", text=word3)
        await alice.expect("guessed", player_id=alice.id)
        await advance(room, 80)
        reveal3 = await alice.expect("phase", phase="reveal")
        assert reveal3["turn"]["reveal"]["reason"] == "time_up"
        await advance(room, 5)
        final = await bob.expect("phase", phase="finished")
        ranking = final["ranking"]
        assert [r["player_id"] for r in ranking] == sorted(
            (alice.id, bob.id, carol.id),
            key=lambda pid: -reveal3["turn"]["reveal"]["scores"][str(pid)],
        )
        assert ranking[0]["rank"] == 1
        assert final["ends_at"] is None and final["turn"] is None

        # The host can play again: back to the lobby with scores at zero.
        await alice.send("restart")
        lobby = await carol.expect("phase", phase="lobby")
        assert {p["score"] for p in lobby["players"]} == {0}
    finally:
        await close_all(alice, bob, carol)

    # The turn keeps its drawing and its guess timeline.
    turn = await sync_to_async(Turn.objects.get)(pk=drawing["turn"]["id"])
    assert await sync_to_async(turn.op_log)() == stroke(1, 100, 100, 200, 200, 300, 300)
    verdicts = await sync_to_async(list)(
        Guess.objects.filter(turn=turn).values_list("verdict", "points")
    )
    assert verdicts == [("wrong", 0), ("close", 0), ("correct", 318), ("correct", 267)]


async def test_a_late_joiner_gets_every_op_of_the_running_turn_in_one_snapshot():
    room, alice, bob, carol = await seat_three()
    dave = await new_player("데이브")
    try:
        word = await start_drawing(alice)
        finished = stroke(1, 10, 10, 20, 20)
        await alice.send("draw", ops=finished)
        # A second stroke is still being drawn: not persisted yet, only relayed.
        open_stroke = stroke(2, 500, 500, 600, 600)[:2]
        await alice.send("draw", ops=open_stroke)
        await bob.expect("draw", seq=3)

        snapshot = await dave.connect(room.code)
        assert snapshot["turn"]["ops"] == finished + open_stroke
        assert snapshot["turn"]["seq"] == 5
        assert snapshot["you"]["role"] == "waiting"
        assert snapshot["turn"]["word"] is None

        # The stroke goes on: Dave gets exactly the continuation, once.
        rest = [{"op": "points", "id": 2, "pts": [700, 700]}, {"op": "end", "id": 2}]
        await alice.send("draw", ops=rest)
        relayed = await dave.expect("draw")
        assert relayed["seq"] == 5 and len(relayed["ops"]) == 2

        # Someone who joined during the turn waits for the next one to guess.
        await dave.send("chat", text=word)
        assert (await dave.expect("error", ref="chat"))["code"] == "not_in_turn"
        assert await bob.nothing_of("chat", text=word)

        # Reconnecting brings the same seat and the same drawing back.
        await bob.close()
        await bob.connect(room.code)
        assert bob.snapshot["you"]["player_id"] == bob.id
        assert bob.snapshot["turn"]["ops"] == finished + open_stroke + rest
    finally:
        await close_all(alice, bob, carol, dave)


async def test_drawer_cannot_chat_the_answer():
    room, alice, bob, carol = await seat_three()
    try:
        word = await start_drawing(alice)
        await alice.send("chat", text=f"정답은 {word}")
        error = await alice.expect("error", ref="chat")
        assert error["code"] == "reveals_answer"
        await alice.send("chat", text=f"{CLOSE[word]}랑 비슷해")
        assert (await alice.expect("error", ref="chat"))["code"] == "reveals_answer"
        assert await bob.nothing_of("chat")
        await alice.send("chat", text="힌트: 과일일까?")
        await bob.expect("chat", text="힌트: 과일일까?")
    finally:
        await close_all(alice, bob, carol)


async def test_the_turn_ends_when_the_drawer_leaves_without_penalty_to_guessers():
    room, alice, bob, carol = await seat_three()
    try:
        word = await start_drawing(alice)
        await bob.send("chat", text=word)
        earned = (await bob.expect("guessed", player_id=bob.id))["points"]
        await alice.send("leave")
        await alice.expect_closed()
        reveal = await bob.expect("phase", phase="reveal")
        assert reveal["turn"]["reveal"]["reason"] == "drawer_left"
        assert reveal["turn"]["reveal"]["points"] == {str(bob.id): earned}
        # The host passed on to the next player who sat down.
        assert (await carol.expect("host"))["player_id"] == bob.id
        # Two humans remain: the game goes on with Bob.
        await carol.forget()
        await advance(room, 5)
        assert (await carol.expect("phase", phase="choosing"))["turn"]["drawer_id"] == bob.id
    finally:
        await close_all(alice, bob, carol)


async def test_hints_show_initial_consonants_first_and_never_to_those_who_know():
    room, alice, bob, carol = await seat_three(custom_words=["사과", "바나나"], word_choices=1)
    try:
        word = await start_drawing(alice)
        await carol.send("chat", text=word)
        await carol.expect("guessed", player_id=carol.id)
        await advance(room, 80 / 3 + 0.1)
        hint = await bob.expect("hint")
        assert hint["level"] == 1
        assert hint["hint"] == {"사과": "ㅅㄱ", "바나나": "ㅂㄴㄴ"}[word]
        assert await alice.nothing_of("hint")
        assert await carol.nothing_of("hint")
    finally:
        await close_all(alice, bob, carol)


async def test_a_disconnected_player_keeps_the_seat_for_60_seconds():
    room, alice, bob, carol = await seat_three()
    try:
        await carol.close()
        assert (await alice.expect("presence", player_id=carol.id))["connected"] is False
        await advance(room, 59)
        assert await alice.nothing_of("player_left")
        await advance(room, 2)
        left = await alice.expect("player_left", player_id=carol.id)
        assert left["reason"] == "timeout"
        seated = await sync_to_async(
            lambda: list(Room.objects.get(pk=room.pk).players.filter(left_at__isnull=True))
        )()
        assert carol.id not in [p.pk for p in seated]
    finally:
        await close_all(alice, bob, carol)


async def test_a_game_stops_when_fewer_than_two_humans_remain():
    room, alice, bob, carol = await seat_three()
    try:
        await alice.send("start")
        await alice.expect("phase", phase="choosing")
        await bob.send("leave")
        await carol.send("leave")
        final = await alice.expect("phase", phase="finished")
        assert [r["player_id"] for r in final["ranking"]] == [alice.id]
        assert (await sync_to_async(Room.objects.get)(pk=room.pk)).phase == Phase.FINISHED
    finally:
        await close_all(alice, bob, carol)


async def test_custom_words_are_the_answers_so_only_the_host_sees_them():
    room, alice, bob, carol = await seat_three()
    try:
        assert alice.snapshot["room"]["settings"]["custom_words"] == WORDS
        assert bob.snapshot["room"]["settings"]["custom_words"] == []
        assert bob.snapshot["room"]["settings"]["custom_word_count"] == len(WORDS)

        await alice.send("settings", settings={"rounds": 2})
        assert (await alice.expect("settings"))["settings"]["custom_words"] == WORDS
        for guest in (bob, carol):
            assert (await guest.expect("settings"))["settings"]["custom_words"] == []

        # The next host inherits the words, so saving the settings cannot wipe them.
        await alice.send("leave")
        assert (await bob.expect("host"))["player_id"] == bob.id
        assert (await bob.expect("settings"))["settings"]["custom_words"] == WORDS
        assert (await carol.expect("settings"))["settings"]["custom_words"] == []
    finally:
        await close_all(alice, bob, carol)
