"""A player's numbers for the profile page, read from the apps that record them.

Every source is read defensively: an app, model or field that does not exist (yet) gives
``None``, which the page shows as "—", never an error. Today:

- games, wins, turns drawn, correct guesses and "beat the AI" come from ``game`` (Player,
  Turn, Guess, Room);
- published drawings come from ``gallery.Drawing`` once the gallery exists.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import DatabaseError, transaction

from accounts import gamerows

log = logging.getLogger(__name__)

CORRECT = "correct"
FINISHED = "finished"


@dataclass(frozen=True)
class Stats:
    games: int | None
    wins: int | None
    turns_drawn: int | None
    correct_guesses: int | None
    beat_the_ai: int | None
    published_drawings: int | None


def stats_for(user) -> Stats:
    games, wins = _read(_games_and_wins, user) or (None, None)
    return Stats(
        games=games,
        wins=wins,
        turns_drawn=_read(_turns_drawn, user),
        correct_guesses=_read(_correct_guesses, user),
        beat_the_ai=_read(_beat_the_ai, user),
        published_drawings=_read(_published_drawings, user),
    )


def _read(source, user):
    """One source's number, or ``None`` when its tables are not there (not migrated yet).
    The savepoint keeps a failed read from spoiling the request's transaction."""
    try:
        with transaction.atomic():
            return source(user)
    except DatabaseError:
        log.warning("profile stats: %s unavailable", source.__name__, exc_info=True)
        return None


def _fields(model, *names: str) -> bool:
    return model is not None and all(gamerows.has_field(model, n) for n in names)


def _games_and_wins(user) -> tuple[int | None, int | None]:
    """A game is a (room, game number) in which the player drew or could guess in at least
    one turn. It counts as won when it is over and nobody scored more in it (ties share)."""
    Player = gamerows.model("game", "Player")
    Turn = gamerows.model("game", "Turn")
    Room = gamerows.model("game", "Room")
    if not (
        _fields(Player, "user", "room")
        and _fields(Turn, "room", "game_number", "drawer", "guessers", "points")
        and _fields(Room, "game_number", "phase")
    ):
        return None, None
    seats = dict(Player.objects.filter(user=user).values_list("pk", "room_id"))
    if not seats:
        return 0, 0
    rooms = set(seats.values())
    room_state = {
        pk: (number, phase)
        for pk, number, phase in Room.objects.filter(pk__in=rooms).values_list(
            "pk", "game_number", "phase"
        )
    }
    played: set[tuple[int, int]] = set()
    totals: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    turns = Turn.objects.filter(room_id__in=rooms).values_list(
        "room_id", "game_number", "drawer_id", "guessers", "points"
    )
    for room_id, game_number, drawer_id, guessers, points in turns.iterator():
        game = (room_id, game_number)
        for player_id, value in (points or {}).items():
            totals[game][str(player_id)] += int(value or 0)
        involved = {drawer_id, *(guessers or [])}
        if any(pk in involved for pk, room in seats.items() if room == room_id):
            played.add(game)
    wins = 0
    for room_id, game_number in played:
        current, phase = room_state.get(room_id, (game_number, ""))
        over = game_number < current or phase == FINISHED
        scores = totals[(room_id, game_number)]
        mine = max(
            (scores.get(str(pk), 0) for pk, room in seats.items() if room == room_id), default=0
        )
        if over and scores and mine > 0 and mine >= max(scores.values()):
            wins += 1
    return len(played), wins


def _turns_drawn(user) -> int | None:
    Turn = gamerows.model("game", "Turn")
    if not _fields(Turn, "drawer", "started_at"):
        return None
    return Turn.objects.filter(drawer__user=user, started_at__isnull=False).count()


def _correct_guesses(user) -> int | None:
    Guess = gamerows.model("game", "Guess")
    if not _fields(Guess, "player", "verdict"):
        return None
    return Guess.objects.filter(player__user=user, verdict=CORRECT).count()


def _beat_the_ai(user) -> int | None:
    """Turns with an AI guesser in which the player guessed the word before the AI did (or
    the AI never did)."""
    Guess = gamerows.model("game", "Guess")
    Player = gamerows.model("game", "Player")
    if not (_fields(Guess, "player", "verdict", "turn", "created_at") and _fields(Player, "is_ai")):
        return None
    mine: dict[int, object] = {}
    for turn_id, created_at in (
        Guess.objects.filter(player__user=user, verdict=CORRECT)
        .order_by("created_at")
        .values_list("turn_id", "created_at")
    ):
        mine.setdefault(turn_id, created_at)
    if not mine:
        return 0
    # The AI counts where it could guess: it made a guess, or was listed as a guesser.
    turns_with_ai = set(
        Guess.objects.filter(turn_id__in=mine, player__is_ai=True).values_list("turn_id", flat=True)
    )
    Turn = gamerows.model("game", "Turn")
    if _fields(Turn, "guessers", "room") and _fields(Player, "room"):
        turns = list(Turn.objects.filter(pk__in=mine).values_list("pk", "room_id", "guessers"))
        ai_players = set(
            Player.objects.filter(
                is_ai=True, room_id__in={room for _, room, _ in turns}
            ).values_list("pk", flat=True)
        )
        turns_with_ai.update(pk for pk, _, guessers in turns if ai_players & set(guessers or []))
    ai_first: dict[int, object] = {}
    for turn_id, created_at in (
        Guess.objects.filter(turn_id__in=turns_with_ai, player__is_ai=True, verdict=CORRECT)
        .order_by("created_at")
        .values_list("turn_id", "created_at")
    ):
        ai_first.setdefault(turn_id, created_at)
    return sum(
        1
        for turn_id in turns_with_ai
        if turn_id not in ai_first or mine[turn_id] < ai_first[turn_id]
    )


def _published_drawings(user) -> int | None:
    """The gallery does not exist yet; once ``gallery.Drawing`` has an owner field
    (``user``/``author``/``owner``) and a published flag, this counts them."""
    Drawing = gamerows.model("gallery", "Drawing")
    if Drawing is None:
        return None
    for owner in ("user", "author", "owner"):
        if gamerows.has_field(Drawing, owner):
            drawings = Drawing.objects.filter(**{owner: user})
            for flag in ("published", "is_published"):
                if gamerows.has_field(Drawing, flag):
                    return drawings.filter(**{flag: True}).count()
            if gamerows.has_field(Drawing, "published_at"):
                return drawings.filter(published_at__isnull=False).count()
            return drawings.count()
    return None
