"""A guest who signs in keeps what they did as a guest.

Guests are known by the id in their session (``accounts.identity``). When that session signs
in, Django's ``user_logged_in`` signal fires with the request: Django's ``login()`` keeps the
session's data when it rotates the session key (``cycle_key``), and allauth's
``pre_social_login`` hook also notes the guest id on the request before anything changes, so
the id is known either way. :func:`claim_guest` then moves the game rows; other apps extend
it by handling :data:`accounts.signals.guest_claimed`.
"""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver

from accounts.identity import SESSION_GUEST_ID
from accounts.profiles import ensure_profile
from accounts.signals import guest_claimed
from game.models import Player, Room

log = logging.getLogger(__name__)

REQUEST_GUEST_ID = "catchmind_guest_id"  # attribute set on the request before login


def remember_guest(request) -> None:
    """Note the session's guest id on the request before a login may change the session."""
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_GUEST_ID):
        setattr(request, REQUEST_GUEST_ID, session[SESSION_GUEST_ID])


def claim_guest(guest_id: str, user) -> int:
    """Move everything recorded under ``guest_id`` to ``user``; returns the number of game
    seats (``game.Player`` rows) moved. Idempotent: a second call finds nothing to move.

    A seat keeps its row (id, score, turns, guesses) and its name; only its owner changes.
    Where the account already has a seat in the same room (it played there earlier from
    another device), the guest's seat is the one in use now and wins: the older account seat
    keeps its history but no owner (``user=None``).
    """
    if not guest_id:
        return 0
    with transaction.atomic():
        moved = _claim_players(guest_id, user)
        guest_claimed.send(sender=user.__class__, guest_id=guest_id, user=user)
    if moved:
        log.info("guest %s… signed in: %d seat(s) moved to user %s", guest_id[:4], moved, user.pk)
    return moved


def _claim_players(guest_id: str, user) -> int:
    rooms = sorted(set(Player.objects.filter(guest_id=guest_id).values_list("room_id", flat=True)))
    if not rooms:
        return 0
    # The game's lock order (DESIGN §2): the room rows first, then its seats.
    list(Room.objects.select_for_update().filter(pk__in=rooms).order_by("pk").values_list("pk"))
    seats = list(Player.objects.select_for_update().filter(guest_id=guest_id).order_by("pk"))
    Player.objects.filter(user=user, room_id__in=rooms).update(user=None)
    for seat in seats:
        seat.user = user
        seat.guest_id = None
        seat.save(update_fields=["user", "guest_id"])
    return len(seats)


@receiver(user_logged_in, dispatch_uid="accounts.carry_guest_over")
def carry_guest_over(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    session = getattr(request, "session", None)
    guest_id = getattr(request, REQUEST_GUEST_ID, None) or (
        session.get(SESSION_GUEST_ID) if session is not None else None
    )
    ensure_profile(user)
    if not guest_id:
        return
    claim_guest(guest_id, user)
    if session is not None:
        session.pop(SESSION_GUEST_ID, None)
