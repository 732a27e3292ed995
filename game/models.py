"""The game state. The database is the only authority (DESIGN §2): rooms, seats, turns, the
stroke log of every turn, guesses and chat. Consumers and processes keep nothing that a
restart would lose; every change goes through :mod:`game.actions`."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Room codes avoid look-alike characters (0/O, 1/l/I) so a code read aloud or copied by hand
# still works; 12 characters of 55 symbols are about 69 bits: private rooms are unguessable.
CODE_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def new_room_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Language(models.TextChoices):
    KO = "ko", "한국어"
    EN = "en", "English"


class Difficulty(models.IntegerChoices):
    EASY = 1, _("easy")
    NORMAL = 2, _("normal")
    HARD = 3, _("hard")


class WordPack(models.Model):
    """A named list of words in one language. Builtin packs come from ``game/wordpacks`` and
    are (re)loaded by ``manage.py load_wordpacks``; operators may add their own in the admin."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    language = models.CharField(max_length=2, choices=Language.choices)
    description = models.TextField(blank=True)
    builtin = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True, help_text=_("Offered when creating a room."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language", "slug"]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class Word(models.Model):
    """One drawable word. ``category`` is the Quick, Draw! category it depicts (blank when it
    has none): the local AI model only knows those categories, so it is what the AI guesses
    from, while players guess ``text`` and its ``synonyms``."""

    pack = models.ForeignKey(WordPack, on_delete=models.CASCADE, related_name="words")
    text = models.CharField(max_length=30)
    language = models.CharField(max_length=2, choices=Language.choices)
    category = models.CharField(max_length=50, blank=True, db_index=True)
    synonyms = models.JSONField(default=list, blank=True)
    difficulty = models.PositiveSmallIntegerField(
        choices=Difficulty.choices, default=Difficulty.NORMAL
    )

    class Meta:
        ordering = ["pack", "text"]
        constraints = [models.UniqueConstraint(fields=["pack", "text"], name="word_unique_in_pack")]

    def __str__(self) -> str:
        return self.text


class Phase(models.TextChoices):
    LOBBY = "lobby", _("lobby")
    CHOOSING = "choosing", _("choosing")
    DRAWING = "drawing", _("drawing")
    REVEAL = "reveal", _("reveal")
    FINISHED = "finished", _("finished")


class AIDifficulty(models.TextChoices):
    EASY = "easy", _("easy")
    NORMAL = "normal", _("normal")
    HARD = "hard", _("hard")


class AIBackend(models.TextChoices):
    DEFAULT = "", _("server default")
    LOCAL = "local", _("local model")
    OPENAI = "openai", _("OpenAI-compatible")


class Room(models.Model):
    code = models.CharField(max_length=CODE_LENGTH, unique=True, default=new_room_code)
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Settings (changed by the host in the lobby; validated by game.forms.RoomSettingsForm).
    max_players = models.PositiveSmallIntegerField(default=8)
    rounds = models.PositiveSmallIntegerField(default=3)
    draw_time = models.PositiveSmallIntegerField(default=80, help_text=_("seconds"))
    word_choices = models.PositiveSmallIntegerField(default=3)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.KO)
    packs = models.ManyToManyField(WordPack, blank=True, related_name="rooms")
    custom_words = models.JSONField(default=list, blank=True)
    custom_words_only = models.BooleanField(default=False)
    hints = models.BooleanField(default=True)
    ai_enabled = models.BooleanField(default=False)
    ai_difficulty = models.CharField(
        max_length=10, choices=AIDifficulty.choices, default=AIDifficulty.NORMAL
    )
    ai_backend = models.CharField(
        max_length=20, choices=AIBackend.choices, default=AIBackend.DEFAULT, blank=True
    )

    # State.
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.LOBBY)
    ends_at = models.DateTimeField(null=True, blank=True)
    round_number = models.PositiveSmallIntegerField(default=0)
    game_number = models.PositiveIntegerField(default=0)
    current_turn = models.ForeignKey(
        "Turn", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    host = models.ForeignKey(
        "Player", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Player ids that still have to draw in this round, in order.
    draw_queue = models.JSONField(default=list, blank=True)
    #: Incremented by every committed change; lets a connection drop events its snapshot
    #: already contains.
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["is_public", "phase"])]

    def __str__(self) -> str:
        return self.code


class Player(models.Model):
    """A seat in a room: a guest (``guest_id`` from the session), a signed-in user or the AI.

    Rows are kept after a player leaves (``left_at``), because turns and guesses refer to
    them; the same person coming back takes the same row again.
    """

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="players")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="catchmind_seats",
    )
    # NULL rather than "" for users and the AI, so the per-guest unique constraint ignores them.
    guest_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    name = models.CharField(max_length=20)
    is_ai = models.BooleanField(default=False)
    score = models.IntegerField(default=0)
    joined_at = models.DateTimeField()
    #: Id of the live websocket connection; empty while disconnected. One per player.
    connection_id = models.CharField(max_length=32, blank=True)
    #: Wall-clock time the process holding the connection last vouched for it (see
    #: game.hub): a connection of a crashed process goes stale instead of staying "connected".
    seen_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    left_reason = models.CharField(max_length=10, blank=True)
    kicked = models.BooleanField(default=False)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "user"], condition=Q(user__isnull=False), name="seat_per_user"
            ),
            models.UniqueConstraint(
                fields=["room", "guest_id"],
                condition=Q(guest_id__isnull=False),
                name="seat_per_guest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}{' (AI)' if self.is_ai else ''}"

    @property
    def present(self) -> bool:
        return self.left_at is None

    @property
    def connected(self) -> bool:
        return self.present and (self.is_ai or bool(self.connection_id))


class EndReason(models.TextChoices):
    TIME_UP = "time_up", _("time up")
    ALL_GUESSED = "all_guessed", _("everyone guessed")
    DRAWER_LEFT = "drawer_left", _("the drawer left")
    GAME_STOPPED = "game_stopped", _("the game stopped")


class Turn(models.Model):
    """One player's turn: the word, the drawing and the guess timeline. Finished turns are
    the labelled drawings the gallery and the AI training learn from (DESIGN §6)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="turns")
    game_number = models.PositiveIntegerField()
    round_number = models.PositiveSmallIntegerField()
    drawer = models.ForeignKey(Player, null=True, on_delete=models.SET_NULL, related_name="turns")
    #: The words offered: [{"text", "word_id", "category", "synonyms"}].
    choices = models.JSONField(default=list)
    word = models.CharField(max_length=30, blank=True)
    word_ref = models.ForeignKey(Word, null=True, blank=True, on_delete=models.SET_NULL)
    category = models.CharField(max_length=50, blank=True)
    synonyms = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices)
    #: Player ids (AI included) who may guess: those present when the drawing started.
    guessers = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True, help_text=_("drawing started"))
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    hint_level = models.PositiveSmallIntegerField(default=0)
    draw_time = models.PositiveSmallIntegerField()
    #: Number of ops in the persisted log (sum of the chunks' lengths).
    op_count = models.PositiveIntegerField(default=0)
    point_count = models.PositiveIntegerField(default=0)
    #: Points of this turn per player id (as strings: JSON keys), the drawer's included.
    points = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["room", "game_number"])]

    def __str__(self) -> str:
        return f"{self.room.code} #{self.pk}: {self.word or '?'}"

    def op_log(self) -> list[dict]:
        """Every persisted op of the turn, in order."""
        return list(iter_ops(self.pk))


class TurnOps(models.Model):
    """A chunk of a turn's stroke log. The drawer's connection flushes its buffer as one chunk
    per finished stroke, so a turn is tens of inserts rather than one row per batch or a
    growing row rewritten on every stroke."""

    turn = models.ForeignKey(Turn, on_delete=models.CASCADE, related_name="op_chunks")
    seq = models.PositiveIntegerField(help_text=_("index of the first op in the turn's log"))
    ops = models.JSONField()

    class Meta:
        ordering = ["turn", "seq"]
        constraints = [models.UniqueConstraint(fields=["turn", "seq"], name="ops_chunk_seq")]

    def __str__(self) -> str:
        return f"turn {self.turn_id} ops {self.seq}..{self.seq + len(self.ops)}"


def iter_ops(turn_id: int) -> Iterator[dict]:
    for chunk in (
        TurnOps.objects.filter(turn_id=turn_id).order_by("seq").values_list("ops", flat=True)
    ):
        yield from chunk


class Verdict(models.TextChoices):
    CORRECT = "correct", _("correct")
    CLOSE = "close", _("close")
    WRONG = "wrong", _("wrong")


class Guess(models.Model):
    """One guess in a turn's timeline (wrong, close and correct), with its points."""

    turn = models.ForeignKey(Turn, on_delete=models.CASCADE, related_name="guesses")
    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="guesses")
    text = models.CharField(max_length=200)
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    created_at = models.DateTimeField()
    elapsed_ms = models.PositiveIntegerField(help_text=_("since the drawing started"))
    points = models.IntegerField(default=0)
    order = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("1 = first"))

    class Meta:
        ordering = ["turn", "created_at", "id"]
        verbose_name_plural = "guesses"

    def __str__(self) -> str:
        return f"{self.text} ({self.verdict})"


class Audience(models.TextChoices):
    ALL = "all", _("everyone")
    GUESSED = "guessed", _("the drawer and the players who guessed")
    YOU = "you", _("the sender only")


class Message(models.Model):
    """Chat as each player saw it: kept so a reconnecting player gets the chat they may see."""

    class Kind(models.TextChoices):
        CHAT = "chat", _("chat")
        GUESSED = "guessed", _("guessed the word")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    turn = models.ForeignKey(Turn, null=True, blank=True, on_delete=models.CASCADE)
    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHAT)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.ALL)
    text = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text or self.kind


class KickVote(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="kick_votes")
    target = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="votes_against")
    voter = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="votes_cast")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "voter"], name="one_kick_vote_per_voter")
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} → {self.target_id}"


# The AI player's models (game/ai/records.py): its calls and each room's AI seat.
from game.ai.records import AICall, AIRoomState  # noqa: E402, F401
