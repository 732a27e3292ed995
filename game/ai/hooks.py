"""Where the AI player meets the game: the words it may guess, its chat line, its thinking.

Kept apart from :mod:`game.ai.player` so the scheduler never depends on the details of the
game's actions and consumer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from game.ai.guessers import Guess

_CANDIDATES: OrderedDict[int, dict[str, str | None]] = OrderedDict()
_CANDIDATES_LOCK = threading.Lock()
_CANDIDATES_KEEP = 256


def candidates(turn_id: int) -> dict[str, str | None]:
    """``{word: Quick, Draw! category or None}`` for every word the room plays with (its
    packs and custom words), so the AI must recognise the drawing among all of them. Cached
    per turn: the room's words do not change while a turn runs."""
    with _CANDIDATES_LOCK:
        cached = _CANDIDATES.get(turn_id)
        if cached is not None:
            _CANDIDATES.move_to_end(turn_id)
            return cached
    from game.models import Turn
    from game.words import room_candidates

    turn = Turn.objects.select_related("room").get(pk=turn_id)
    words = {c.text: (c.category or None) for c in room_candidates(turn.room)}
    if turn.word and turn.word not in words:  # the room's packs changed since the choice
        words[turn.word] = turn.category or None
    with _CANDIDATES_LOCK:
        _CANDIDATES[turn_id] = words
        while len(_CANDIDATES) > _CANDIDATES_KEEP:
            _CANDIDATES.popitem(last=False)
    return words


def say(room_id: int, player_id: int, turn_id: int, text: str) -> None:
    """The AI types ``text`` in chat: the same action as a human's chat line."""
    raise NotImplementedError


def thinking(room_id: int, turn_id: int, player_id: int, guesses: Sequence[Guess]) -> None:
    """Send the AI's current top 3 to the drawer and the players who already guessed."""
    raise NotImplementedError
