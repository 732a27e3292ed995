"""The gallery in real Chromium against a real Daphne: a turn played over the websocket
protocol is saved by the server, the drawer finds it under "My drawings" and publishes it,
and another player opens it in the gallery and watches the replay draw itself."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser_fixtures import ink_counter

# The browser fixtures (tests/browser_fixtures.py) set up the test database and delete what
# the server committed; a django_db marker here would flush and break serialized rollback.
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def server_media():
    """The server writes the pictures to a temporary MEDIA_ROOT, not to var/media."""
    folder = tempfile.mkdtemp(prefix="gallery-media-")
    previous = os.environ.get("MEDIA_ROOT")
    os.environ["MEDIA_ROOT"] = folder
    yield folder
    if previous is None:
        os.environ.pop("MEDIA_ROOT", None)
    else:
        os.environ["MEDIA_ROOT"] = previous
    shutil.rmtree(folder, ignore_errors=True)


# A player's socket, kept on the page: every message lands in window.inbox.
OPEN_SOCKET = """async (code) => {
  await fetch('/api/me', {credentials: 'same-origin'});
  window.inbox = [];
  window.sock = new WebSocket(`ws://${location.host}/ws/rooms/${code}/`);
  window.sock.onmessage = (e) => window.inbox.push(JSON.parse(e.data));
  await new Promise((ok, fail) => { window.sock.onopen = ok; window.sock.onerror = fail; });
}"""

CREATE_ROOM = """async () => {
  await fetch('/api/me', {credentials: 'same-origin'});
  const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
  const r = await fetch('/api/rooms', {
    method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
    body: JSON.stringify({custom_words: '사과, 바나나, 고양이', custom_words_only: true,
                          rounds: 1, word_choices: 1, public: false}),
  });
  return (await r.json()).room.code;
}"""

SEND = "(m) => window.sock.send(JSON.stringify(m))"

WAIT_FOR = """([type, key, value]) => new Promise((ok) => {
  const find = () => window.inbox.find((m) => m.type === type && (!key || m[key] === value));
  const poll = () => { const m = find(); if (m) ok(m); else setTimeout(poll, 25); };
  poll();
})"""

# Pixels of the replay canvas that are not white.
INK = ink_counter("g-canvas")


def signed_in_session(username: str, django_db_blocker) -> str:
    """A session key of a new signed-in user, made in a thread of its own: Playwright's sync
    API keeps an event loop in this one, and Django refuses database calls there."""
    result = {}

    def make() -> None:
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.auth.models import User
        from django.contrib.sessions.backends.db import SessionStore
        from django.db import connection

        try:
            user = User.objects.create_user(username)
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.save()
            result["key"] = session.session_key
        finally:
            connection.close()

    with django_db_blocker.unblock():
        worker = threading.Thread(target=make)
        worker.start()
        worker.join()
    return result["key"]


def stroke(stroke_id: int, *points: int, color: str = "#1a2b3c") -> list[dict]:
    pts = list(points)
    return [
        {
            "op": "begin",
            "id": stroke_id,
            "tool": "pen",
            "color": color,
            "width": 90,
            "pts": pts[:2],
        },
        *({"op": "points", "id": stroke_id, "pts": pts[i : i + 2]} for i in range(2, len(pts), 2)),
        {"op": "end", "id": stroke_id},
    ]


STROKES = [
    stroke(1, 1000, 8000, 3000, 8000, 5000, 8000, 7000, 8000, 9000, 8000),
    stroke(2, 1000, 2000, 1000, 4000, 1000, 6000, 1000, 8000, color="#b3261e"),
    stroke(3, 9000, 2000, 7000, 3000, 5000, 4000, 3000, 5000, 1000, 6000, color="#16794a"),
    stroke(4, 5000, 500, 5000, 2500, 5000, 4500, 5000, 6500, 5000, 7500),
]


def play_one_turn(drawer: Page, guesser: Page) -> str:
    """Two players over the websocket protocol: the drawer draws four strokes, a batch per
    point and a pause between strokes, then the guesser names the word (the turn ends)."""
    drawer.goto("/gallery/mine/")
    guesser.goto("/gallery/")
    code = drawer.evaluate(CREATE_ROOM)
    drawer.evaluate(OPEN_SOCKET, code)
    guesser.evaluate(OPEN_SOCKET, code)
    drawer.evaluate(WAIT_FOR, ["snapshot", None, None])
    guesser.evaluate(WAIT_FOR, ["snapshot", None, None])
    drawer.evaluate(SEND, {"type": "start"})
    drawer.evaluate(WAIT_FOR, ["phase", "phase", "choosing"])
    drawer.evaluate(SEND, {"type": "choose", "index": 0})
    word = drawer.evaluate(WAIT_FOR, ["phase", "phase", "drawing"])["turn"]["word"]
    for ops in STROKES:
        for op in ops:
            drawer.evaluate(SEND, {"type": "draw", "ops": [op]})
            time.sleep(0.03)
        time.sleep(0.25)
    guesser.evaluate(WAIT_FOR, ["draw", "seq", sum(len(ops) for ops in STROKES) - 1])
    guesser.evaluate(SEND, {"type": "chat", "text": word})
    drawer.evaluate(WAIT_FOR, ["phase", "phase", "reveal"])
    return word


def test_a_finished_turn_is_found_published_and_replayed(pages, django_db_blocker):
    drawer, guesser = pages.new(locale="en-US"), pages.new(locale="en-US")
    word = play_one_turn(drawer, guesser)

    # The server saved the drawing on its own; the drawer finds it under "My drawings".
    drawer.goto("/gallery/mine/")
    card = drawer.locator(".g-card").first
    for _ in range(40):
        if card.count():
            break
        time.sleep(0.25)
        drawer.reload()
    expect(card).to_contain_text(word)
    expect(card).to_contain_text("Private")
    card.locator(".g-card-link").click()
    drawer.wait_for_url(re.compile(r"/gallery/\d+/$"))
    detail_url = drawer.url

    drawer.fill("#id_title", "My <b>first</b> one")
    drawer.click(".g-publish button[type=submit]")
    expect(drawer.locator(".messages")).to_contain_text("in the gallery")
    expect(drawer.locator("#g-title")).to_have_text("My <b>first</b> one")  # text, not HTML

    # Another player finds it in the gallery and opens it.
    guesser.goto("/gallery/")
    guesser.get_by_text("My <b>first</b> one").click()
    guesser.wait_for_url(detail_url)
    expect(guesser.locator("meta[property='og:image']")).to_have_attribute(
        "content", re.compile(r"^http://127\.0\.0\.1:\d+/gallery/\d+/[0-9a-f]{16}\.png$")
    )
    # The guess timeline shows who got it.
    expect(guesser.locator("#g-timeline .g-correct")).to_contain_text("guessed it!")

    # The replay draws on the canvas over time: rewind, play, and watch the ink grow.
    expect(guesser.locator("#g-controls")).to_be_visible()
    guesser.select_option("#g-speed", "1")
    play = guesser.locator("#g-play")
    if play.get_attribute("aria-pressed") == "true":
        play.click()  # pause
    guesser.locator("#g-scrub").fill("0")
    assert guesser.evaluate(INK) == 0
    play.click()
    seen = [guesser.evaluate(INK)]
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and play.get_attribute("aria-pressed") == "true":
        time.sleep(0.1)
        seen.append(guesser.evaluate(INK))
    seen.append(guesser.evaluate(INK))
    growing = sorted(set(seen))
    assert len(growing) >= 3, seen  # drawn bit by bit, not in one go
    assert seen[-1] == max(seen) > 0

    # A signed-in player likes it; the page does not reload (the replay is not restarted).
    fan = pages.new(locale="en-US")
    fan.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": signed_in_session("fan", django_db_blocker),
                "url": pages.base_url,
            }
        ]
    )
    fan.goto(detail_url)
    expect(fan.locator("#g-controls")).to_be_visible()
    fan.evaluate("window.stillHere = true")
    fan.click("#g-like")
    expect(fan.locator("#g-like-count")).to_have_text("1 like")
    expect(fan.locator("#g-like")).to_have_attribute("aria-pressed", "true")
    assert fan.evaluate("window.stillHere") is True
    expect(guesser.locator("#g-like")).to_have_count(0)  # guests get a sign-in link instead

    # The downloads are real pictures.
    png = guesser.request.get(guesser.locator(".g-downloads a").first.get_attribute("href"))
    assert png.ok and png.headers["content-type"] == "image/png"
    gif = guesser.request.get(guesser.locator(".g-downloads a").nth(1).get_attribute("href"))
    assert gif.ok and gif.body()[:6] == b"GIF89a"
    assert pages.errors() == []
