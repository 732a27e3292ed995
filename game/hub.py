"""The in-process fan-out hub: one channel-layer channel per process for all its rooms.

Instead of every websocket joining the room's group (one copy of every stroke batch per
player through Redis), each process subscribes **once** per room that has a local member. A
batch or an outbox then crosses the channel layer once per process, already encoded, and
the hub hands the same text to every local connection allowed to see it.

The hub also keeps one wake-up timer per local room, at the room's next deadline (phase end,
next hint, a seat's grace running out). Every process holding a member does the same; the
conditional updates in :mod:`game.actions` make sure exactly one of them advances the phase.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from typing import Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from game import actions, clock
from game.events import group_name

logger = logging.getLogger(__name__)

#: Added to every wake-up so the deadline has really passed on the database's clock too.
WAKE_SLACK_SECONDS = 0.05
#: How often the hub vouches for its connections (game.actions.heartbeat); well under
#: actions.STALE_CONNECTION_SECONDS.
HEARTBEAT_SECONDS = 30.0
#: Pause before the hub reads again after its channel layer failed (Redis restarting).
RECEIVE_RETRY_SECONDS = 1.0


class Member(Protocol):
    player_id: int | None
    connection_id: str

    async def hub_room(self, message: dict) -> None: ...

    async def hub_draw(self, message: dict) -> None: ...


class Hub:
    _by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = (
        weakref.WeakKeyDictionary()
    )

    @classmethod
    def current(cls) -> Hub:
        loop = asyncio.get_running_loop()
        hub = cls._by_loop.get(loop)
        if hub is None:
            hub = cls._by_loop[loop] = cls()
        return hub

    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.rooms: dict[int, set[Member]] = {}
        self.timers: dict[int, asyncio.Task] = {}
        self._reader: asyncio.Task | None = None
        self._heartbeat: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    # --- membership -------------------------------------------------------------------

    async def join(self, room_id: int, member: Member) -> None:
        async with self._lock:
            if self.channel is None:
                # The default prefix on purpose: channels_redis serves every process-specific
                # channel of a layer through one shared BRPOP loop on the list named by the
                # part before "!", so a channel with another prefix ("hub.") starves behind
                # the consumers' "specific." channels and never receives.
                self.channel = await self.layer.new_channel()
                self._reader = asyncio.create_task(self._read(self.channel))
                self._heartbeat = asyncio.create_task(self._beat())
            members = self.rooms.setdefault(room_id, set())
            if not members:  # the heartbeat renews the membership (_beat)
                await self.layer.group_add(group_name(room_id), self.channel)
            members.add(member)

    async def leave(self, room_id: int, member: Member) -> None:
        async with self._lock:
            members = self.rooms.get(room_id)
            if members is None:
                return
            members.discard(member)
            if members:
                return
            del self.rooms[room_id]
            timer = self.timers.pop(room_id, None)
            if timer is not None:
                timer.cancel()
            if self.channel is not None:
                await self.layer.group_discard(group_name(room_id), self.channel)
            if not self.rooms:
                await self._stop()

    async def _stop(self) -> None:
        tasks = [self._reader, self._heartbeat]
        self._reader = self._heartbeat = self.channel = None
        for task in tasks:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            rooms = list(self.rooms)
            ids = [m.connection_id for members in self.rooms.values() for m in members]
            try:
                await database_sync_to_async(actions.heartbeat)(rooms, ids)
                # Renew the group memberships too: Redis expires them after a day.
                if self.channel is not None:
                    for room_id in list(self.rooms):
                        await self.layer.group_add(group_name(room_id), self.channel)
            except Exception:
                logger.exception("heartbeat failed")

    # --- sending ----------------------------------------------------------------------

    async def publish_draw(self, room_id: int, message: dict) -> None:
        await self.layer.group_send(group_name(room_id), message)

    # --- receiving --------------------------------------------------------------------

    async def _read(self, channel: str) -> None:
        # The one loop that feeds every local connection: nothing may end it but _stop.
        while True:
            try:
                message = await self.layer.receive(channel)
            except Exception:
                logger.exception("hub could not read from the channel layer")
                await asyncio.sleep(RECEIVE_RETRY_SECONDS)
                continue
            try:
                await self._dispatch(message)
            except Exception:
                logger.exception("hub could not deliver %s", message.get("type"))

    async def _dispatch(self, message: dict) -> None:
        room_id = message.get("room")
        members = list(self.rooms.get(room_id, ()))
        if not members:
            return
        if message["type"] == "hub.draw":
            sender = message["sender"]
            for member in members:
                if member.player_id != sender:
                    await self._hand(member.hub_draw, message)
        elif message["type"] == "hub.room":
            self.schedule(room_id, message.get("wake_at"))
            for member in members:
                await self._hand(member.hub_room, message)

    @staticmethod
    async def _hand(deliver, message: dict) -> None:
        """One connection failing to take a message must not keep it from the others."""
        try:
            await deliver(message)
        except Exception:
            logger.exception("a connection could not take %s", message.get("type"))

    # --- time -------------------------------------------------------------------------

    def schedule(self, room_id: int, wake_at: int | None) -> None:
        """(Re)arm the room's wake-up at ``wake_at`` (epoch ms of the game clock)."""
        if room_id not in self.rooms:
            return
        current = asyncio.current_task()
        timer = self.timers.pop(room_id, None)
        if timer is not None and timer is not current:
            timer.cancel()
        if wake_at is not None:
            self.timers[room_id] = asyncio.create_task(self._wake(room_id, wake_at))

    async def _wake(self, room_id: int, wake_at: int) -> None:
        delay = max(0.0, (wake_at - clock.now_ms()) / 1000) + WAKE_SLACK_SECONDS
        await asyncio.sleep(delay)
        try:
            next_wake = await database_sync_to_async(actions.tick)(room_id)
        except Exception:
            logger.exception("wake-up of room %s failed", room_id)
            next_wake = clock.now_ms() + 1000
        if self.timers.get(room_id) is asyncio.current_task():
            self.schedule(room_id, next_wake)
