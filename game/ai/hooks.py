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
    """The AI types ``text`` in chat: :func:`game.actions.ai_guess`, i.e. exactly a human's
    chat line (matching, visibility, scoring, early end), bound to the turn it looked at.
    Under the room lock, and only before that turn's deadline: a late answer is never said,
    not even as plain chat once the turn has moved on. False when it was not said."""
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
        return actions.ai_guess(room_id, player_id, turn_id, text)


def thinking(room_id: int, turn_id: int, player_id: int, guesses: Sequence[Guess]) -> None:
    """The AI's current top 3 for the drawer and the players who already guessed (they know
    the word: the guesses spoil nothing); nobody else sees them while the turn runs."""
    from game import actions

    actions.ai_thinking(room_id, turn_id, player_id, [g.as_json() for g in guesses])


def reveal_thinking(room_id: int, turn_id: int) -> None:
    """At the end of a turn the AI's last top 3 is shown to everyone (``final``)."""
    from game import actions
    from game.ai.records import AIRoomState
    from game.models import Player

    state = AIRoomState.objects.filter(room_id=room_id, turn_id=turn_id).first()
    if state is None or not state.thinking:
        return
    ai = Player.objects.filter(room_id=room_id, is_ai=True).values_list("pk", flat=True).first()
    if ai is not None:
        actions.ai_thinking_reveal(room_id, turn_id, ai, state.thinking)
