"""Scale-out for real: two Daphne processes on PostgreSQL + Redis, players on both.

Nothing is shared between the processes but the database and Redis, as in production behind
a load balancer without sticky sessions (DESIGN §2). The players are real websocket clients.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import AsyncExitStack
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import POSTGRES_URL, REDIS_URL, REPO

pytestmark = pytest.mark.services

WAIT = 10.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def database_url():
    """A database of its own, created for this test and dropped after it."""
    import psycopg

    name = f"catchmind_mp_{secrets.token_hex(4)}"
    parts = urlsplit(POSTGRES_URL)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def servers(database_url, tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        # Fresh keys in Redis: nothing of an earlier run can leak into this one.
        "CATCHMIND_CHANNEL_PREFIX": f"cm-test-{secrets.token_hex(4)}",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "CATCHMIND_DATA_DIR": str(tmp_path),
        "CATCHMIND_ENV": "development",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True
    )
    daphne = Path(sys.executable).with_name("daphne")
    processes, ports = [], []
    try:
        for _ in range(2):
            port = _free_port()
            processes.append(
                subprocess.Popen(
                    [
                        str(daphne),
                        "-b",
                        "127.0.0.1",
                        "-p",
                        str(port),
                        "--application-close-timeout",
                        "1",
                        "catchmind.asgi:application",
                    ],
                    cwd=REPO,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=(tmp_path / f"daphne-{port}.log").open("w"),
                )
            )
            ports.append(port)
        deadline = time.monotonic() + 30
        for port in ports:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(1)
            except subprocess.TimeoutExpired:
                process.kill()


class Browser:
    """Cookies and CSRF like a browser, against one of the servers."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, headers=headers, method=method
        )
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for key, morsel in SimpleCookie(header).items():
                    self.cookies[key] = morsel.value
            return json.loads(response.read())


class Client:
    def __init__(self, name: str, port: int) -> None:
        self.name = name
        self.browser = Browser(port)
        self.socket = None
        self.id: int | None = None
        self.unread: list[dict] = []

    def sign_in(self) -> None:
        self.browser.request("GET", "/api/me")
        self.browser.request("POST", "/api/nickname", {"nickname": self.name})

    async def connect(self, stack: AsyncExitStack, code: str) -> None:
        from websockets.asyncio.client import connect

        port = self.browser.port
        self.socket = await stack.enter_async_context(
            connect(
                f"ws://127.0.0.1:{port}/ws/rooms/{code}/",
                origin=f"http://127.0.0.1:{port}",
                additional_headers={"Cookie": f"sessionid={self.browser.cookies['sessionid']}"},
            )
        )
        snapshot = await self.expect("snapshot")
        self.id = snapshot["you"]["player_id"]

    async def send(self, type_: str, **fields) -> None:
        await self.socket.send(json.dumps({"type": type_, **fields}))

    async def expect(self, type_: str, where=lambda m: True) -> dict:
        for index, message in enumerate(self.unread):
            if message["type"] == type_ and where(message):
                return self.unread.pop(index)
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), WAIT))
            if message["type"] == type_ and where(message):
                return message
            self.unread.append(message)


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
