"""The AI player's rows in the database (models of the ``game`` app, imported by
``game/models.py``).

* :class:`AICall` - one row per AI call (and per call skipped for the budget): what it cost,
  how long it took and how it ended. The admin lists them with totals per day.
* :class:`AIRoomState` - the AI seat's scheduling state of one room: the lease that makes at
  most one guess run per room across all processes (claimed by a conditional ``UPDATE``, see
  :mod:`game.ai.player`), how far the canvas was seen, when the next call may run, what the
  AI already said this turn, and whether the room is falling back to the local model because
  the paid backend is over budget.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AIOutcome(models.TextChoices):
    OK = "ok", _("ok")
    TIMEOUT = "timeout", _("timeout")
    ERROR = "error", _("error")
    REFUSED = "refused", _("refused")
    OVER_BUDGET = "over_budget", _("over budget")


class AICall(models.Model):
    """One call of an AI backend for a room's running turn."""

    room = models.ForeignKey(
        "game.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="ai_calls"
    )
    turn = models.ForeignKey(
        "game.Turn", null=True, blank=True, on_delete=models.SET_NULL, related_name="ai_calls"
    )
    backend = models.CharField(max_length=20)
    model = models.CharField(max_length=200, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=AIOutcome.choices)
    #: The ranked guesses the backend returned: [{"word", "confidence"}, ...].
    guesses = models.JSONField(default=list, blank=True)
    #: Canvas size (ops) the call looked at.
    op_count = models.PositiveIntegerField(default=0)
    detail = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("AI call")
        verbose_name_plural = _("AI calls")
        indexes = [
            models.Index(fields=["backend", "created"], name="aicall_backend_created"),
            models.Index(fields=["room", "created"], name="aicall_room_created"),
        ]

    def __str__(self) -> str:
        return f"{self.backend} {self.outcome} {self.latency_ms} ms"

    @property
    def tokens(self) -> int | None:
        if self.prompt_tokens is None and self.completion_tokens is None:
            return None
        return (self.prompt_tokens or 0) + (self.completion_tokens or 0)


class AIRoomState(models.Model):
    """Scheduling state of a room's AI seat; one row per room, reset at every new turn."""

    room = models.OneToOneField(
        "game.Room", primary_key=True, on_delete=models.CASCADE, related_name="ai_state"
    )
    turn = models.ForeignKey(
        "game.Turn", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The lease: whoever set ``lease_token`` runs the room's only AI call until
    #: ``lease_until``; after that anyone may claim again (a crashed process blocks nothing).
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    #: Ops of the turn's log the last call saw (the canvas "version") and the one in flight.
    seen_ops = models.PositiveIntegerField(default=0)
    claimed_ops = models.PositiveIntegerField(default=0)
    #: Earliest time of the next call (reaction delay, then the backend's minimum interval).
    next_at = models.DateTimeField(null=True, blank=True)
    calls = models.PositiveIntegerField(default=0, help_text=_("AI calls this turn"))
    said = models.JSONField(default=list, blank=True, help_text=_("guesses said this turn"))
    said_count = models.PositiveSmallIntegerField(default=0)
    #: The last top-3 of the turn, repeated to everyone at the reveal.
    thinking = models.JSONField(default=list, blank=True)
    #: Backend of the last call, and why it was not the room's configured one.
    backend = models.CharField(max_length=20, blank=True)
    fallback = models.CharField(
        max_length=20,
        blank=True,
        help_text=_("'over_budget' while the paid backend is over its hourly budget"),
    )
    fallback_since = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("AI seat")
        verbose_name_plural = _("AI seats")

    def __str__(self) -> str:
        return f"AI of room {self.room_id}"
