"""The AI player in real rooms, over websockets: it watches a drawing grow, guesses through
the same chat path as people, scores, shows its "thinking" only to those who may see it, and
never holds a turn open when its backend fails."""

from __future__ import annotations

import asyncio
from functools import cache

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache as django_cache

from game import clock
from game.ai import player as ai_player
from game.ai.records import AICall
from game.ai.render import quickdraw_to_ops
from game.models import Guess, Player, Verdict
from tests.ai.fake_openai import Reply
from tests.game_support import advance, create_room, new_player, stroke

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # A channel layer of each test's own event loop, as in the game tests: the Redis layer
    # reused from an earlier test's (closed) loop can refuse to receive, and then the room's
    # events never reach the players.
    pytest.mark.usefixtures("close_thread_connections"),
]

#: The well-covered Quick, Draw! categories and their words in the Korean pack.
WELL_COVERED = {
    "비행기": "airplane",
    "자전거": "bicycle",
    "계산기": "calculator",
    "카메라": "camera",
    "고양이": "cat",
    "컴퓨터": "computer",
    "크레용": "crayon",
    "기타": "guitar",
    "헤드폰": "headphones",
    "지도": "map",
    "텔레비전": "television",
}


@pytest.fixture(autouse=True)
def fresh_clock_and_cache():
    clock.reset()
    django_cache.clear()
    yield
    clock.reset()


@pytest.fixture
async def quick_ai(settings, monkeypatch):
    """The AI reacts at once and may look again 50 ms later (instead of seconds), so a test
    replays a drawing in well under a second. Thresholds and guess counts are the real ones."""
    for name, prof in ai_player.PROFILES.items():
        monkeypatch.setitem(
            ai_player.PROFILES,
            name,
            ai_player.Profile(0.0, prof.min_confidence, prof.max_guesses),
        )
    settings.CATCHMIND_AI_INTERVAL_LOCAL = 0.05
    settings.CATCHMIND_AI_INTERVAL_REMOTE = 0.05
    yield
    # No driver may outlive its test (and its database).
    runner = ai_player.runner()
    tasks = list(runner.tasks.values())
    runner.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await runner.close_connections()


@cache
def clear_drawing(category: str) -> list:
    """The first held-out Quick, Draw! drawing of ``category`` that the local model, shown
    the finished drawing, ranks first among the room's words with confidence >= 0.6."""
    from game.ai.sketch import SketchModel, is_validation
    from tests.ai.conftest import quickdraw_dir  # noqa: F401 - path from the environment

    model = SketchModel.get()
    import json

    path = quickdraw_dir_path() / f"{category}.ndjson"
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if not is_validation(str(row["key_id"])):
                continue
            ranked = model.rank(quickdraw_to_ops(row["drawing"]), WELL_COVERED, 1)
            if ranked and WELL_COVERED[ranked[0][0]] == category and ranked[0][1] >= 0.6:
                return row["drawing"]
    raise AssertionError(f"no clear held-out drawing of {category}")


def quickdraw_dir_path():
    from tests.conftest import quickdraw_dir

    return quickdraw_dir() / "simplified"


async def replay(drawer, drawing) -> None:
    """The drawer draws ``drawing`` op by op, as a browser streams it."""
    for op in quickdraw_to_ops(drawing, chunk=8):
        await drawer.send("draw", ops=[op])
        await asyncio.sleep(0.02)  # under the 60 batches/s limit


async def solo_room(**options):
    """One human drawing against the AI: the room's words are the well-covered categories and
    the drawer is offered one of them."""
    host = await new_player("혼자")
    settings = {
        "custom_words": list(WELL_COVERED),
        "custom_words_only": True,
        "word_choices": 1,
        "rounds": 1,
        "ai_enabled": True,
        "ai_difficulty": "normal",
    } | options
    room = await sync_to_async(create_room)(host.identity, **settings)
    await host.connect(room.code)
    ai = next(p for p in host.snapshot["players"] if p["is_ai"])
    await host.send("start")
    choosing = await host.expect("phase", phase="choosing")
    assert choosing["turn"]["drawer_id"] == host.id
    await host.send("choose", index=0)
    drawing = await host.expect("phase", phase="drawing")
    return room, host, ai, drawing["turn"]["word"]


@pytest.mark.shared_data
async def test_alone_against_the_ai_it_guesses_a_quickdraw_drawing_and_scores(quick_ai):
    room, host, ai, word = await solo_room()
    try:
        # The AI sits in the room like a player, labelled as the AI.
        assert ai["name"] == "AI" and ai["is_ai"] is True and ai["score"] == 0

        await replay(host, clear_drawing(WELL_COVERED[word]))

        # It guesses through the chat path: a "guessed" event with points, like a person.
        got_it = await host.expect("guessed", player_id=ai["id"], timeout=10)
        assert got_it["points"] > 0 and got_it["score"] == got_it["points"]
        # Alone with the AI, the drawer's turn ends once the AI guessed (no human left to).
        reveal = await host.expect("phase", phase="reveal")
        assert reveal["turn"]["reveal"]["reason"] == "all_guessed"
        assert reveal["turn"]["reveal"]["points"][str(ai["id"])] == got_it["points"]
        assert reveal["turn"]["reveal"]["points"][str(host.id)] > 0  # the drawer scores too
        # The drawer watched it think while drawing; everyone sees its last top 3 at the end.
        thinking = [m for m in host.log if m["type"] == "ai_thinking" and not m.get("final")]
        assert thinking and all(len(m["guesses"]) <= 3 for m in thinking)
        final = await host.expect("ai_thinking", final=True)
        assert word in [g["word"] for g in final["guesses"]]

        guess = await sync_to_async(Guess.objects.get)(player_id=ai["id"], verdict=Verdict.CORRECT)
        assert guess.text == word
        calls = await sync_to_async(list)(AICall.objects.filter(room_id=room.pk))
        assert calls and {c.backend for c in calls} == {"local"}
        assert all(c.outcome == "ok" for c in calls)
        assert (await sync_to_async(Player.objects.get)(pk=ai["id"])).score == got_it["points"]
    finally:
        await host.close()


@pytest.mark.shared_data
async def test_a_failing_backend_leaves_the_ai_silent_and_the_turn_ends_on_time(
    quick_ai, openai_settings, fake_openai
):
    fake_openai.script(Reply(status=500, headers={"retry-after-ms": "5"}))
    openai_settings.CATCHMIND_AI_TIMEOUT = 2.0
    room, host, ai, word = await solo_room(ai_backend="openai")
    try:
        await replay(host, clear_drawing(WELL_COVERED[word]))
        for _ in range(100):  # the AI really tried (each try = a request and one retry)
            if len(fake_openai.requests) >= 2:
                break
            await asyncio.sleep(0.05)
        assert len(fake_openai.requests) >= 2

        await advance(room, 81)
        reveal = await host.expect("phase", phase="reveal")
        assert reveal["turn"]["reveal"]["reason"] == "time_up"
        assert str(ai["id"]) not in reveal["turn"]["reveal"]["points"]
        assert not [m for m in host.log if m["type"] == "guessed"]

        await asyncio.sleep(0.3)  # let a call still in flight finish and be recorded
        outcomes = await sync_to_async(list)(
            AICall.objects.filter(room_id=room.pk).values_list("backend", "outcome")
        )
        # Every call failed (500s; on a busy machine maybe a timeout too) and was recorded.
        assert ("openai", "error") in outcomes
        assert {outcome for _, outcome in outcomes} <= {"error", "timeout"}
        assert fake_openai.max_in_flight == 1
    finally:
        await host.close()


async def test_only_the_drawer_and_those_who_guessed_see_the_ai_thinking(
    quick_ai, openai_settings, fake_openai
):
    # A remote backend that is never sure: the AI thinks out loud but never speaks.
    fake_openai.script(Reply.guesses(("비행기", 0.3), ("고양이", 0.25), ("기타", 0.1)))
    drawer, bob, carol = [await new_player(n) for n in ("그림왕", "밥", "캐럴")]
    room = await sync_to_async(create_room)(
        drawer.identity,
        custom_words=["고양이", "비행기", "기타"],
        custom_words_only=True,
        word_choices=1,
        rounds=1,
        ai_enabled=True,
        ai_backend="openai",
    )
    for p in (drawer, bob, carol):
        await p.connect(room.code)
    try:
        await drawer.send("start")
        await drawer.send("choose", index=0)
        word = (await drawer.expect("phase", phase="drawing"))["turn"]["word"]

        await drawer.send("draw", ops=stroke(1, 1000, 1000, 5000, 5000))
        seen = await drawer.expect("ai_thinking", timeout=5)
        assert [g["word"] for g in seen["guesses"]] == ["비행기", "고양이", "기타"]
        assert seen["guesses"][0]["confidence"] == 0.3
        assert await bob.nothing_of("ai_thinking")
        assert await carol.nothing_of("ai_thinking")

        # Bob guesses: from now on he may watch the AI think, Carol still may not.
        await bob.send("chat", text=word)
        await bob.expect("guessed", player_id=bob.id)
        await drawer.send("draw", ops=stroke(2, 2000, 2000, 6000, 6000))
        await bob.expect("ai_thinking", timeout=5)
        assert await carol.nothing_of("ai_thinking")
        # The unsure AI never said a word in chat.
        assert not [m for m in drawer.log if m["type"] == "chat" and m["player_id"] != bob.id]

        # At the reveal everyone sees what the AI was thinking.
        await advance(room, 81)
        final = await carol.expect("ai_thinking", final=True)
        assert final["guesses"][0]["word"] == "비행기"
        request = fake_openai.requests[0].body
        enum = request["response_format"]["json_schema"]["schema"]["properties"]["guesses"]
        assert sorted(enum["items"]["properties"]["word"]["enum"]) == sorted(
            ["고양이", "비행기", "기타"]
        )
    finally:
        for p in (drawer, bob, carol):
            await p.close()


async def test_an_answer_that_arrives_after_the_turn_ended_is_not_said(
    quick_ai, openai_settings, fake_openai
):
    # The remote model is sure and right, but slow: the turn is over when its answer comes.
    openai_settings.CATCHMIND_AI_TIMEOUT = 5.0
    fake_openai.script(Reply.guesses(("고양이", 0.99), delay=1.0))
    drawer, bob = await new_player("그림왕"), await new_player("밥")
    room = await sync_to_async(create_room)(
        drawer.identity,
        custom_words=["고양이"],
        custom_words_only=True,
        word_choices=1,
        rounds=1,
        ai_enabled=True,
        ai_backend="openai",
    )
    for p in (drawer, bob):
        await p.connect(room.code)
    try:
        await drawer.send("start")
        await drawer.send("choose", index=0)
        await drawer.expect("phase", phase="drawing")
        await drawer.send("draw", ops=stroke(1, 1000, 1000, 5000, 5000))
        for _ in range(100):  # the AI's call is in flight
            if fake_openai.requests:
                break
            await asyncio.sleep(0.02)
        assert fake_openai.requests

        # Time is up while the AI waits: the turn ends on time, without it.
        await advance(room, 81)
        reveal = await bob.expect("phase", phase="reveal")
        assert reveal["turn"]["reveal"]["reason"] == "time_up"

        for _ in range(100):  # the late answer is still recorded...
            if await sync_to_async(AICall.objects.filter(room_id=room.pk).exists)():
                break
            await asyncio.sleep(0.05)
        call = await sync_to_async(AICall.objects.get)(room_id=room.pk)
        assert (call.outcome, call.guesses[0]["word"]) == ("ok", "고양이")
        # ...but never said: no guess, no points, no chat line from the AI.
        assert await bob.nothing_of("guessed")
        assert not await sync_to_async(Guess.objects.filter(turn__room_id=room.pk).exists)()
        assert not [m for m in bob.log if m["type"] == "chat"]
    finally:
        for p in (drawer, bob):
            await p.close()
