"""One OS process of the AI-seat race (tests/ai/test_race.py).

``python -m tests.ai.race_worker setup`` creates a room with an AI seat and a running turn and
prints ``{"room": id, "turn": id}``. ``python -m tests.ai.race_worker race ROOM TURN N KEY``
makes N attempts at the room's AI seat through :func:`game.ai.player.step`, growing the
canvas before each one; its guesser counts the calls in flight in Redis (``KEY``), so the
test can read the highest concurrency any process ever saw. Prints ``{"calls": n}``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catchmind.settings")
    import django

    django.setup()


def setup() -> None:
    _django()
    from tests.ai.conftest import seat_ai_turn

    room, turn, _, _ = seat_ai_turn(difficulty="hard")
    print(json.dumps({"room": room.id, "turn": turn.id}))


class CountingGuesser:
    """A backend that holds the seat for a few milliseconds and counts who else is in."""

    backend = "local"
    model = "race"

    def __init__(self, redis, key: str) -> None:
        self.redis, self.key, self.calls = redis, key, 0

    async def guess(self, ops, candidates, k=3):
        from game.ai.guessers import GuessResult

        now_in = self.redis.incr(f"{self.key}:in")
        self.redis.rpush(f"{self.key}:seen", now_in)
        try:
            self.calls += 1
            await asyncio.sleep(0.01)
        finally:
            self.redis.decr(f"{self.key}:in")
        return GuessResult(backend=self.backend, model=self.model)


def race(room_id: int, turn_id: int, attempts: int, key: str) -> None:
    _django()
    import redis
    from channels.db import database_sync_to_async
    from django.conf import settings
    from django.db.models import F

    from game.ai import player
    from game.models import Turn

    settings.CATCHMIND_AI_INTERVAL_LOCAL = 0.0
    player.PROFILES["hard"] = player.Profile(reaction=0.0, min_confidence=1.1, max_guesses=99)
    guesser = CountingGuesser(redis.Redis.from_url(os.environ["RACE_REDIS_URL"]), key)

    def grow() -> None:
        Turn.objects.filter(pk=turn_id).update(op_count=F("op_count") + 1)

    async def main() -> None:
        for _ in range(attempts):
            await database_sync_to_async(grow)()
            # A stop means the other process already looked at this canvas: grow it again.
            p = await player.step(room_id, guesser)
            if p.wait:
                await asyncio.sleep(min(p.wait, 0.02))

    asyncio.run(main())
    print(json.dumps({"calls": guesser.calls}))


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup()
    else:
        race(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
