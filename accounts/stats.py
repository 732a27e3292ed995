"""A player's numbers for the profile page, read from the apps that record them.

Every source is read defensively: an app or field that does not exist (yet) gives ``None``,
which the page shows as "—", never an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts import gamerows


@dataclass(frozen=True)
class Stats:
    games: int | None
    wins: int | None
    turns_drawn: int | None
    correct_guesses: int | None
    beat_the_ai: int | None
    published_drawings: int | None


def stats_for(user) -> Stats:
    return Stats(
        games=_games(user),
        wins=_wins(user),
        turns_drawn=_turns_drawn(user),
        correct_guesses=_correct_guesses(user),
        beat_the_ai=_beat_the_ai(user),
        published_drawings=_published_drawings(user),
    )


def _games(user) -> int | None:
    Player = gamerows.model("game", "Player")
    if not gamerows.has_field(Player, "user"):
        return None
    return Player.objects.filter(user=user).count()


def _wins(user) -> int | None:
    return None


def _turns_drawn(user) -> int | None:
    return None


def _correct_guesses(user) -> int | None:
    return None


def _beat_the_ai(user) -> int | None:
    return None


def _published_drawings(user) -> int | None:
    Drawing = gamerows.model("gallery", "Drawing")
    if Drawing is None:
        return None
    for owner in ("user", "author", "owner"):
        if gamerows.has_field(Drawing, owner):
            drawings = Drawing.objects.filter(**{owner: user})
            if gamerows.has_field(Drawing, "published"):
                drawings = drawings.filter(published=True)
            elif gamerows.has_field(Drawing, "is_published"):
                drawings = drawings.filter(is_published=True)
            return drawings.count()
    return None
