"""A signed-in player's public face: the name and avatar other players see in rooms."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.identity import NAME_MAX

# Fixed choices only: no uploads, so nothing a player picks can carry content of its own.
AVATAR_COLORS = [
    ("#e5484d", _("Red")),
    ("#f76b15", _("Orange")),
    ("#ffc53d", _("Yellow")),
    ("#46a758", _("Green")),
    ("#12a594", _("Teal")),
    ("#0090ff", _("Blue")),
    ("#6e56cf", _("Violet")),
    ("#d6409f", _("Pink")),
    ("#8d8d86", _("Grey")),
]
AVATAR_EMOJIS = [
    ("🐱", _("Cat")),
    ("🐶", _("Dog")),
    ("🐰", _("Rabbit")),
    ("🦊", _("Fox")),
    ("🐻", _("Bear")),
    ("🐼", _("Panda")),
    ("🐯", _("Tiger")),
    ("🐸", _("Frog")),
    ("🐧", _("Penguin")),
    ("🦄", _("Unicorn")),
    ("🎨", _("Palette")),
    ("✏️", _("Pencil")),
]
DEFAULT_COLOR = AVATAR_COLORS[5][0]
DEFAULT_EMOJI = AVATAR_EMOJIS[10][0]


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    display_name = models.CharField(_("display name"), max_length=NAME_MAX)
    avatar_color = models.CharField(
        _("avatar colour"), max_length=7, choices=AVATAR_COLORS, default=DEFAULT_COLOR
    )
    avatar_emoji = models.CharField(
        _("avatar emoji"), max_length=8, choices=AVATAR_EMOJIS, default=DEFAULT_EMOJI
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.display_name
