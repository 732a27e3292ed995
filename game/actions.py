"""The rules of the game: every change of state is one function here.

Each action runs in one transaction that first locks the room row (``select_for_update``; on
SQLite the IMMEDIATE transaction is the lock), then catches up with time (expired seats, due
hints, expired phases: "any read of an expired phase advances it"), then does its work and
collects events in an :class:`~game.events.Outbox` that is published only after commit.

Phase changes driven by time are conditional updates (``UPDATE room SET ... WHERE id = ..
AND phase = .. AND ends_at <= now``): whichever process gets there first wins, the others
find nothing to do, so every process may keep its own wake-up timer (see :mod:`game.hub`).

Consumers and views stay thin: they validate the shape of a request and call one of the
public functions below, which raise :class:`GameError` to refuse.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.identity import Identity
from catchmind.text import has_unprintable
from game import clock, oplog, ratelimit, scoring, signals
from game.events import Outbox
from game.forms import RoomSettingsForm, apply_settings, defaults, settings_of
from game.matching import Verdict as Match
from game.matching import hint_reveal_times, match_guess, reveals_answer
from game.models import (
    Audience,
    EndReason,
    Guess,
    KickVote,
    Message,
    Phase,
    Player,
    Room,
    Turn,
    TurnOps,
    Verdict,
)
from game.state import (
    Scene,
    guessed_ids,
    hint_mask,
    joined_player_json,
    message_json,
    phase_json,
    view_of,
)
from game.words import Candidate, pick_choices, room_candidates, vocabulary

logger = logging.getLogger(__name__)

CHOOSE_SECONDS = 15
REVEAL_SECONDS = 5
SEAT_GRACE_SECONDS = 60
#: A connection whose process has not vouched for it for this long is considered gone.
STALE_CONNECTION_SECONDS = 90
MIN_HUMANS = 2
CHAT_MAX_LENGTH = 200
AI_NAME = "AI"

CLOSE_REPLACED = 4001
CLOSE_KICKED = 4003
CLOSE_NOT_FOUND = 4004
CLOSE_FULL = 4009
CLOSE_NORMAL = 1000

_TIMED = (Phase.CHOOSING, Phase.DRAWING, Phase.REVEAL)
_rng = random.SystemRandom()


class GameError(Exception):
    """A refused request: ``code`` for programs, ``message`` for people (docs/protocol.md)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        close_code: int | None = None,
        errors: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.close_code = close_code
        self.errors = errors


@dataclass(frozen=True)
class Seat:
    player_id: int
    wake_at: int | None


# --------------------------------------------------------------------------------------
# The transaction around every action
# --------------------------------------------------------------------------------------


@contextmanager
def _locked(room_id: int) -> Iterator[tuple[Room, Outbox]]:
    with transaction.atomic():
        room = Room.objects.select_for_update().filter(pk=room_id).first()
        if room is None:
            raise GameError("not_found", _("This room does not exist."), close_code=4004)
        out = Outbox(room)
        _catch_up(room, out)
        yield room, out
        _finish(room, out)


def _finish(room: Room, out: Outbox) -> None:
    if out.events or out.controls:
        Room.objects.filter(pk=room.pk).update(version=F("version") + 1)
        room.refresh_from_db(fields=["version"])
        out.finish(version=room.version, view=view_of(room), wake_at=next_wake(room))
    elif out.after_commit:
        for callback in out.after_commit:
            transaction.on_commit(callback)


def _save(room: Room, *fields: str) -> None:
    room.save(update_fields=[*fields, "updated_at"])


# --------------------------------------------------------------------------------------
# Time
# --------------------------------------------------------------------------------------


def _catch_up(room: Room, out: Outbox) -> None:
    """Apply everything that became due: seats whose grace ran out, hints, phase deadlines.
    Loops because one deadline can make the next one due (a long-idle room)."""
    for _step in range(100):
        now = clock.now()
        _expire_seats(room, out, now)
        _reveal_hints(room, out, now)
        if room.phase in _TIMED and room.ends_at is not None and room.ends_at <= now:
            _advance(room, out, now)
            continue
        return


def _advance(room: Room, out: Outbox, now: dt.datetime) -> None:
    phase = room.phase
    claimed = Room.objects.filter(pk=room.pk, phase=phase, ends_at__lte=now).update(ends_at=None)
    if not claimed:  # another process advanced it first
        room.refresh_from_db()
        return
    room.ends_at = None
    turn = room.current_turn
    if phase == Phase.CHOOSING and turn is not None:
        _start_drawing(room, turn, _rng.choice(turn.choices), out, now)
    elif phase == Phase.DRAWING and turn is not None:
        _end_turn(room, turn, EndReason.TIME_UP, out, now)
    else:
        _next_turn(room, out, now)


def _hint_times(turn: Turn) -> list[float]:
    return hint_reveal_times(turn.word, turn.draw_time, turn.language)


def _reveal_hints(room: Room, out: Outbox, now: dt.datetime) -> None:
    turn = room.current_turn
    if room.phase != Phase.DRAWING or not room.hints or turn is None or not turn.started_at:
        return
    elapsed = (now - turn.started_at).total_seconds()
    due = max(level for level, at in enumerate(_hint_times(turn)) if at <= elapsed)
    if due <= turn.hint_level:
        return
    if not Turn.objects.filter(pk=turn.pk, hint_level=turn.hint_level).update(hint_level=due):
        turn.refresh_from_db()
        return
    turn.hint_level = due
    out.send(
        {"type": "hint", "turn_id": turn.pk, "hint": hint_mask(turn, True), "level": due},
        exclude=[turn.drawer_id or 0, *guessed_ids(turn)],
    )


def next_wake(room: Room) -> int | None:
    """The next moment something in this room becomes due (epoch ms), for wake-up timers."""
    moments: list[dt.datetime] = []
    if room.phase in _TIMED and room.ends_at:
        moments.append(room.ends_at)
    turn = room.current_turn
    if room.phase == Phase.DRAWING and room.hints and turn and turn.started_at:
        times = _hint_times(turn)
        if turn.hint_level + 1 < len(times):
            moments.append(turn.started_at + dt.timedelta(seconds=times[turn.hint_level + 1]))
    gone = (
        Player.objects.filter(
            room=room,
            left_at__isnull=True,
            is_ai=False,
            connection_id="",
            disconnected_at__isnull=False,
        )
        .order_by("disconnected_at")
        .values_list("disconnected_at", flat=True)
        .first()
    )
    if gone:
        moments.append(gone + dt.timedelta(seconds=SEAT_GRACE_SECONDS))
    return clock.to_ms(min(moments)) if moments else None


def heartbeat(room_ids: list[int], connection_ids: list[str]) -> None:
    """The hub of a live process vouches for its connections to these rooms (wall clock, not
    game clock: this is about processes being alive). The rooms pick the rows by the indexed
    room key: seats are never deleted, so the table only grows."""
    if connection_ids:
        Player.objects.filter(room_id__in=room_ids, connection_id__in=connection_ids).update(
            seen_at=timezone.now()
        )


def _expire_stale_connections(room: Room, out: Outbox, now: dt.datetime) -> None:
    """Connections nobody vouched for lately belonged to a process that died without saying
    goodbye: their players count as disconnected from now on (and get the usual grace)."""
    stale = timezone.now() - dt.timedelta(seconds=STALE_CONNECTION_SECONDS)
    for player in Player.objects.filter(
        room=room, left_at__isnull=True, is_ai=False, seen_at__lt=stale
    ).exclude(connection_id=""):
        player.connection_id = ""
        player.disconnected_at = now
        player.save(update_fields=["connection_id", "disconnected_at"])
        out.send({"type": "presence", "player_id": player.pk, "connected": False})


def _expire_seats(room: Room, out: Outbox, now: dt.datetime) -> None:
    _expire_stale_connections(room, out, now)
    limit = now - dt.timedelta(seconds=SEAT_GRACE_SECONDS)
    for player in Player.objects.filter(
        room=room,
        left_at__isnull=True,
        is_ai=False,
        connection_id="",
        disconnected_at__lte=limit,
    ):
        _remove(room, player, "timeout", out, now)


def tick(room_id: int) -> int | None:
    """Advance whatever is due in a room; returns the next wake-up time (epoch ms)."""
    try:
        with _locked(room_id) as (room, _out):
            return next_wake(room)
    except GameError:
        return None


# --------------------------------------------------------------------------------------
# Rooms and seats
# --------------------------------------------------------------------------------------


def create_room(identity: Identity, data: object, language: str) -> Room:
    """A new room from the creator's settings; the creator is seated as host right away
    (with the usual grace until their websocket connects)."""
    if not isinstance(data, dict):
        raise GameError("invalid", _("Send the settings as a JSON object."))
    unknown = set(data) - set(defaults(language))
    form = RoomSettingsForm(defaults(language) | data, humans=1)
    if unknown or not form.is_valid():
        errors = form.error_dict() if form.is_bound and not form.is_valid() else {}
        for name in sorted(unknown):
            errors[name] = [{"code": "unknown", "message": _("Unknown setting.")}]
        raise GameError("invalid", _("Please correct the settings."), errors=errors)
    now = clock.now()
    with transaction.atomic():
        room = Room()
        apply_settings(room, form.cleaned_data)
        room.save()
        room.packs.set(form.cleaned_data["packs"])
        host = Player.objects.create(
            room=room,
            user_id=identity.user_id,
            guest_id=identity.guest_id,
            name=identity.name,
            joined_at=now,
            disconnected_at=now,
        )
        room.host = host
        _save(room, "host")
        _sync_ai_seat(room, Outbox(room), now)
    return room


def room_id_for_code(code: str) -> int | None:
    return Room.objects.filter(code=code).values_list("id", flat=True).first()


def _find_seat(room: Room, identity: Identity) -> Player | None:
    if identity.user_id is not None:
        return Player.objects.filter(room=room, user_id=identity.user_id).first()
    return Player.objects.filter(room=room, guest_id=identity.guest_id).first()


def _humans(room: Room) -> list[Player]:
    return list(Player.objects.filter(room=room, left_at__isnull=True, is_ai=False))


def _min_humans(room: Room) -> int:
    """Humans a game needs: two, or one playing alone against the room's AI."""
    return 1 if room.ai_enabled else MIN_HUMANS


def connect(room_id: int, identity: Identity, connection_id: str) -> Seat:
    """A websocket of ``identity`` opened: take the seat, or take it back after a reconnect.

    One live connection per player: a newer one replaces the older (closed with 4001).
    """
    with _locked(room_id) as (room, out):
        now = clock.now()
        player = _find_seat(room, identity)
        if player is not None and player.kicked:
            raise GameError(
                "kicked", _("You were removed from this room."), close_code=CLOSE_KICKED
            )
        if player is not None and player.present:
            previous = player.connection_id
            player.connection_id = connection_id
            player.disconnected_at = None
            player.seen_at = timezone.now()
            player.name = identity.name
            player.save(update_fields=["connection_id", "disconnected_at", "seen_at", "name"])
            if previous:
                out.close(player.pk, CLOSE_REPLACED, keep_connection=connection_id)
            else:
                out.send({"type": "presence", "player_id": player.pk, "connected": True})
        else:
            seated = Player.objects.filter(room=room, left_at__isnull=True).count()
            if seated >= room.max_players:
                raise GameError("full", _("This room is full."), close_code=CLOSE_FULL)
            if player is None:
                player = Player(room=room, user_id=identity.user_id, guest_id=identity.guest_id)
            player.name = identity.name
            player.joined_at = now
            player.left_at = None
            player.left_reason = ""
            player.connection_id = connection_id
            player.disconnected_at = None
            player.seen_at = timezone.now()
            if room.phase in (Phase.LOBBY, Phase.FINISHED):
                player.score = 0
            player.save()
            _queue_new_drawer(room, player)
            out.send({"type": "player_joined", "player": joined_player_json(room, player)})
        host = room.host
        if host is None or not host.present or host.is_ai:
            room.host = player
            _save(room, "host")
            out.send({"type": "host", "player_id": player.pk})
            _send_settings(room, out)
        return Seat(player.pk, next_wake(room))


def _queue_new_drawer(room: Room, player: Player) -> None:
    """Someone who sits down during a game draws in this round, after those already queued,
    unless they drew in it before leaving."""
    if room.phase not in _TIMED or player.pk in room.draw_queue:
        return
    drew = Turn.objects.filter(
        room=room, game_number=room.game_number, round_number=room.round_number, drawer=player
    ).exists()
    if not drew:
        room.draw_queue = [*room.draw_queue, player.pk]
        _save(room, "draw_queue")


def disconnect(room_id: int, player_id: int, connection_id: str) -> None:
    """The connection closed. The seat is kept for SEAT_GRACE_SECONDS; a newer connection of
    the same player has already replaced this one if the ids differ."""
    try:
        with _locked(room_id) as (_room, out):
            left = Player.objects.filter(pk=player_id, connection_id=connection_id).update(
                connection_id="", disconnected_at=clock.now()
            )
            if left:
                out.send({"type": "presence", "player_id": player_id, "connected": False})
    except GameError:
        pass


def leave(room_id: int, player_id: int) -> None:
    with _locked(room_id) as (room, out):
        player = _present(room, player_id)
        _remove(room, player, "left", out, clock.now())


def _present(room: Room, player_id: int) -> Player:
    player = Player.objects.filter(pk=player_id, room=room, left_at__isnull=True).first()
    if player is None:
        raise GameError("no_such_player", _("This player is not in the room."))
    return player


def _remove(room: Room, player: Player, reason: str, out: Outbox, now: dt.datetime) -> None:
    """A player gives up the seat (left, timeout, kicked): pass on the host, end their turn,
    stop the game when too few remain."""
    player.left_at = now
    player.left_reason = reason
    player.connection_id = ""
    player.kicked = reason == "kicked"
    player.save(update_fields=["left_at", "left_reason", "connection_id", "kicked"])
    KickVote.objects.filter(room=room, target=player).delete()
    KickVote.objects.filter(room=room, voter=player).delete()
    if player.pk in room.draw_queue:
        room.draw_queue = [pk for pk in room.draw_queue if pk != player.pk]
        _save(room, "draw_queue")
    out.send({"type": "player_left", "player_id": player.pk, "reason": reason})
    if reason == "left":
        out.close(player.pk, CLOSE_NORMAL)
    if room.host_id == player.pk:
        successor = next(
            iter(sorted(_humans(room), key=lambda p: (not p.connected, p.joined_at))), None
        )
        room.host = successor
        _save(room, "host")
        if successor:
            out.send({"type": "host", "player_id": successor.pk})
            _send_settings(room, out)
    turn = room.current_turn
    if room.phase not in _TIMED or turn is None:
        return
    if len(_humans(room)) < _min_humans(room):
        _end_game(room, out, now, stopped=True)
    elif turn.drawer_id == player.pk and room.phase in (Phase.CHOOSING, Phase.DRAWING):
        _end_turn(room, turn, EndReason.DRAWER_LEFT, out, now)
    elif room.phase == Phase.DRAWING:
        _end_if_all_guessed(room, turn, out, now)


def kick(room_id: int, host_id: int, target_id: int) -> None:
    with _locked(room_id) as (room, out):
        if room.host_id != host_id:
            raise GameError("not_host", _("Only the host can do this."))
        target = _present(room, target_id)
        if target.pk == host_id or target.is_ai:
            raise GameError("not_allowed", _("You cannot kick this player."))
        out.send({"type": "kicked", "by": "host"}, to=[target.pk])
        out.close(target.pk, CLOSE_KICKED)
        _remove(room, target, "kicked", out, clock.now())


def vote_kick(room_id: int, voter_id: int, target_id: int) -> None:
    """A vote to kick: a majority of the connected human players (the target counted) must
    agree, i.e. ``floor(n / 2) + 1`` votes."""
    with _locked(room_id) as (room, out):
        voter = _present(room, voter_id)
        target = _present(room, target_id)
        if voter.is_ai or target.is_ai or voter.pk == target.pk:
            raise GameError("not_allowed", _("You cannot vote to kick this player."))
        KickVote.objects.get_or_create(
            room=room, target=target, voter=voter, defaults={"created_at": clock.now()}
        )
        connected = [p for p in _humans(room) if p.connected]
        needed = len(connected) // 2 + 1
        votes = KickVote.objects.filter(
            target=target, voter__in=[p.pk for p in connected if p.pk != target.pk]
        ).count()
        out.send(
            {
                "type": "vote_kick",
                "target_id": target.pk,
                "voter_id": voter.pk,
                "votes": votes,
                "needed": needed,
            }
        )
        if votes >= needed:
            out.send({"type": "kicked", "by": "vote"}, to=[target.pk])
            out.close(target.pk, CLOSE_KICKED)
            _remove(room, target, "kicked", out, clock.now())


def update_settings(room_id: int, player_id: int, data: object) -> None:
    with _locked(room_id) as (room, out):
        if room.host_id != player_id:
            raise GameError("not_host", _("Only the host can do this."))
        if room.phase != Phase.LOBBY:
            raise GameError("wrong_phase", _("Settings can only change in the lobby."))
        if not isinstance(data, dict) or not data:
            raise GameError("bad_message", _("settings must be a non-empty object."))
        current = settings_of(room)  # custom_word_count included: echoing it back is fine
        unknown = sorted(set(data) - set(current))
        form = RoomSettingsForm(current | data, humans=len(_humans(room)))
        if unknown or not form.is_valid():
            errors = {} if form.is_valid() else form.error_dict()
            for name in unknown:
                errors[name] = [{"code": "unknown", "message": _("Unknown setting.")}]
            raise GameError("invalid", _("Please correct the settings."), errors=errors)
        apply_settings(room, form.cleaned_data)
        room.save()
        room.packs.set(form.cleaned_data["packs"])
        _sync_ai_seat(room, out, clock.now())
        _send_settings(room, out)


def _send_settings(room: Room, out: Outbox) -> None:
    """Everyone gets the settings, but only the host gets the custom words (the answers)."""
    out.send({"type": "settings", "settings": settings_of(room)}, to=[room.host_id])
    out.send(
        {"type": "settings", "settings": settings_of(room, with_words=False)},
        exclude=[room.host_id],
    )


def _sync_ai_seat(room: Room, out: Outbox, now: dt.datetime) -> None:
    """The AI seat follows ``ai_enabled``: a Player row with ``is_ai``, labelled as the AI."""
    ai = Player.objects.filter(room=room, is_ai=True).first()
    if room.ai_enabled and (ai is None or not ai.present):
        if ai is None:
            ai = Player(room=room, is_ai=True, name=AI_NAME)
        ai.left_at = None
        ai.left_reason = ""
        ai.joined_at = now
        ai.score = 0
        ai.save()
        out.send({"type": "player_joined", "player": joined_player_json(room, ai)})
    elif not room.ai_enabled and ai is not None and ai.present:
        _remove(room, ai, "left", out, now)


# --------------------------------------------------------------------------------------
# The turn loop
# --------------------------------------------------------------------------------------


def _broadcast_phase(room: Room, out: Outbox) -> None:
    scene = Scene.load(room)
    out.send_each(scene.player_ids(), lambda player_id: phase_json(scene, player_id))


def start(room_id: int, player_id: int) -> None:
    with _locked(room_id) as (room, out):
        if room.host_id != player_id:
            raise GameError("not_host", _("Only the host can do this."))
        if room.phase != Phase.LOBBY:
            raise GameError("wrong_phase", _("The game has already started."))
        humans = [p for p in _humans(room) if p.connected]
        if len(humans) < _min_humans(room):
            raise GameError("not_enough_players", _("At least two players are needed to start."))
        if not room_candidates(room):
            raise GameError("no_words", _("The room has no words to play with."))
        Player.objects.filter(room=room).update(score=0)
        KickVote.objects.filter(room=room).delete()
        room.game_number += 1
        room.round_number = 1
        room.draw_queue = [p.pk for p in _humans(room)]
        _save(room, "game_number", "round_number", "draw_queue")
        _next_turn(room, out, clock.now())


def restart(room_id: int, player_id: int) -> None:
    """After the final ranking: back to the lobby with scores at zero."""
    with _locked(room_id) as (room, out):
        if room.host_id != player_id:
            raise GameError("not_host", _("Only the host can do this."))
        if room.phase != Phase.FINISHED:
            raise GameError("wrong_phase", _("The game is not over yet."))
        Player.objects.filter(room=room).update(score=0)
        room.phase = Phase.LOBBY
        room.round_number = 0
        room.ends_at = None
        _save(room, "phase", "round_number", "ends_at")
        _broadcast_phase(room, out)


def _next_turn(room: Room, out: Outbox, now: dt.datetime) -> None:
    """The next drawer of this round, or the next round, or the end of the game. Every human
    draws once per round, in the order they sat down."""
    for _round in range(room.rounds + 1):
        humans = {p.pk: p for p in _humans(room)}
        if len(humans) < _min_humans(room):
            break
        queue = list(room.draw_queue)
        while queue:
            drawer = humans.get(queue.pop(0))
            # A drawer who is away (within the seat's grace) loses this round's turn.
            if drawer is not None and drawer.connected:
                room.draw_queue = queue
                _save(room, "draw_queue")
                if _start_choosing(room, drawer, out, now):
                    return
        if room.round_number >= room.rounds:
            break
        room.round_number += 1
        room.draw_queue = list(humans)
        _save(room, "round_number", "draw_queue")
    _end_game(room, out, now, stopped=False)


def _start_choosing(room: Room, drawer: Player, out: Outbox, now: dt.datetime) -> bool:
    candidates = room_candidates(room)
    if not candidates:
        return False
    used = set(
        Turn.objects.filter(room=room, game_number=room.game_number).values_list("word", flat=True)
    )
    choices = pick_choices(candidates, room.word_choices, used, _rng)
    turn = Turn.objects.create(
        room=room,
        game_number=room.game_number,
        round_number=room.round_number,
        drawer=drawer,
        choices=[choice.as_json() for choice in choices],
        language=room.language,
        created_at=now,
        draw_time=room.draw_time,
    )
    room.current_turn = turn
    room.phase = Phase.CHOOSING
    room.ends_at = now + dt.timedelta(seconds=CHOOSE_SECONDS)
    _save(room, "current_turn", "phase", "ends_at")
    _broadcast_phase(room, out)
    return True


def choose(room_id: int, player_id: int, index: object) -> None:
    with _locked(room_id) as (room, out):
        turn = room.current_turn
        if room.phase != Phase.CHOOSING or turn is None:
            raise GameError("wrong_phase", _("There is no word to choose now."))
        if turn.drawer_id != player_id:
            raise GameError("not_drawer", _("Only the drawer chooses the word."))
        if type(index) is not int or not 0 <= index < len(turn.choices):
            raise GameError("bad_message", _("index must be one of the choices."))
        _start_drawing(room, turn, turn.choices[index], out, clock.now())


def _start_drawing(room: Room, turn: Turn, choice: dict, out: Outbox, now: dt.datetime) -> None:
    candidate = Candidate(**choice)
    turn.word = candidate.text
    turn.word_ref_id = candidate.word_id
    turn.category = candidate.category
    turn.synonyms = candidate.synonyms
    turn.started_at = now
    turn.hint_level = 0
    turn.guessers = [
        p.pk
        for p in Player.objects.filter(room=room, left_at__isnull=True).exclude(pk=turn.drawer_id)
    ]
    turn.save()
    room.phase = Phase.DRAWING
    room.ends_at = now + dt.timedelta(seconds=turn.draw_time)
    _save(room, "phase", "ends_at")
    _broadcast_phase(room, out)
    room_id, turn_id = room.pk, turn.pk
    out.on_commit(lambda: signals.turn_started.send(Turn, room_id=room_id, turn_id=turn_id))


def _end_turn(room: Room, turn: Turn, reason: str, out: Outbox, now: dt.datetime) -> None:
    """Close the turn: persist the last ops, score the drawer, show the reveal."""
    if not turn.started_at:  # the drawer left while choosing: nothing was drawn
        turn.ended_at = now
        turn.end_reason = reason
        turn.save(update_fields=["ended_at", "end_reason"])
        _next_turn(room, out, now)
        return
    oplog.persist_tail(turn)
    correct = list(turn.guesses.filter(verdict=Verdict.CORRECT).order_by("created_at", "id"))
    points = {str(guess.player_id): guess.points for guess in correct}
    drawer_points = 0
    if reason != EndReason.DRAWER_LEFT and turn.drawer_id:
        drawer_points = scoring.drawer_points(
            [guess.elapsed_ms for guess in correct], len(turn.guessers), turn.draw_time
        )
        points[str(turn.drawer_id)] = drawer_points
        Player.objects.filter(pk=turn.drawer_id).update(score=F("score") + drawer_points)
    turn.points = points
    turn.ended_at = now
    turn.end_reason = reason
    turn.save()
    room.phase = Phase.REVEAL
    room.ends_at = now + dt.timedelta(seconds=REVEAL_SECONDS)
    _save(room, "phase", "ends_at")
    _broadcast_phase(room, out)
    room_id, turn_id = room.pk, turn.pk
    out.on_commit(lambda: oplog.drop_tail(turn_id))
    out.on_commit(lambda: signals.turn_ended.send(Turn, room_id=room_id, turn_id=turn_id))


def _end_game(room: Room, out: Outbox, now: dt.datetime, *, stopped: bool) -> None:
    turn = room.current_turn
    if turn is not None and turn.ended_at is None and room.phase in (Phase.CHOOSING, Phase.DRAWING):
        if turn.started_at:
            oplog.persist_tail(turn)
        turn.ended_at = now
        turn.end_reason = EndReason.GAME_STOPPED
        turn.save()
        if turn.started_at:
            room_id, turn_id = room.pk, turn.pk
            out.on_commit(lambda: signals.turn_ended.send(Turn, room_id=room_id, turn_id=turn_id))
    room.phase = Phase.FINISHED
    room.ends_at = None
    room.current_turn = None
    room.draw_queue = []
    _save(room, "phase", "ends_at", "current_turn", "draw_queue")
    _broadcast_phase(room, out)


def _end_if_all_guessed(room: Room, turn: Turn, out: Outbox, now: dt.datetime) -> None:
    """The turn ends as soon as every human guesser still seated has guessed. The AI is not
    waited for: it never holds a turn open."""
    humans = set(
        Player.objects.filter(pk__in=turn.guessers, left_at__isnull=True, is_ai=False).values_list(
            "pk", flat=True
        )
    )
    guessed = set(turn.guesses.filter(verdict=Verdict.CORRECT).values_list("player_id", flat=True))
    if humans <= guessed:
        _end_turn(room, turn, EndReason.ALL_GUESSED, out, now)


# --------------------------------------------------------------------------------------
# Chat and guesses
# --------------------------------------------------------------------------------------


def _clean_chat(text: object) -> str:
    if not isinstance(text, str):
        raise GameError("bad_message", _("text must be a string."))
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise GameError("bad_message", _("The message is empty."))
    if len(text) > CHAT_MAX_LENGTH:
        raise GameError(
            "bad_message",
            _("Messages can be at most %(max)d characters.") % {"max": CHAT_MAX_LENGTH},
        )
    if has_unprintable(text):
        raise GameError("bad_message", _("Messages cannot contain control characters."))
    return text


def chat(room_id: int, player_id: int, raw_text: object) -> None:
    """A line typed in the chat box: a guess while someone draws, otherwise plain chat. The
    AI player guesses through this same function."""
    text = _clean_chat(raw_text)
    if not ratelimit.allow_chat(player_id):
        raise GameError("rate_limited", _("You are sending messages too fast."))
    with _locked(room_id) as (room, out):
        player = _present(room, player_id)
        now = clock.now()
        turn = room.current_turn
        if room.phase != Phase.DRAWING or turn is None:
            _post(room, player, text, Audience.ALL, out, now, turn=turn)
            return
        scene = Scene.load(room)
        if player.pk == turn.drawer_id:
            if reveals_answer(text, turn.word, turn.synonyms, turn.language, vocabulary(room)):
                raise GameError(
                    "reveals_answer", _("You cannot give the answer away while drawing.")
                )
            _post(room, player, text, Audience.ALL, out, now, turn=turn)
        elif player.pk in scene.guessed:
            _post(
                room,
                player,
                text,
                Audience.GUESSED,
                out,
                now,
                turn=turn,
                to=[turn.drawer_id or 0, *scene.guessed],
            )
        else:
            verdict = match_guess(text, turn.word, turn.synonyms, turn.language, vocabulary(room))
            if player.pk not in turn.guessers:
                if verdict != Match.WRONG:
                    raise GameError(
                        "not_in_turn", _("You joined during this turn: guess from the next one.")
                    )
                _post(room, player, text, Audience.ALL, out, now, turn=turn)
            else:
                _guess(room, turn, scene, player, text, Verdict(verdict.value), out, now)


def _post(
    room: Room,
    player: Player,
    text: str,
    audience: str,
    out: Outbox,
    now: dt.datetime,
    *,
    turn: Turn | None,
    to: list[int] | None = None,
    kind: str = Message.Kind.CHAT,
) -> None:
    message = Message.objects.create(
        room=room,
        turn=turn,
        player=player,
        kind=kind,
        audience=audience,
        text=text,
        created_at=now,
    )
    out.send(message_json(message, player.name), to=to)


def _guess(
    room: Room,
    turn: Turn,
    scene: Scene,
    player: Player,
    text: str,
    verdict: str,
    out: Outbox,
    now: dt.datetime,
) -> None:
    elapsed_ms = max(0, int((now - turn.started_at).total_seconds() * 1000))
    guess = Guess(
        turn=turn, player=player, text=text, verdict=verdict, created_at=now, elapsed_ms=elapsed_ms
    )
    if verdict == Verdict.WRONG:
        guess.save()
        _post(room, player, text, Audience.ALL, out, now, turn=turn)
        return
    if verdict == Verdict.CLOSE:
        guess.save()
        _post(room, player, text, Audience.YOU, out, now, turn=turn, to=[player.pk])
        out.send({"type": "close", "text": text}, to=[player.pk])
        return
    ai_ids = {p.pk for p in scene.players if p.is_ai and p.pk in turn.guessers}
    ai_already_guessed = any(pk in scene.guessed for pk in ai_ids) if ai_ids else None
    guess.order = len(scene.guessed) + 1
    guess.points = scoring.guesser_points(
        elapsed_ms,
        turn.draw_time,
        guess.order,
        ai_already_guessed=ai_already_guessed,
        is_ai=player.is_ai,
    )
    guess.save()
    Player.objects.filter(pk=player.pk).update(score=F("score") + guess.points)
    player.refresh_from_db(fields=["score"])
    event = {
        "type": "guessed",
        "turn_id": turn.pk,
        "player_id": player.pk,
        "points": guess.points,
        "score": player.score,
        "order": guess.order,
    }
    out.send(event, exclude=[player.pk])
    out.send({**event, "word": turn.word}, to=[player.pk])
    _post(room, player, "", Audience.ALL, out, now, turn=turn, kind=Message.Kind.GUESSED)
    _end_if_all_guessed(room, turn, out, now)


# --------------------------------------------------------------------------------------
# The stroke log
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawerState:
    turn_id: int
    persisted: int
    points: int
    tail: list[dict]


def drawer_state(room_id: int, player_id: int) -> DrawerState:
    """Where the drawer's connection resumes the op log (after a reconnect too)."""
    with _locked(room_id) as (room, _out):
        turn = room.current_turn
        if room.phase != Phase.DRAWING or turn is None or turn.drawer_id != player_id:
            raise GameError("not_drawer", _("Only the drawer can draw, while drawing."))
        tail = oplog.read_tail(turn.pk, turn.op_count)
        return DrawerState(
            turn.pk, turn.op_count, turn.point_count + oplog.count_points(tail), tail
        )


def append_ops(room_id: int, player_id: int, turn_id: int, seq: int, ops: list[dict]) -> bool:
    """Persist the drawer's buffered ops as one chunk. Returns False when the turn is over
    (what it drew up to the end was already saved from the shared tail)."""
    with _locked(room_id) as (room, out):
        turn = room.current_turn
        if (
            room.phase != Phase.DRAWING
            or turn is None
            or turn.pk != turn_id
            or turn.drawer_id != player_id
            or seq > turn.op_count
        ):
            return False
        fresh = ops[turn.op_count - seq :]
        if fresh:
            TurnOps.objects.create(turn=turn, seq=turn.op_count, ops=fresh)
            turn.op_count += len(fresh)
            turn.point_count += oplog.count_points(fresh)
            turn.save(update_fields=["op_count", "point_count"])
            count = turn.op_count
            out.on_commit(
                lambda: signals.canvas_changed.send(
                    Turn, room_id=room_id, turn_id=turn_id, op_count=count
                )
            )
        return True


# --------------------------------------------------------------------------------------
# The AI player's way in (game.ai.hooks calls these; the AI guesses like a human)
# --------------------------------------------------------------------------------------


def ai_guess(room_id: int, player_id: int, turn_id: int, text: str) -> bool:
    """The AI types a guess for ``turn_id``. Returns False (and says nothing) when that turn
    is no longer being drawn: a late answer from a slow backend never lands in the next turn.
    Otherwise exactly :func:`chat`, with the same matching, visibility and scoring."""
    current = (
        Room.objects.filter(pk=room_id, phase=Phase.DRAWING)
        .values_list("current_turn_id", flat=True)
        .first()
    )
    if current != turn_id:
        return False
    try:
        chat(room_id, player_id, text)
    except GameError as exc:
        logger.info("AI guess refused in room %s: %s", room_id, exc.code)
        return False
    return True


def _thinking_payload(turn_id: int, player_id: int, guesses: list[dict]) -> dict:
    return {
        "type": "ai_thinking",
        "turn_id": turn_id,
        "player_id": player_id,
        "guesses": [
            {"word": str(g["word"]), "confidence": round(float(g["confidence"]), 3)}
            for g in guesses[:3]
        ],
    }


def ai_thinking(room_id: int, turn_id: int, player_id: int, guesses: list[dict]) -> None:
    """Show the AI's current top 3 (``[{"word", "confidence"}]``) to those who know the word:
    the drawer and the players who already guessed. Ignored once the turn is over."""
    with _locked(room_id) as (room, out):
        turn = room.current_turn
        if room.phase != Phase.DRAWING or turn is None or turn.pk != turn_id:
            return
        out.send(
            _thinking_payload(turn_id, player_id, guesses),
            to=[turn.drawer_id or 0, *guessed_ids(turn)],
        )


def ai_thinking_reveal(room_id: int, turn_id: int, player_id: int, guesses: list[dict]) -> None:
    """The AI's last top 3 of a finished turn, for everyone (the word is no secret now)."""
    with _locked(room_id) as (_room, out):
        out.send({**_thinking_payload(turn_id, player_id, guesses), "final": True})
