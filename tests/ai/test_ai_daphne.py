"""The AI player in real Daphne servers on PostgreSQL + Redis: a player alone against the AI
draws a Quick, Draw! drawing on one process, in real time, and the local AI guesses it."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest

from game.ai.render import quickdraw_to_ops
from tests.ai.test_ai_play import WELL_COVERED, clear_drawing
from tests.process_support import Client

pytestmark = [pytest.mark.services, pytest.mark.shared_data]


async def test_alone_against_the_ai_on_a_real_server(servers):
    port = servers[0]
    host = Client("혼자", port)
    await asyncio.to_thread(host.sign_in)
    room = await asyncio.to_thread(
        host.browser.request,
        "POST",
        "/api/rooms",
        {
            "custom_words": ",".join(WELL_COVERED),
            "custom_words_only": True,
            "word_choices": 1,
            "rounds": 1,
            "ai_enabled": True,
            "ai_difficulty": "hard",
        },
    )
    async with AsyncExitStack() as stack:
        await host.connect(stack, room["room"]["code"])
        await host.send("start")
        await host.expect("phase", lambda m: m["phase"] == "choosing")
        await host.send("choose", index=0)
        drawing = await host.expect("phase", lambda m: m["phase"] == "drawing")
        word = drawing["turn"]["word"]
        ai_id = next(p["id"] for p in drawing["players"] if p["is_ai"])

        # Real time, real pacing: a stroke every 0.3 s, like a quick human.
        for op in quickdraw_to_ops(clear_drawing(WELL_COVERED[word]), chunk=8):
            await host.send("draw", ops=[op])
            await asyncio.sleep(0.3 if op["op"] == "end" else 0.02)

        guessed = await host.expect("guessed", lambda m: m["player_id"] == ai_id)
        assert guessed["points"] > 0
        reveal = await host.expect("phase", lambda m: m["phase"] == "reveal")
        assert reveal["turn"]["reveal"]["reason"] == "all_guessed"
        assert await host.expect("ai_thinking", lambda m: m.get("final"))
