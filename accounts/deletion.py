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

from accounts.signals import account_deleting
from game.models import Player, Room

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
    """Seats of ``user`` lose their owner and are renamed "Deleted user" in their room's
    language; returns how many."""
    # Rooms are locked before their seats, in id order, as every game action does
    # (DESIGN §2): locking seat and room rows in one statement could deadlock with a game.
    room_ids = Player.objects.filter(user=user).values_list("room_id", flat=True)
    rooms = Room.objects.select_for_update().filter(pk__in=list(room_ids)).order_by("pk")
    languages = {room.pk: room.language for room in rooms}
    count = 0
    for seat in Player.objects.filter(user=user):
        seat.user = None
        seat.name = anonymous_name(languages.get(seat.room_id))
        seat.save(update_fields=["user", "name"])
        count += 1
    return count
