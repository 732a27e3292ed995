"""The openai backend, through the real ``openai`` SDK against a fake server on 127.0.0.1."""

from __future__ import annotations

import base64
import io
import time

import pytest
from PIL import Image

from game.ai.guessers import OpenAIGuesser, Outcome, get_guesser
from tests.ai.fake_openai import Reply

CANDIDATES = {"고양이": "cat", "비행기": "airplane", "자전거": "bicycle", "무지개": None}

# A thick red horizontal bar across the upper part of the board (board units 0..9999).
RED_BAR = [
    {"op": "begin", "id": 1, "tool": "pen", "color": "#ff0000", "width": 300, "pts": [1000, 2000]},
    {"op": "points", "id": 1, "pts": [5000, 2000, 9000, 2000]},
    {"op": "end", "id": 1},
]


def guesser(fake_openai, **kw) -> OpenAIGuesser:
    options = {"api_key": "sk-test", "model": "gpt-4o-mini", "timeout": 2.0, "max_retries": 1}
    options.update(kw)
    return OpenAIGuesser(base_url=fake_openai.base_url, **options)


def sent_image(request) -> Image.Image:
    parts = request.body["messages"][-1]["content"]
    url = next(p["image_url"]["url"] for p in parts if p["type"] == "image_url")
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(url[len(prefix) :]))).convert("RGB")


async def test_the_drawing_goes_out_as_a_colour_png_with_the_candidates_as_an_enum(fake_openai):
    fake_openai.script(Reply.guesses(("고양이", 0.7), ("비행기", 0.2)))
    result = await guesser(fake_openai, model="ft:gpt-4o-mini:catchmind::x1").guess(
        RED_BAR, CANDIDATES
    )

    assert result.outcome == Outcome.OK
    assert [(g.word, g.confidence) for g in result.guesses] == [("고양이", 0.7), ("비행기", 0.2)]
    assert (result.prompt_tokens, result.completion_tokens) == (120, 30)

    [request] = fake_openai.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    body = request.body
    assert body["model"] == "ft:gpt-4o-mini:catchmind::x1"
    assert body["messages"][0]["role"] == "system"
    assert "drawing-and-guessing game" in body["messages"][0]["content"]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    item = fmt["json_schema"]["schema"]["properties"]["guesses"]["items"]
    assert item["properties"]["word"]["enum"] == list(CANDIDATES)

    image = sent_image(request)
    width, height = image.size
    assert (width, height) == (512, 384)
    # Ink is where the stroke was (y = 20% of the board, x from 10% to 90%), in red...
    y = round(0.2 * height)
    for fx in (0.12, 0.3, 0.5, 0.7, 0.88):
        r, g, b = image.getpixel((round(fx * width), y))
        assert r > 200 and g < 60 and b < 60, (fx, (r, g, b))
    # ...and nowhere else.
    for fx, fy in ((0.05, 0.2), (0.95, 0.2), (0.5, 0.5), (0.5, 0.9)):
        assert image.getpixel((round(fx * width), round(fy * height))) == (255, 255, 255)


async def test_guesses_outside_the_candidates_are_dropped(fake_openai):
    fake_openai.script(
        Reply.guesses(("강아지", 0.9), ("고양이", 0.5), ("dog", 0.4), ("자전거", 1.7))
    )
    result = await guesser(fake_openai).guess(RED_BAR, CANDIDATES)
    assert result.outcome == Outcome.OK
    assert [(g.word, g.confidence) for g in result.guesses] == [("자전거", 1.0), ("고양이", 0.5)]
    assert "dropped 2" in result.detail


async def test_malformed_json_is_an_error_and_no_guess(fake_openai):
    fake_openai.script(Reply(content='{"guesses": [{"word": "고양이", "confid'))
    result = await guesser(fake_openai).guess(RED_BAR, CANDIDATES)
    assert result.outcome == Outcome.ERROR
    assert result.guesses == []
    assert "malformed" in result.detail


async def test_an_answer_off_the_schema_is_an_error_and_no_guess(fake_openai):
    fake_openai.script(Reply(content='["고양이"]'))
    result = await guesser(fake_openai).guess(RED_BAR, CANDIDATES)
    assert (result.outcome, result.guesses) == (Outcome.ERROR, [])


async def test_a_refusal_is_recorded_as_refused_and_no_guess(fake_openai):
    fake_openai.script(Reply(content=None, refusal="I can't help with that."))
    result = await guesser(fake_openai).guess(RED_BAR, CANDIDATES)
    assert result.outcome == Outcome.REFUSED
    assert result.guesses == []
    assert "can't help" in result.detail


async def test_http_500_is_retried_at_most_once_then_an_error(fake_openai):
    fake_openai.script(Reply(status=500, headers={"retry-after-ms": "10"}))
    # Even a careless setting of 5 retries is held to one retry.
    result = await guesser(fake_openai, max_retries=5).guess(RED_BAR, CANDIDATES)
    assert result.outcome == Outcome.ERROR
    assert result.detail == "HTTP 500"
    assert len(fake_openai.requests) == 2


async def test_without_retries_a_500_is_asked_once(fake_openai):
    fake_openai.script(Reply(status=500))
    result = await guesser(fake_openai, max_retries=0).guess(RED_BAR, CANDIDATES)
    assert result.outcome == Outcome.ERROR
    assert len(fake_openai.requests) == 1


async def test_a_retry_that_succeeds_gives_guesses(fake_openai):
    fake_openai.script(
        Reply(status=500, headers={"retry-after-ms": "10"}), Reply.guesses(("비행기", 0.6))
    )
    result = await guesser(fake_openai).guess(RED_BAR, CANDIDATES)
    assert result.outcome == Outcome.OK
    assert [g.word for g in result.guesses] == ["비행기"]
    assert len(fake_openai.requests) == 2


async def test_a_slow_answer_past_the_timeout_is_a_timeout_and_no_guess(fake_openai):
    fake_openai.script(Reply.guesses(("고양이", 0.9), delay=5.0))
    start = time.monotonic()
    result = await guesser(fake_openai, timeout=0.3, max_retries=0).guess(RED_BAR, CANDIDATES)
    elapsed = time.monotonic() - start
    assert result.outcome == Outcome.TIMEOUT
    assert result.guesses == []
    assert elapsed < 1.5
    assert len(fake_openai.requests) == 1


async def test_a_slow_server_cannot_stretch_a_guess_past_its_deadline(fake_openai):
    fake_openai.script(Reply.guesses(("고양이", 0.9), delay=5.0))
    start = time.monotonic()
    result = await guesser(fake_openai, timeout=0.3, max_retries=1).guess(RED_BAR, CANDIDATES)
    assert result.outcome == Outcome.TIMEOUT
    assert time.monotonic() - start < 0.3 * 2 + 1.0 + 0.3
    assert len(fake_openai.requests) <= 2


async def test_an_unreachable_server_is_an_error_not_an_exception():
    g = OpenAIGuesser(
        api_key="sk-test", model="m", base_url="http://127.0.0.1:1/v1", timeout=0.5, max_retries=0
    )
    result = await g.guess(RED_BAR, CANDIDATES)
    assert result.outcome in (Outcome.ERROR, Outcome.TIMEOUT)
    assert result.guesses == []


async def test_an_empty_canvas_or_no_candidates_asks_nothing(fake_openai):
    g = guesser(fake_openai)
    assert (await g.guess([], CANDIDATES)).guesses == []
    assert (await g.guess(RED_BAR, {})).guesses == []
    assert fake_openai.requests == []


def test_the_site_settings_choose_the_backend(settings, openai_settings):
    settings.CATCHMIND_AI_BACKEND = "openai"
    g = get_guesser()
    assert g.backend == "openai"
    assert g.model == "ft:gpt-4o-mini:catchmind:doodles:abc123"
    assert g.base_url == openai_settings.OPENAI_BASE_URL
    assert (g.timeout, g.max_retries) == (0.5, 1)
    assert get_guesser("local").backend == "local"


def test_without_an_api_key_the_openai_backend_falls_back_to_local(settings):
    settings.OPENAI_API_KEY = ""
    settings.CATCHMIND_AI_BACKEND = "openai"
    assert get_guesser().backend == "local"
    assert get_guesser("openai").backend == "local"


@pytest.mark.parametrize("name", ["", None, "bogus"])
def test_an_unknown_or_empty_room_override_uses_the_site_default(settings, name):
    settings.CATCHMIND_AI_BACKEND = "local"
    assert get_guesser(name).backend == "local"
