"""The gallery listens to the game (turns ending, strokes stored) and to accounts (a guest
signing in, an account being deleted). Connected in ``GalleryConfig.ready``."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext

from accounts.signals import account_deleting, guest_claimed
from gallery import images, saving
from gallery.models import Drawing
from game import signals
from game.models import Guess, Player

log = logging.getLogger(__name__)


@receiver(signals.turn_ended, dispatch_uid="gallery-save-drawing")
def save_finished_drawing(sender, turn_id: int, **kwargs) -> None:
    saving.enqueue(turn_id)


@receiver(signals.canvas_changed, dispatch_uid="gallery-record-pace")
def record_pace(sender, turn_id: int, op_count: int, **kwargs) -> None:
    try:
        saving.record_pace(turn_id, op_count)
    except Exception:  # the pace is a nicety; the game must not notice a cache outage
        log.warning("gallery: could not record the pace of turn %s", turn_id, exc_info=True)


@receiver(guest_claimed, dispatch_uid="gallery-claim-guest")
def claim_guest_drawings(sender, guest_id: str, user, **kwargs) -> None:
    """A guest signed in: the drawings of their session become the account's."""
    Drawing.objects.filter(guest_id=guest_id, user__isnull=True, drawer_deleted=False).update(
        user=user, guest_id=None
    )


@receiver(account_deleting, dispatch_uid="gallery-account-deleting")
def forget_account(sender, user, keep_drawings: bool, **kwargs) -> None:
    """Delete the user's drawings, or keep the published ones without their name."""
    mine = Drawing.objects.filter(user=user)
    if keep_drawings:
        for drawing in mine.filter(is_published=True).only("pk", "language"):
            Drawing.objects.filter(pk=drawing.pk).update(
                user=None,
                guest_id=None,
                drawer_deleted=True,
                drawer_name=_deleted_user(drawing.language),
            )
        mine = mine.filter(is_published=False)
    # Through the model, so the files go too (see delete_files below).
    for drawing in mine.light():
        drawing.delete()
    _forget_guesser(user)


def _forget_guesser(user) -> None:
    """Their guesses in other players' drawings keep their text but lose their name."""
    seats = set(Player.objects.filter(user=user).values_list("pk", flat=True))
    if not seats:
        return
    turns = Guess.objects.filter(player_id__in=seats).values("turn_id")
    for drawing in Drawing.objects.filter(turn_id__in=turns).only("pk", "language", "timeline"):
        name = _deleted_user(drawing.language)
        timeline = [
            {**entry, "name": name} if entry.get("pid") in seats else entry
            for entry in drawing.timeline
        ]
        if timeline != drawing.timeline:
            Drawing.objects.filter(pk=drawing.pk).update(timeline=timeline)


def _deleted_user(language: str) -> str:
    with translation.override(language or "ko"):
        return gettext("Deleted user")


@receiver(post_delete, sender=Drawing, dispatch_uid="gallery-delete-files")
def delete_files(sender, instance: Drawing, **kwargs) -> None:
    names = [instance.image.name, instance.thumbnail.name, instance.animation.name]
    transaction.on_commit(lambda: images.delete_files(names))
