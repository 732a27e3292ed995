"""Fixtures of the AI-player tests: a fake OpenAI-compatible server and Quick, Draw! data."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.ai.fake_openai import FakeOpenAI
from tests.conftest import quickdraw_dir


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def openai_settings(settings, fake_openai):
    """The site configured for the openai backend, pointed at the fake server."""
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_BASE_URL = fake_openai.base_url
    settings.CATCHMIND_AI_OPENAI_MODEL = "ft:gpt-4o-mini:catchmind:doodles:abc123"
    settings.CATCHMIND_AI_TIMEOUT = 0.5
    settings.CATCHMIND_AI_MAX_RETRIES = 1
    return settings


def quickdraw_drawings(category: str, limit: int = 50) -> list[list]:
    """The first ``limit`` recognised drawings of a category from the shared data."""
    path = quickdraw_dir() / "simplified" / f"{category}.ndjson"
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row.get("recognized", True):
                out.append(row["drawing"])
            if len(out) >= limit:
                break
    return out


@pytest.fixture
def game_clock():
    """The game's clock, moved by tests instead of sleeping; reset afterwards."""
    from game import clock

    clock.reset()
    yield clock
    clock.reset()


def seat_ai_turn(*, difficulty: str = "normal", backend: str = "", ops: list | None = None):
    """A room in its drawing phase with a human drawer, a human guesser and the AI seat.

    Returns (room, turn, drawer, ai). The turn's answer is 고양이 (cat); ``ops`` are stored as
    the turn's persisted stroke log.
    """
    import datetime as dt

    from game import clock
    from game.models import Phase, Player, Room, Turn, TurnOps

    now = clock.now()
    room = Room.objects.create(
        ai_enabled=True, ai_difficulty=difficulty, ai_backend=backend, phase=Phase.DRAWING
    )
    drawer = Player.objects.create(room=room, name="그림왕", guest_id="g1", joined_at=now)
    guesser = Player.objects.create(room=room, name="손님", guest_id="g2", joined_at=now)
    ai = Player.objects.create(room=room, name="AI", is_ai=True, joined_at=now)
    turn = Turn.objects.create(
        room=room,
        game_number=1,
        round_number=1,
        drawer=drawer,
        word="고양이",
        category="cat",
        language="ko",
        guessers=[guesser.id, ai.id],
        created_at=now,
        started_at=now,
        draw_time=80,
    )
    if ops:
        TurnOps.objects.create(turn=turn, seq=0, ops=ops)
        turn.op_count = len(ops)
        turn.save(update_fields=["op_count"])
    room.current_turn = turn
    room.ends_at = now + dt.timedelta(seconds=80)
    room.save(update_fields=["current_turn", "ends_at"])
    return room, turn, drawer, ai
