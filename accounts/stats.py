"""A player's numbers for the profile page, read from the apps that record them.

- games, wins, turns drawn, correct guesses and "beat the AI" come from ``game`` (Player,
  Turn, Guess, Room);
- published drawings come from ``gallery.Drawing``.

A source whose query fails gives ``None``, which the page shows as "—", never an error.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import DatabaseError, transaction

from gallery.models import Drawing
from game.models import Guess, Phase, Player, Room, Turn, Verdict

log = logging.getLogger(__name__)


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
    """One source's number, or ``None`` when its query fails (logged). The savepoint keeps
    a failed read from spoiling the request's transaction."""
    try:
        with transaction.atomic():
            return source(user)
    except DatabaseError:
        log.warning("profile stats: %s unavailable", source.__name__, exc_info=True)
        return None


def _games_and_wins(user) -> tuple[int, int]:
    """A game is a (room, game number) in which the player drew or could guess in at least
    one turn. It counts as won when it is over and nobody scored more in it (ties share)."""
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
        over = game_number < current or phase == Phase.FINISHED
        scores = totals[(room_id, game_number)]
        mine = max(
            (scores.get(str(pk), 0) for pk, room in seats.items() if room == room_id), default=0
        )
        if over and scores and mine > 0 and mine >= max(scores.values()):
            wins += 1
    return len(played), wins


def _turns_drawn(user) -> int:
    return Turn.objects.filter(drawer__user=user, started_at__isnull=False).count()


def _correct_guesses(user) -> int:
    return Guess.objects.filter(player__user=user, verdict=Verdict.CORRECT).count()


def _beat_the_ai(user) -> int:
    """Turns with an AI guesser in which the player guessed the word before the AI did (or
    the AI never did)."""
    mine: dict[int, object] = {}
    for turn_id, created_at in (
        Guess.objects.filter(player__user=user, verdict=Verdict.CORRECT)
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
    turns = list(Turn.objects.filter(pk__in=mine).values_list("pk", "room_id", "guessers"))
    ai_players = set(
        Player.objects.filter(is_ai=True, room_id__in={room for _, room, _ in turns}).values_list(
            "pk", flat=True
        )
    )
    turns_with_ai.update(pk for pk, _, guessers in turns if ai_players & set(guessers or []))
    ai_first: dict[int, object] = {}
    for turn_id, created_at in (
        Guess.objects.filter(turn_id__in=turns_with_ai, player__is_ai=True, verdict=Verdict.CORRECT)
        .order_by("created_at")
        .values_list("turn_id", "created_at")
    ):
        ai_first.setdefault(turn_id, created_at)
    return sum(
        1
        for turn_id in turns_with_ai
        if turn_id not in ai_first or mine[turn_id] < ai_first[turn_id]
    )


def _published_drawings(user) -> int:
    return Drawing.objects.filter(user=user, is_published=True).count()
