"""What each player may see: the snapshot and the per-player parts of events.

Visibility rules live here in one place (docs/protocol.md §2, docs/rules.md): the word only
for the drawer, the players who guessed it and everyone at the reveal; hint masks for the
others; word choices only for the drawer; chat filtered by audience.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from accounts.profiles import public_badge, public_badges
from game import clock, matching, oplog
from game.forms import settings_of
from game.models import (
    Audience,
    Guess,
    KickVote,
    Message,
    Phase,
    Player,
    Room,
    Turn,
    Verdict,
)
from game.scoring import ranking

CHAT_HISTORY = 100
TURN_PHASES = (Phase.CHOOSING, Phase.DRAWING, Phase.REVEAL)


@dataclass
class Scene:
    """The room as loaded once per action or snapshot, shared by every recipient's view."""

    room: Room
    players: list[Player]
    turn: Turn | None
    guessed: list[int]
    #: Avatars of signed-in players by user id (accounts.profiles.public_badges).
    badges: dict[int, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, room: Room) -> Scene:
        players = list(room.players.filter(left_at__isnull=True))
        turn = room.current_turn if room.phase in TURN_PHASES else None
        guessed = guessed_ids(turn) if turn else []
        badges = public_badges(player.user_id for player in players)
        return cls(room, players, turn, guessed, badges)

    def player_ids(self) -> list[int]:
        return [player.pk for player in self.players]

    def knows_word(self, player_id: int | None) -> bool:
        turn = self.turn
        if turn is None or not turn.word:
            return False
        return (
            self.room.phase == Phase.REVEAL
            or player_id == turn.drawer_id
            or player_id in self.guessed
        )


def guessed_ids(turn: Turn) -> list[int]:
    return list(
        Guess.objects.filter(turn=turn, verdict=Verdict.CORRECT)
        .order_by("created_at", "id")
        .values_list("player_id", flat=True)
    )


def hint_mask(turn: Turn, hints_on: bool) -> str:
    level = turn.hint_level if hints_on else 0
    return matching.hint(turn.word, level, turn.language, seed=turn.pk)


def player_json(player: Player, scene: Scene) -> dict:
    return _player_json(
        player,
        scene.room,
        guessed=player.pk in scene.guessed,
        badge=scene.badges.get(player.user_id),
    )


def joined_player_json(room: Room, player: Player) -> dict:
    """:func:`player_json` of one player (who just sat down) without loading a whole
    :class:`Scene`: at most the room's turn, one guess and this player's badge are read,
    however many players the room has."""
    turn = room.current_turn if room.phase in TURN_PHASES else None
    # Only a player the turn counts as a guesser can have guessed it right (actions._guess),
    # e.g. one who left during the turn and is back: a newcomer needs no query.
    guessed = (
        turn is not None
        and player.pk in turn.guessers
        and Guess.objects.filter(turn=turn, player=player, verdict=Verdict.CORRECT).exists()
    )
    return _player_json(player, room, guessed=guessed, badge=public_badge(player.user_id))


def _player_json(player: Player, room: Room, *, guessed: bool, badge: dict | None) -> dict:
    return {
        "id": player.pk,
        "name": player.name,
        "is_ai": player.is_ai,
        "is_host": player.pk == room.host_id,
        "score": player.score,
        "connected": player.connected,
        "guessed": guessed,
        "badge": _avatar(badge),
    }


def _avatar(badge: dict | None) -> dict | None:
    """Signed-in players show their avatar; guests and the AI have none."""
    return {"color": badge["color"], "emoji": badge["emoji"]} if badge else None


def reveal_json(turn: Turn, players: list[Player]) -> dict:
    return {
        "word": turn.word,
        "reason": turn.end_reason,
        "points": dict(turn.points),
        "scores": {str(player.pk): player.score for player in players},
    }


def turn_json(scene: Scene, viewer_id: int | None, *, with_ops: bool = False) -> dict | None:
    turn, room = scene.turn, scene.room
    if turn is None:
        return None
    knows = scene.knows_word(viewer_id)
    drawing = room.phase in (Phase.DRAWING, Phase.REVEAL) and bool(turn.word)
    data = {
        "id": turn.pk,
        "drawer_id": turn.drawer_id,
        "word_length": len(turn.word) if drawing else None,
        "hint": hint_mask(turn, room.hints) if drawing and not knows else None,
        "word": turn.word if knows else None,
        "choices": [choice["text"] for choice in turn.choices]
        if room.phase == Phase.CHOOSING and viewer_id == turn.drawer_id
        else None,
        "guessed": list(scene.guessed),
    }
    if room.phase == Phase.REVEAL:
        data["reveal"] = reveal_json(turn, scene.players)
    if with_ops:
        ops = oplog.running_ops(turn) if turn.started_at else []
        data["ops"] = ops
        data["seq"] = len(ops)
    return data


def role(scene: Scene, viewer_id: int) -> str:
    turn = scene.turn
    if turn is None:
        return "player"
    if viewer_id == turn.drawer_id:
        return "drawer"
    if viewer_id in scene.guessed:
        return "guessed"
    if scene.room.phase == Phase.DRAWING and viewer_id not in turn.guessers:
        return "waiting"
    return "guesser"


def ranking_json(players: list[Player]) -> list[dict]:
    by_id = {player.pk: player for player in players}
    return [
        {
            "player_id": player_id,
            "name": by_id[player_id].name,
            "score": score,
            "rank": rank,
            "is_ai": by_id[player_id].is_ai,
        }
        for player_id, score, rank in ranking([(p.pk, p.score) for p in players])
    ]


def message_json(message: Message, name: str) -> dict:
    return {
        "type": "chat",
        "id": message.pk,
        "kind": message.kind,
        "player_id": message.player_id,
        "name": name,
        "text": message.text,
        "audience": message.audience,
        "ts": clock.to_ms(message.created_at),
    }


def visible_chat(room: Room, viewer_id: int) -> list[dict]:
    """The last chat entries this player may see: public ones, their own private ones, and
    guessers-only lines of the turns they drew or guessed in."""
    known_turns = set(
        Guess.objects.filter(player_id=viewer_id, verdict=Verdict.CORRECT).values_list(
            "turn_id", flat=True
        )
    ) | set(Turn.objects.filter(drawer_id=viewer_id, room=room).values_list("id", flat=True))
    messages = (
        Message.objects.filter(room=room)
        .filter(
            Q(audience=Audience.ALL)
            | Q(audience=Audience.YOU, player_id=viewer_id)
            | Q(audience=Audience.GUESSED, turn_id__in=known_turns)
        )
        .select_related("player")
        .order_by("-id")[:CHAT_HISTORY]
    )
    out = []
    for message in reversed(list(messages)):
        data = message_json(message, message.player.name)
        del data["type"]
        out.append(data)
    return out


def vote_kicks(room: Room, connected_humans: int) -> list[dict]:
    needed = connected_humans // 2 + 1
    counts: dict[int, int] = {}
    for target_id in KickVote.objects.filter(room=room).values_list("target_id", flat=True):
        counts[target_id] = counts.get(target_id, 0) + 1
    return [
        {"target_id": target, "votes": votes, "needed": needed} for target, votes in counts.items()
    ]


def view_of(room: Room) -> dict:
    """What connections keep locally to guard the draw hot path (see game.consumers).
    Needs only the room and its current turn, not a whole Scene."""
    turn = room.current_turn if room.phase in TURN_PHASES else None
    return {
        "phase": room.phase,
        "turn_id": turn.pk if turn else None,
        "drawer_id": turn.drawer_id if turn else None,
    }


def phase_json(scene: Scene, viewer_id: int) -> dict:
    room = scene.room
    data = {
        "type": "phase",
        "phase": room.phase,
        "round": room.round_number,
        "rounds": room.rounds,
        "ends_at": clock.to_ms(room.ends_at),
        "server_time": clock.now_ms(),
        "turn": turn_json(scene, viewer_id),
        "players": [player_json(player, scene) for player in scene.players],
    }
    if room.phase == Phase.FINISHED:
        data["ranking"] = ranking_json(scene.players)
    return data


def snapshot(room: Room, viewer_id: int) -> dict:
    scene = Scene.load(room)
    viewer = next((p for p in scene.players if p.pk == viewer_id), None)
    connected_humans = sum(1 for p in scene.players if p.connected and not p.is_ai)
    return {
        "type": "snapshot",
        "server_time": clock.now_ms(),
        "version": room.version,
        "room": {
            "code": room.code,
            "settings": settings_of(room, with_words=viewer_id == room.host_id),
            "host_id": room.host_id,
        },
        "you": {
            "player_id": viewer_id,
            "name": viewer.name if viewer else "",
            "is_host": viewer_id == room.host_id,
            "role": role(scene, viewer_id),
        },
        "players": [player_json(player, scene) for player in scene.players],
        "phase": room.phase,
        "round": room.round_number,
        "rounds": room.rounds,
        "ends_at": clock.to_ms(room.ends_at),
        "turn": turn_json(scene, viewer_id, with_ops=True),
        "chat": visible_chat(room, viewer_id),
        "ranking": ranking_json(scene.players) if room.phase == Phase.FINISHED else None,
        "vote_kicks": vote_kicks(room, connected_humans),
        "view": view_of(room),
    }
