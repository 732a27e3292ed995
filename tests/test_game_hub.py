"""The per-process fan-out hub (game.hub) on its own, with a stand-in channel layer."""

from __future__ import annotations

import asyncio

import pytest

from game import hub as hub_module
from game.hub import Hub
from tests.game_support import until


class Layer:
    """Just enough of a channel layer; ``fail`` makes the next receive raise."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue = asyncio.Queue()
        self.fail = 0
        self.added: list[str] = []

    async def new_channel(self) -> str:
        return "specific.test!hub"

    async def group_add(self, group: str, channel: str) -> None:
        self.added.append(group)

    async def group_discard(self, group: str, channel: str) -> None:
        pass

    async def receive(self, channel: str) -> dict:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("Redis went away")
        return await self.queue.get()


class Member:
    def __init__(self, player_id: int, broken: bool = False) -> None:
        self.player_id = player_id
        self.connection_id = f"conn-{player_id}"
        self.broken = broken
        self.got: list[dict] = []

    def __hash__(self) -> int:  # a set of members iterates in player id order
        return self.player_id

    async def hub_room(self, message: dict) -> None:
        if self.broken:
            raise RuntimeError("this socket is broken")
        self.got.append(message)

    async def hub_draw(self, message: dict) -> None:
        await self.hub_room(message)


def room_message(room_id: int) -> dict:
    return {
        "type": "hub.room",
        "room": room_id,
        "version": 1,
        "events": [],
        "controls": [],
        "view": {},
        "wake_at": None,
    }


def draw_message(room_id: int, sender: int) -> dict:
    return {
        "type": "hub.draw",
        "room": room_id,
        "turn": 1,
        "seq": 0,
        "n": 1,
        "sender": sender,
        "text": "{}",
    }


@pytest.fixture
def hub():
    hub = Hub()
    hub.layer = Layer()
    return hub


async def test_the_receive_loop_survives_a_channel_layer_error(hub, monkeypatch):
    monkeypatch.setattr(hub_module, "RECEIVE_RETRY_SECONDS", 0.01, raising=False)
    member = Member(1)
    hub.layer.fail = 1
    await hub.join(7, member)
    try:
        await hub.layer.queue.put(room_message(7))
        await until(lambda: member.got)
    finally:
        await hub.leave(7, member)


async def test_one_broken_connection_does_not_keep_a_message_from_the_others(hub):
    broken, fine = Member(1, broken=True), Member(2)
    await hub.join(7, broken)
    await hub.join(7, fine)
    try:
        await hub.layer.queue.put(room_message(7))
        await hub.layer.queue.put(draw_message(7, sender=3))
        await until(lambda: len(fine.got) == 2)
    finally:
        await hub.leave(7, broken)
        await hub.leave(7, fine)


async def test_a_room_group_is_joined_once_and_renewed_by_the_heartbeat(hub, monkeypatch):
    monkeypatch.setattr(hub_module, "HEARTBEAT_SECONDS", 0.01)
    monkeypatch.setattr(hub_module.actions, "heartbeat", lambda rooms, ids: None)
    first, second = Member(1), Member(2)
    await hub.join(7, first)
    await hub.join(7, second)
    try:
        assert hub.layer.added == ["room.7"]
        await until(lambda: len(hub.layer.added) >= 2)
        assert set(hub.layer.added) == {"room.7"}
    finally:
        await hub.leave(7, first)
        await hub.leave(7, second)
