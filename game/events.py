"""Collecting what an action has to tell players, and sending it after commit.

An action adds events to an :class:`Outbox` while it holds the room lock. When the transaction
commits, the whole outbox goes out as **one** channel-layer message to the room's group, in
which every event is already JSON-encoded; each process's hub (:mod:`game.hub`) hands the
same text to each local connection that may see it. Nothing is sent for a rolled-back
change, and no event is encoded once per recipient.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

if TYPE_CHECKING:
    from game.models import Room

logger = logging.getLogger(__name__)


def group_name(room_id: int) -> str:
    return f"room.{room_id}"


def encode(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


class Outbox:
    def __init__(self, room: Room) -> None:
        self.room = room
        #: (text, recipients or None for everyone, excluded player ids)
        self.events: list[tuple[str, list[int] | None, list[int]]] = []
        self.controls: list[dict] = []
        self.after_commit: list[Callable[[], None]] = []

    def send(
        self, payload: dict, to: Iterable[int] | None = None, exclude: Iterable[int] = ()
    ) -> None:
        recipients = sorted(set(to)) if to is not None else None
        if recipients == []:
            return
        self.events.append((encode(payload), recipients, sorted(set(exclude))))

    def send_each(self, player_ids: Iterable[int], build: Callable[[int], dict]) -> None:
        """A payload tailored to each player; players with identical payloads share one text."""
        by_text: dict[str, list[int]] = {}
        for player_id in player_ids:
            by_text.setdefault(encode(build(player_id)), []).append(player_id)
        for text, ids in by_text.items():
            self.events.append((text, sorted(ids), []))

    def close(self, player_id: int, code: int, keep_connection: str = "") -> None:
        """Close the player's connection(s), except ``keep_connection``."""
        self.controls.append({"close": player_id, "code": code, "keep": keep_connection})

    def on_commit(self, callback: Callable[[], None]) -> None:
        self.after_commit.append(callback)

    def finish(self, *, version: int, view: dict, wake_at: int | None) -> None:
        message: dict[str, Any] = {
            "type": "hub.room",
            "room": self.room.pk,
            "version": version,
            "events": self.events,
            "controls": self.controls,
            "view": view,
            "wake_at": wake_at,
        }
        callbacks = list(self.after_commit)
        room_id = self.room.pk

        def deliver() -> None:
            publish(room_id, message)
            for callback in callbacks:
                try:
                    callback()
                except Exception:  # a broken hook must not break the game
                    logger.exception("after-commit hook failed")

        transaction.on_commit(deliver)


def publish(room_id: int, message: dict) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(group_name(room_id), message)
    except Exception:
        # The state is committed; clients resynchronise from the next snapshot. A failed
        # publish (channel layer down) must not turn a committed action into an error.
        logger.exception("could not publish to room %s", room_id)
