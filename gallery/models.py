"""Saved drawings, likes and reports.

A :class:`Drawing` is a copy of a finished turn, made once per turn (``turn`` is unique) by
:mod:`gallery.saving`. It copies everything it shows, because rooms, turns and seats may be
deleted later: the op log (the drawing itself), its pace, the word, the drawer's name at the
time and the guess timeline. The PNG, thumbnail and GIF are files in Django's storage
(``MEDIA_ROOT``) derived from the ops by the shared renderer (:mod:`game.ai.render`); they
are caches: a missing file is rendered again from the ops (:mod:`gallery.images`).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 60
#: Columns a grid of drawings never needs (the op log can be megabytes).
HEAVY_FIELDS = ("ops", "pace", "timeline")


def new_token() -> str:
    return secrets.token_hex(8)


class DrawingQuerySet(models.QuerySet):
    def light(self) -> DrawingQuerySet:
        return self.defer(*HEAVY_FIELDS)

    def public(self) -> DrawingQuerySet:
        """What everyone may see: published and not hidden by moderation."""
        return self.filter(is_published=True, is_hidden=False)

    def owned_by(self, user, guest_id: str | None) -> DrawingQuerySet:
        """A signed-in user's drawings, or a guest's drawings of their current session."""
        if user is not None and user.is_authenticated:
            return self.filter(user=user)
        if guest_id:
            return self.filter(user__isnull=True, guest_id=guest_id)
        return self.none()

    def with_likes(self, user=None) -> DrawingQuerySet:
        """Like counts (one aggregate query, no N+1) and whether ``user`` liked each one."""
        qs = self.annotate(like_count=Count("likes", distinct=True))
        if user is not None and user.is_authenticated:
            qs = qs.annotate(liked=Exists(Like.objects.filter(drawing=OuterRef("pk"), user=user)))
        return qs


class Drawing(models.Model):
    turn = models.OneToOneField(
        "game.Turn",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drawing",
        help_text=_("The turn it was drawn in; one drawing per turn."),
    )
    room = models.ForeignKey(
        "game.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="drawings"
    )
    room_code = models.CharField(max_length=12, blank=True)

    # Who drew it: an account, or a guest (the guest id of their session).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drawings",
    )
    guest_id = models.CharField(max_length=64, null=True, blank=True, db_index=True)  # noqa: DJ001
    drawer_name = models.CharField(_("drawer"), max_length=20)
    #: The drawer deleted their account and kept this drawing: shown as "Deleted user".
    drawer_deleted = models.BooleanField(default=False)

    word = models.CharField(_("word"), max_length=30)
    language = models.CharField(_("language"), max_length=2)
    category = models.CharField(max_length=50, blank=True)
    end_reason = models.CharField(max_length=20, blank=True)

    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    #: The turn's op log (docs/protocol.md §3).
    ops = models.JSONField(default=list)
    op_count = models.PositiveIntegerField(default=0)
    point_count = models.PositiveIntegerField(default=0)
    #: When the ops arrived: [[ops persisted so far, ms since the drawing started], ...].
    pace = models.JSONField(default=list, blank=True)
    #: Guesses, human and AI, and the AI's looks: see :func:`gallery.saving.timeline`.
    timeline = models.JSONField(default=list, blank=True)

    # Derived pictures (caches of the ops, see gallery.images). The token names the files
    # and versions their URLs, so they can be cached for a year.
    token = models.CharField(max_length=16, default=new_token, editable=False)
    image = models.FileField(upload_to="gallery/", blank=True)
    thumbnail = models.FileField(upload_to="gallery/", blank=True)
    animation = models.FileField(upload_to="gallery/", blank=True)

    # Publishing (by the drawer) and moderation.
    title = models.CharField(_("title"), max_length=TITLE_MAX, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    is_hidden = models.BooleanField(
        _("hidden"), default=False, help_text=_("Hidden from everyone but the drawer.")
    )
    hidden_reason = models.CharField(
        max_length=20,
        blank=True,
        choices=[("reports", _("reported")), ("moderator", _("moderator"))],
    )
    reviewed_at = models.DateTimeField(
        _("reviewed"), null=True, blank=True, help_text=_("Last moderator review.")
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = DrawingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("drawing")
        verbose_name_plural = _("drawings")
        indexes = [
            models.Index(
                fields=["is_published", "is_hidden", "-published_at"], name="drawing_feed"
            ),
            models.Index(fields=["word"], name="drawing_word"),
            models.Index(fields=["user", "-created_at"], name="drawing_user"),
        ]

    def __str__(self) -> str:
        return self.title or self.word

    @property
    def display_title(self) -> str:
        return self.title or self.word

    @property
    def is_public(self) -> bool:
        return self.is_published and not self.is_hidden

    def is_owner(self, user, guest_id: str | None) -> bool:
        if self.drawer_deleted:
            return False
        if user is not None and user.is_authenticated:
            return self.user_id == user.pk
        return bool(guest_id) and self.user_id is None and self.guest_id == guest_id


class Like(models.Model):
    drawing = models.ForeignKey(Drawing, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drawing_likes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["drawing", "user"], name="one_like_per_user")
        ]
        verbose_name = _("like")
        verbose_name_plural = _("likes")

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.drawing_id}"


class Report(models.Model):
    class Reason(models.TextChoices):
        OFFENSIVE = "offensive", _("Offensive or hateful")
        SEXUAL = "sexual", _("Sexual content")
        PERSONAL = "personal", _("Personal information")
        SPAM = "spam", _("Spam or advertising")
        OTHER = "other", _("Something else")

    drawing = models.ForeignKey(Drawing, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drawing_reports"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    #: Set when a moderator reviewed the drawing; open reports are those without it.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["drawing", "reporter"], name="one_report_per_user")
        ]
        indexes = [
            models.Index(
                fields=["drawing"], condition=Q(resolved_at__isnull=True), name="open_reports"
            )
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.drawing_id})"
