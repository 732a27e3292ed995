"""Helpers for the game tests: guests with real sessions, websocket players, the game clock."""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore

from accounts.identity import Identity, identity_for, set_nickname
from catchmind.asgi import application
from game import actions, clock
from game.models import Room

ORIGIN = (b"origin", b"http://127.0.0.1:8000")
TIMEOUT = 3


def make_guest(name: str) -> tuple[str, Identity]:
    """A saved session with a guest nickname: (session key, identity)."""
    session = SessionStore()
    set_nickname(session, name)
    session.save()
    return session.session_key, identity_for(session, None)


def create_room(host: Identity, **options) -> Room:
    return actions.create_room(host, options, "ko")


class Player:
    """A websocket player. ``log`` keeps every message received, in order."""

    def __init__(self, name: str, session_key: str, identity: Identity) -> None:
        self.name = name
        self.session_key = session_key
        self.identity = identity
        self.log: list[dict] = []
        self.unread: list[dict] = []
        self.comm: WebsocketCommunicator | None = None
        self.id: int | None = None
        self.snapshot: dict = {}
        self.close_code: int | None = None

    async def connect(self, code: str, headers: list[tuple[bytes, bytes]] = ()) -> dict:
        cookie = f"{settings.SESSION_COOKIE_NAME}={self.session_key}".encode()
        self.comm = WebsocketCommunicator(
            application, f"/ws/rooms/{code}/", headers=[ORIGIN, (b"cookie", cookie), *headers]
        )
        connected, _ = await self.comm.connect(timeout=TIMEOUT)
        assert connected
        self.snapshot = await self.expect("snapshot")
        self.id = self.snapshot["you"]["player_id"]
        return self.snapshot

    async def send(self, type_: str, **fields) -> None:
        await self.comm.send_to(text_data=json.dumps({"type": type_, **fields}))

    async def send_raw(self, text: str) -> None:
        await self.comm.send_to(text_data=text)

    async def _receive(self, timeout: float) -> dict:
        output = await self.comm.receive_output(timeout)
        if output["type"] == "websocket.close":
            self.close_code = output.get("code")
            raise ConnectionClosed(self.close_code)
        message = json.loads(output["text"])
        self.log.append(message)
        return message

    async def expect(self, type_: str, timeout: float = TIMEOUT, where=None, **match) -> dict:
        """The next message of ``type_`` (matching ``match`` and the ``where`` predicate);
        messages skipped on the way stay unread for later ``expect`` calls."""
        for index, message in enumerate(self.unread):
            if _matches(message, type_, match) and (where is None or where(message)):
                del self.unread[index]
                return message
        while True:
            message = await self._receive(timeout)
            if _matches(message, type_, match) and (where is None or where(message)):
                return message
            self.unread.append(message)

    async def forget(self) -> None:
        """Read and drop everything pending (e.g. the events of a finished turn)."""
        await self.settle()

    async def expect_closed(self, timeout: float = TIMEOUT) -> int | None:
        with suppress(ConnectionClosed):
            while True:
                self.unread.append(await self._receive(timeout))
        return self.close_code

    async def settle(self) -> list[dict]:
        """Read everything that arrives until the socket is quiet; return what was unread."""
        # receive_nothing waits without cancelling the application (receive_output's timeout
        # would cancel it).
        while not await self.comm.receive_nothing(0.15):
            self.unread.append(await self._receive(TIMEOUT))
        out, self.unread = self.unread, []
        return out

    async def nothing_of(self, type_: str, **match) -> bool:
        """True if no message of that type (matching) is pending or arrives now."""
        pending = await self.settle()
        self.unread = pending
        return not any(_matches(m, type_, match) for m in pending)

    async def close(self) -> None:
        if self.comm is not None:
            with suppress(Exception, asyncio.CancelledError):
                await self.comm.disconnect()


class ConnectionClosed(Exception):
    pass


def _matches(message: dict, type_: str, match: dict) -> bool:
    return message.get("type") == type_ and all(message.get(k) == v for k, v in match.items())


async def new_player(name: str) -> Player:
    key, identity = await sync_to_async(make_guest)(name)
    return Player(name, key, identity)


async def advance(room: Room, seconds: float) -> None:
    """Move the game clock and let the room notice (what its wake-up timer would do)."""
    clock.shift(seconds)
    await sync_to_async(actions.tick)(room.pk)


def stroke(stroke_id: int, *points: int, color: str = "#000000", width: int = 40) -> list[dict]:
    return [
        {
            "op": "begin",
            "id": stroke_id,
            "tool": "pen",
            "color": color,
            "width": width,
            "pts": list(points[:2]),
        },
        {"op": "points", "id": stroke_id, "pts": list(points[2:])},
        {"op": "end", "id": stroke_id},
    ]


async def until(predicate, seconds: float = 3.0) -> None:
    """Wait for ``predicate()`` to hold, polling the event loop (the hub and consumers run in
    it); fails the test after ``seconds``."""
    for _ in range(int(seconds / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")
