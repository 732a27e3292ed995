"""The AI player listens to the game's signals (:mod:`game.signals`); connected in
``GameConfig.ready``."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from game import signals
from game.ai import player

log = logging.getLogger(__name__)


@receiver(signals.canvas_changed, dispatch_uid="catchmind-ai-canvas")
def canvas_changed(sender, room_id: int, turn_id: int | None = None, **kwargs) -> None:
    if turn_id is not None and player.without_ai(room_id, turn_id):
        return  # a room without the AI: no query per stroke end
    player.poke(room_id)


@receiver(signals.turn_started, dispatch_uid="catchmind-ai-turn-started")
def turn_started(sender, room_id: int, **kwargs) -> None:
    player.forget_without_ai(room_id)
    player.poke(room_id)


@receiver(signals.turn_ended, dispatch_uid="catchmind-ai-turn-ended")
def turn_ended(sender, room_id: int, turn_id: int, **kwargs) -> None:
    try:
        from game.ai import hooks

        hooks.reveal_thinking(room_id, turn_id)
    except Exception:  # the reveal must go on whatever happens here
        log.exception("AI reveal of room %s failed", room_id)
