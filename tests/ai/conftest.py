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
