"""Validation of room settings, shared by ``POST /api/rooms`` and the host's ``settings``
message, so both give the same per-field errors."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from game.models import AIBackend, AIDifficulty, Language, Room, WordPack
from game.words import parse_custom_words

SETTING_FIELDS = (
    "public",
    "max_players",
    "rounds",
    "draw_time",
    "word_choices",
    "language",
    "packs",
    "custom_words",
    "custom_words_only",
    "hints",
    "ai_enabled",
    "ai_difficulty",
    "ai_backend",
)


class _StrictBoolean(forms.Field):
    """JSON booleans only: Django's BooleanField would read any non-empty string as true."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        raise ValidationError(_("Enter true or false."), code="invalid")


class _Anything(forms.Field):
    """Passes the raw JSON value to the form's own ``clean_<field>``."""

    def to_python(self, value):
        return value


class RoomSettingsForm(forms.Form):
    public = _StrictBoolean(required=False)
    max_players = forms.IntegerField(min_value=2, max_value=12)
    rounds = forms.IntegerField(min_value=1, max_value=10)
    draw_time = forms.IntegerField(min_value=30, max_value=240)
    word_choices = forms.IntegerField(min_value=1, max_value=5)
    language = forms.ChoiceField(choices=Language.choices)
    packs = _Anything(required=False)
    custom_words = _Anything(required=False)
    custom_words_only = _StrictBoolean(required=False)
    hints = _StrictBoolean(required=False)
    ai_enabled = _StrictBoolean(required=False)
    ai_difficulty = forms.ChoiceField(choices=AIDifficulty.choices)
    ai_backend = forms.ChoiceField(choices=AIBackend.choices, required=False)

    def __init__(self, data: dict, *, humans: int = 1) -> None:
        super().__init__(data)
        #: Human players already seated: max_players cannot go below them plus the AI seat.
        self.humans = humans

    def clean_packs(self) -> list[WordPack]:
        raw = self.cleaned_data.get("packs")
        if raw in (None, ""):
            return []
        if not isinstance(raw, list) or not all(isinstance(slug, str) for slug in raw):
            raise ValidationError(_("Choose word packs by their slugs."), code="invalid")
        packs = {pack.slug: pack for pack in WordPack.objects.filter(slug__in=raw, enabled=True)}
        unknown = [slug for slug in raw if slug not in packs]
        if unknown:
            raise ValidationError(
                _("Unknown word pack: %(slugs)s") % {"slugs": ", ".join(unknown)}, code="unknown"
            )
        return list(packs.values())

    def clean_custom_words(self) -> list[str]:
        return parse_custom_words(self.cleaned_data.get("custom_words"))

    def clean(self) -> dict:
        data = super().clean()
        language = data.get("language")
        packs = data.get("packs") or []
        if language and any(pack.language != language for pack in packs):
            self.add_error(
                "packs",
                ValidationError(_("Word packs must match the room's language."), "language"),
            )
        words = data.get("custom_words") or []
        choices = data.get("word_choices")
        if data.get("custom_words_only") and choices and len(words) < choices:
            self.add_error(
                "custom_words",
                ValidationError(
                    _("Playing with custom words only needs at least %(count)d words.")
                    % {"count": choices},
                    code="too_few",
                ),
            )
        seats = data.get("max_players")
        needed = self.humans + (1 if data.get("ai_enabled") else 0)
        if seats and seats < needed:
            self.add_error(
                "max_players",
                ValidationError(
                    _("%(count)d seats are already taken (the AI seat counts).")
                    % {"count": needed},
                    code="too_small",
                ),
            )
        for name in ("public", "custom_words_only", "ai_enabled"):
            if data.get(name) is None:
                data[name] = False
        if data.get("hints") is None:
            data["hints"] = True
        return data

    def error_dict(self) -> dict[str, list[dict]]:
        return {
            field: [
                {"code": error.code or "invalid", "message": " ".join(error.messages)}
                for error in errors.as_data()
            ]
            for field, errors in self.errors.items()
        }


def settings_of(room: Room, *, with_words: bool = True) -> dict:
    """The room's settings in the wire format (docs/protocol.md).

    Custom words are the answers of the game, so only the host (``with_words``) receives
    them; everyone else learns how many there are.
    """
    return {
        "public": room.is_public,
        "max_players": room.max_players,
        "rounds": room.rounds,
        "draw_time": room.draw_time,
        "word_choices": room.word_choices,
        "language": room.language,
        "packs": sorted(pack.slug for pack in room.packs.all()),
        "custom_words": list(room.custom_words) if with_words else [],
        "custom_word_count": len(room.custom_words),
        "custom_words_only": room.custom_words_only,
        "hints": room.hints,
        "ai_enabled": room.ai_enabled,
        "ai_difficulty": room.ai_difficulty,
        "ai_backend": room.ai_backend,
    }


def defaults(language: str) -> dict:
    return {
        "public": True,
        "max_players": 8,
        "rounds": 3,
        "draw_time": 80,
        "word_choices": 3,
        "language": language if language in Language.values else Language.KO,
        "packs": [],
        "custom_words": [],
        "custom_words_only": False,
        "hints": True,
        "ai_enabled": False,
        "ai_difficulty": AIDifficulty.NORMAL,
        "ai_backend": "",
    }


def apply_settings(room: Room, data: dict) -> None:
    """Copy cleaned settings onto a room (the caller saves it, then sets ``packs``)."""
    room.is_public = data["public"]
    room.max_players = data["max_players"]
    room.rounds = data["rounds"]
    room.draw_time = data["draw_time"]
    room.word_choices = data["word_choices"]
    room.language = data["language"]
    room.custom_words = data["custom_words"]
    room.custom_words_only = data["custom_words_only"]
    room.hints = data["hints"]
    room.ai_enabled = data["ai_enabled"]
    room.ai_difficulty = data["ai_difficulty"]
    room.ai_backend = data.get("ai_backend") or ""
