"""Helpers for the gallery tests: finished turns in the game's tables, saved drawings, and a
turn played through the game's own actions."""

from __future__ import annotations

import datetime as dt
import secrets

from django.test import Client
from django.utils import timezone

from accounts.identity import SESSION_GUEST_ID, Identity
from gallery.models import Drawing
from game import actions
from game.models import Guess, Player, Room, Turn, TurnOps
from tests.game_support import stroke

INK = "#1a2b3c"

#: A little house: four strokes, the way the browser sends them.
HOUSE = [
    *stroke(1, 2000, 7000, 8000, 7000, 8000, 4000, 2000, 4000, 2000, 7000, color=INK),
    *stroke(2, 2000, 4000, 5000, 1500, 8000, 4000, color=INK),
    *stroke(3, 4500, 7000, 4500, 5500, 5500, 5500, 5500, 7000, color="#b3261e"),
    {"op": "fill", "x": 3000, "y": 5000, "color": "#ffcf33"},
]


def finished_turn(
    *,
    ops: list[dict] | None = None,
    word: str = "집",
    language: str = "ko",
    user=None,
    guest_id: str | None = None,
    name: str = "그림왕",
    guessers: tuple[str, ...] = ("민지",),
    with_ai: bool = False,
    seconds: int = 30,
) -> Turn:
    """A turn that ended after ``seconds``: its room, seats, op log and guesses."""
    now = timezone.now()
    start = now - dt.timedelta(seconds=seconds)
    room = Room.objects.create(language=language, phase="reveal", game_number=1, round_number=1)
    if user is None and guest_id is None:
        guest_id = secrets.token_urlsafe(8)
    drawer = Player.objects.create(
        room=room, user=user, guest_id=None if user else guest_id, name=name, joined_at=start
    )
    seats = [
        Player.objects.create(room=room, guest_id=secrets.token_urlsafe(8), name=n, joined_at=start)
        for n in guessers
    ]
    ai = None
    if with_ai:
        ai = Player.objects.create(room=room, is_ai=True, name="AI 로봇", joined_at=start)
        seats.append(ai)
    ops = HOUSE if ops is None else ops
    turn = Turn.objects.create(
        room=room,
        game_number=1,
        round_number=1,
        drawer=drawer,
        word=word,
        language=language,
        guessers=[p.pk for p in seats],
        created_at=start,
        started_at=start,
        ended_at=now,
        end_reason="time_up",
        draw_time=80,
        op_count=len(ops),
        point_count=sum(len(op.get("pts", ())) // 2 for op in ops),
    )
    if ops:
        TurnOps.objects.create(turn=turn, seq=0, ops=ops)
    return turn


def guess(turn: Turn, name: str, text: str, verdict: str, ms: int, **fields) -> Guess:
    player = Player.objects.get(room=turn.room, name=name)
    return Guess.objects.create(
        turn=turn,
        player=player,
        text=text,
        verdict=verdict,
        created_at=turn.started_at + dt.timedelta(milliseconds=ms),
        elapsed_ms=ms,
        **fields,
    )


def drawing(**fields) -> Drawing:
    """A saved drawing row (no files: the pictures are rendered when first asked for)."""
    values = {
        "word": "사과",
        "language": "ko",
        "drawer_name": "그림왕",
        "ops": HOUSE,
        "op_count": len(HOUSE),
        "duration_ms": 20_000,
        "pace": [[len(HOUSE), 20_000]],
        "started_at": timezone.now() - dt.timedelta(seconds=20),
        "ended_at": timezone.now(),
    }
    values.update(fields)
    if values.get("is_published") and "published_at" not in values:
        values["published_at"] = timezone.now()
    return Drawing.objects.create(**values)


def client_for(user=None, *, guest_id: str | None = None, language: str = "en") -> Client:
    """A test client signed in as ``user`` or holding the session of guest ``guest_id``."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    if guest_id:
        session = client.session
        session[SESSION_GUEST_ID] = guest_id
        session.save()
    return client


def guest_identity(name: str) -> Identity:
    return Identity(user_id=None, guest_id=secrets.token_urlsafe(12), name=name)


def play_a_turn(drawer: Identity, guesser: Identity, ops: list[dict]) -> Turn:
    """Two players, one turn through the game's actions: the drawer draws ``ops`` (one
    chunk per stroke, as the drawer's connection stores them) and the guesser gets it,
    which ends the turn."""
    room = actions.create_room(
        drawer,
        {"custom_words": ["사과", "바나나", "고양이"], "custom_words_only": True, "rounds": 1},
        "ko",
    )
    drawer_seat = actions.connect(room.pk, drawer, "c1").player_id
    guesser_seat = actions.connect(room.pk, guesser, "c2").player_id
    actions.start(room.pk, drawer_seat)
    room.refresh_from_db()
    turn = room.current_turn
    actions.choose(room.pk, drawer_seat, 0)
    seq = 0
    chunk: list[dict] = []
    for op in ops:
        chunk.append(op)
        if op["op"] in {"end", "fill", "clear", "undo", "redo"}:
            actions.append_ops(room.pk, drawer_seat, turn.pk, seq, chunk)
            seq += len(chunk)
            chunk = []
    turn.refresh_from_db()
    actions.chat(room.pk, guesser_seat, turn.word)
    turn.refresh_from_db()
    return turn
