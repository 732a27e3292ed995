"""Who is playing: a signed-in user or a guest known by the session.

Guests get a random id kept in their session, so a guest keeps the same seat across
reconnects and page loads, and signing in later can carry everything tied to that id over
to the account (see ``accounts`` signals).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catchmind.text import has_unprintable, tidy

SESSION_GUEST_ID = "catchmind_guest_id"
SESSION_NICKNAME = "catchmind_nickname"

NAME_MIN = 1
NAME_MAX = 20


@dataclass(frozen=True)
class Identity:
    user_id: int | None
    guest_id: str | None
    name: str

    @property
    def is_guest(self) -> bool:
        return self.user_id is None


def validate_display_name(raw: object) -> str:
    """Names show up in every player's room, so they are plain, short, printable text."""
    if not isinstance(raw, str):
        raise ValidationError(_("Enter a name."), code="required")
    name = tidy(raw)
    if has_unprintable(name):
        raise ValidationError(_("Names cannot contain control characters."), code="control")
    if len(name) < NAME_MIN:
        raise ValidationError(_("Enter a name."), code="required")
    if len(name) > NAME_MAX:
        raise ValidationError(
            _("Names can be at most %(max)d characters.") % {"max": NAME_MAX}, code="too_long"
        )
    return name


def ensure_guest_id(session: SessionBase) -> str:
    guest_id = session.get(SESSION_GUEST_ID)
    if not guest_id:
        guest_id = secrets.token_urlsafe(16)
        session[SESSION_GUEST_ID] = guest_id
    return guest_id


def set_nickname(session: SessionBase, raw: object) -> str:
    name = validate_display_name(raw)
    session[SESSION_NICKNAME] = name
    ensure_guest_id(session)
    return name


def default_guest_name(guest_id: str) -> str:
    return _("Guest %(tag)s") % {"tag": guest_id[:4].upper()}


def identity_for(session: SessionBase, user) -> Identity:
    """The identity of a request or websocket scope (``scope["session"]``, ``scope["user"]``).

    Signed-in users are identified by their account; their display name is their profile's
    name once accounts provide one, else the username.
    """
    if user is not None and getattr(user, "is_authenticated", False):
        profile = getattr(user, "profile", None)
        name = getattr(profile, "display_name", "") or user.get_username()
        return Identity(user_id=user.pk, guest_id=None, name=name[:NAME_MAX])
    guest_id = ensure_guest_id(session)
    name = session.get(SESSION_NICKNAME) or default_guest_name(guest_id)
    return Identity(user_id=None, guest_id=guest_id, name=name)
