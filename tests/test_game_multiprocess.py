"""Scale-out for real: two Daphne processes on PostgreSQL + Redis, players on both
(the ``servers`` fixture, tests/shared_fixtures.py).

Nothing is shared between the processes but the database and Redis, as in production behind
a load balancer without sticky sessions (DESIGN §2). The players are real websocket clients.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest

from tests.process_support import Client

pytestmark = pytest.mark.services


async def test_players_on_two_processes_play_a_full_turn(servers):
    one, two = servers
    alice, bob, carol = Client("앨리스", one), Client("밥", two), Client("캐럴", two)
    for client in (alice, bob, carol):
        await asyncio.to_thread(client.sign_in)
    room = await asyncio.to_thread(
        alice.browser.request,
        "POST",
        "/api/rooms",
        {"custom_words": "사과", "custom_words_only": True, "word_choices": 1, "rounds": 1},
    )
    code = room["room"]["code"]
    # The other process knows the room too: the database is the state.
    assert (await asyncio.to_thread(bob.browser.request, "GET", f"/api/rooms/{code}"))["code"]

    async with AsyncExitStack() as stack:
        for client in (alice, bob, carol):
            await client.connect(stack, code)
        joined = await alice.expect("player_joined", lambda m: m["player"]["id"] == carol.id)
        assert joined["player"]["name"] == "캐럴"

        await alice.send("start")
        await bob.expect("phase", lambda m: m["phase"] == "choosing")
        await alice.send("choose", index=0)
        drawing = await carol.expect("phase", lambda m: m["phase"] == "drawing")
        assert (drawing["turn"]["hint"], drawing["turn"]["word"]) == ("__", None)

        # Strokes drawn on process one reach players on process two, once and in order.
        ops = [
            {"op": "begin", "id": 1, "tool": "pen", "color": "#ff0000", "width": 40, "pts": [1, 2]},
            {"op": "points", "id": 1, "pts": [3, 4, 5, 6]},
        ]
        await alice.send("draw", ops=ops)
        await alice.send("draw", ops=[{"op": "end", "id": 1}])
        for client in (bob, carol):
            first = await client.expect("draw")
            second = await client.expect("draw")
            assert (first["seq"], first["ops"], second["seq"]) == (0, ops, 2)

        # A guess on process two is judged once and seen on both.
        await bob.send("chat", text="배")
        assert (await alice.expect("chat"))["text"] == "배"
        await bob.send("chat", text="사과!")
        assert (await bob.expect("guessed"))["word"] == "사과"
        assert "word" not in await alice.expect("guessed")
        await carol.send("chat", text="사과요")
        reveal = await alice.expect("phase", lambda m: m["phase"] == "reveal")
        assert reveal["turn"]["reveal"]["reason"] == "all_guessed"
        assert set(reveal["turn"]["reveal"]["points"]) == {
            str(alice.id),
            str(bob.id),
            str(carol.id),
        }

        # Nobody acts: a wake-up timer in one of the processes ends the 5 s reveal, and the
        # next drawer (Bob, on process two) is announced on both.
        def bobs_turn(message: dict) -> bool:
            return message["phase"] == "choosing" and message["turn"]["drawer_id"] == bob.id

        assert (await alice.expect("phase", bobs_turn))["turn"]["choices"] is None
        assert (await bob.expect("phase", bobs_turn))["turn"]["choices"] == ["사과"]
