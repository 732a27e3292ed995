"""Where the AI player meets the game: the words it may guess, its chat line, its thinking.

Kept apart from :mod:`game.ai.player` so the scheduler never depends on the details of the
game's actions and consumer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from django.db import transaction

from game.ai.guessers import Guess

_CANDIDATES: OrderedDict[tuple, dict[str, str | None]] = OrderedDict()
_CANDIDATES_LOCK = threading.Lock()
_CANDIDATES_KEEP = 256


def candidates(turn_id: int) -> dict[str, str | None]:
    """``{word: Quick, Draw! category or None}`` for every word the room plays with (its
    packs and custom words), so the AI must recognise the drawing among all of them. Cached
    per turn: the room's words do not change while a turn runs."""
    from game.models import Turn
    from game.words import room_candidates

    turn = Turn.objects.select_related("room").get(pk=turn_id)
    key = (turn_id, turn.room_id, turn.created_at)
    with _CANDIDATES_LOCK:
        cached = _CANDIDATES.get(key)
        if cached is not None:
            _CANDIDATES.move_to_end(key)
            return cached
    words = {c.text: (c.category or None) for c in room_candidates(turn.room)}
    if turn.word and turn.word not in words:  # the room's packs changed since the choice
        words[turn.word] = turn.category or None
    with _CANDIDATES_LOCK:
        _CANDIDATES[key] = words
        while len(_CANDIDATES) > _CANDIDATES_KEEP:
            _CANDIDATES.popitem(last=False)
    return words


def say(room_id: int, player_id: int, turn_id: int, text: str) -> bool:
    """The AI types ``text`` in chat: the very action a human's chat line goes through
    (:func:`game.actions.chat`: matching, visibility, scoring, early end). Only while the
    turn it looked at is still being drawn; False when that turn is over."""
    from game import actions, clock
    from game.models import Phase, Room

    with transaction.atomic():
        room = (
            Room.objects.select_for_update()
            .filter(pk=room_id)
            .only("phase", "ends_at", "current_turn_id")
            .first()
        )
        if (
            room is None
            or room.phase != Phase.DRAWING
            or room.current_turn_id != turn_id
            or (room.ends_at is not None and room.ends_at <= clock.now())
        ):
            return False
        actions.chat(room_id, player_id, text)
    return True


def thinking_event(turn_id: int, player_id: int, guesses: Sequence[Guess | dict]) -> dict:
    shown = [g.as_json() if isinstance(g, Guess) else dict(g) for g in guesses]
    return {"type": "ai_thinking", "turn_id": turn_id, "player_id": player_id, "guesses": shown}


def thinking(room_id: int, turn_id: int, player_id: int, guesses: Sequence[Guess]) -> None:
    """Send the AI's current top 3 to the drawer and the players who already guessed (they
    know the word: the guesses spoil nothing). Nobody else sees them while the turn runs."""
    from game.actions import _locked
    from game.models import Phase
    from game.state import Scene

    with _locked(room_id) as (room, out):
        turn = room.current_turn
        if room.phase != Phase.DRAWING or turn is None or turn.pk != turn_id:
            return
        scene = Scene.load(room)
        to = [pk for pk in [turn.drawer_id, *scene.guessed] if pk and pk != player_id]
        out.send(thinking_event(turn_id, player_id, guesses), to=to)


def reveal_thinking(room_id: int, turn_id: int) -> None:
    """At the end of a turn the AI's last top 3 is shown to everyone (``final``)."""
    from game.actions import _locked
    from game.ai.records import AIRoomState

    state = (
        AIRoomState.objects.filter(room_id=room_id, turn_id=turn_id)
        .values("thinking", "room__players__id")
        .filter(room__players__is_ai=True)
        .first()
    )
    if not state or not state["thinking"]:
        return
    with _locked(room_id) as (_room, out):
        event = thinking_event(turn_id, state["room__players__id"], state["thinking"])
        out.send({**event, "final": True})
