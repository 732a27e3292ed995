"""Profiles: created on first sign-in from the provider's name, shown to other players.

The game serializer calls :func:`public_badge` / :func:`public_badges` to show a signed-in
player's display name and avatar; guests have no badge (``None``).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError

from accounts.identity import NAME_MAX, validate_display_name
from accounts.models import AVATAR_COLORS, DEFAULT_EMOJI, Profile
from catchmind.text import drop_unprintable


def clean_name(raw: object) -> str:
    """A provider's name made into a valid display name, or ``""`` when nothing is left."""
    if not isinstance(raw, str):
        return ""
    text = " ".join(drop_unprintable(raw).split())[:NAME_MAX].strip()
    try:
        return validate_display_name(text)
    except ValidationError:
        return ""


def provider_name(provider: str, data: Mapping[str, Any]) -> str:
    """The name a provider reports for its user (``SocialAccount.extra_data``)."""
    candidates: list[object] = []
    if provider == "google":
        candidates = [data.get("name"), data.get("given_name")]
    elif provider == "github":
        candidates = [data.get("name"), data.get("login")]
    elif provider == "kakao":
        account = data.get("kakao_account") or {}
        candidates = [
            (account.get("profile") or {}).get("nickname"),
            (data.get("properties") or {}).get("nickname"),
        ]
    elif provider == "naver":
        candidates = [data.get("name"), data.get("nickname")]
    for candidate in candidates:
        name = clean_name(candidate)
        if name:
            return name
    return ""


def ensure_profile(user, name_hint: str = "") -> Profile:
    """The user's profile, created on first need with ``name_hint`` (else the username)."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        pass
    name = clean_name(name_hint) or clean_name(user.get_username()) or "Player"
    profile, _ = Profile.objects.get_or_create(
        user=user,
        defaults={
            "display_name": name,
            "avatar_color": random.choice(AVATAR_COLORS)[0],  # noqa: S311 - not a secret
            "avatar_emoji": DEFAULT_EMOJI,
        },
    )
    user.profile = profile
    return profile


def _badge(user_id: int, name: str, color: str, emoji: str) -> dict:
    return {"user_id": user_id, "name": name, "color": color, "emoji": emoji}


def public_badges(user_ids: Iterable[int | None]) -> dict[int, dict]:
    """``{user_id: {"user_id", "name", "color", "emoji"}}`` for every signed-in player in
    one query; users without a profile fall back to their username. Safe to render only as
    text (names are validated, never HTML)."""
    ids = {uid for uid in user_ids if uid is not None}
    if not ids:
        return {}
    from django.contrib.auth import get_user_model

    badges: dict[int, dict] = {}
    users = get_user_model().objects.filter(pk__in=ids).select_related("profile")
    for user in users:
        profile = getattr(user, "profile", None)
        if profile is None:
            name = clean_name(user.get_username()) or "Player"
            badges[user.pk] = _badge(user.pk, name, AVATAR_COLORS[-1][0], DEFAULT_EMOJI)
        else:
            badges[user.pk] = _badge(
                user.pk, profile.display_name, profile.avatar_color, profile.avatar_emoji
            )
    return badges


def public_badge(user_id: int | None) -> dict | None:
    """The badge of one signed-in player, or ``None`` for guests and unknown ids."""
    if user_id is None:
        return None
    return public_badges([user_id]).get(user_id)


def user_display(user) -> str:
    """How allauth names the user in its messages ("Successfully signed in as …")."""
    profile = getattr(user, "profile", None)
    return getattr(profile, "display_name", "") or user.get_username()
