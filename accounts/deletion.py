"""Deleting an account: personal data goes, the games other people played stay readable.

Removed: the user row and with it (database cascades) the profile, email addresses, social
accounts and their tokens, admin log entries and group memberships. Game seats stay, because
other players' games and scores refer to them, but they lose every link to the person:
``user=None`` and the name "Deleted user" (in the room's language when the room has one).
Published drawings are the gallery's business: it handles ``account_deleting`` and keeps
them anonymously or deletes them, as the player chose.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import gamerows
from accounts.signals import account_deleting

log = logging.getLogger(__name__)


def anonymous_name(language: str | None = None) -> str:
    """ "탈퇴한 사용자" / "Deleted user" in ``language`` (default: the active language)."""
    if language:
        with translation.override(language):
            return _("Deleted user")
    return _("Deleted user")


def delete_account(user, *, keep_drawings: bool) -> None:
    """Delete ``user`` and their personal data in one transaction (see the module text)."""
    user_id = user.pk
    with transaction.atomic():
        account_deleting.send(
            sender=user.__class__,
            user=user,
            keep_drawings=keep_drawings,
            anonymous_name=anonymous_name(),
        )
        seats = anonymise_players(user)
        user.delete()
    log.info("account %s deleted (%d game seats anonymised)", user_id, seats)


def anonymise_players(user) -> int:
    Player = gamerows.model("game", "Player")
    if not gamerows.has_field(Player, "user"):
        return 0
    seats = Player.objects.select_for_update().filter(user=user)
    fields = ["user"]
    has_name = gamerows.has_field(Player, "name")
    if has_name:
        fields.append("name")
    has_room_language = gamerows.has_field(Player, "room") and gamerows.has_field(
        Player.room.field.related_model, "language"
    )
    if has_room_language:
        seats = seats.select_related("room")
    count = 0
    for seat in seats:
        seat.user = None
        if has_name:
            language = getattr(seat.room, "language", None) if has_room_language else None
            seat.name = anonymous_name(language)
        seat.save(update_fields=fields)
        count += 1
    return count
