"""Which words a room plays with: its packs, its custom words, and the choices of a turn."""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catchmind.text import has_unprintable, tidy
from game.matching import normalize
from game.models import Room, Word, WordPack

CUSTOM_WORD_MAX_LENGTH = 30
CUSTOM_WORDS_MAX = 200
_SEPARATORS = re.compile(r"[,，、\n]")


@dataclass(frozen=True)
class Candidate:
    """A word a drawer may be offered. ``category`` is the Quick, Draw! category (the AI's
    candidate label) or blank; custom words get one only when they equal a pack word."""

    text: str
    word_id: int | None = None
    category: str = ""
    synonyms: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return asdict(self)


def parse_custom_words(raw: object) -> list[str]:
    """A comma list (or a JSON list) of custom words → clean words, or a ValidationError that
    names every offending word, so the host can fix them all at once."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        items = _SEPARATORS.split(raw)
    elif isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        items = raw
    else:
        raise ValidationError(_("Enter the words as a comma-separated list."), code="invalid")
    errors: list[ValidationError] = []
    words: list[str] = []
    seen: dict[str, str] = {}
    for item in items:
        word = tidy(item)
        if not word:
            continue
        if has_unprintable(word):
            errors.append(
                ValidationError(
                    _("Words cannot contain control characters: %(word)s")
                    % {"word": word.encode("unicode_escape").decode()},
                    code="control",
                )
            )
            continue
        if len(word) > CUSTOM_WORD_MAX_LENGTH:
            errors.append(
                ValidationError(
                    _("Words can be at most %(max)d characters: %(word)s")
                    % {"max": CUSTOM_WORD_MAX_LENGTH, "word": word},
                    code="too_long",
                )
            )
            continue
        key = normalize(word)
        if not key:
            errors.append(
                ValidationError(
                    _("A word needs at least one letter or digit: %(word)s") % {"word": word},
                    code="invalid",
                )
            )
            continue
        if key in seen:
            errors.append(
                ValidationError(_("Duplicate word: %(word)s") % {"word": word}, code="duplicate")
            )
            continue
        seen[key] = word
        words.append(word)
    if len(words) > CUSTOM_WORDS_MAX:
        errors.append(
            ValidationError(
                _("At most %(max)d custom words (got %(count)d).")
                % {"max": CUSTOM_WORDS_MAX, "count": len(words)},
                code="too_many",
            )
        )
    if errors:
        raise ValidationError(errors)
    return words


def default_packs(language: str) -> list[WordPack]:
    return list(WordPack.objects.filter(language=language, enabled=True, builtin=True))


def room_pack_ids(room: Room) -> list[int]:
    ids = list(room.packs.filter(language=room.language).values_list("id", flat=True))
    if ids:
        return ids
    return [pack.pk for pack in default_packs(room.language)]


def custom_candidates(room: Room) -> list[Candidate]:
    """Custom words, each with the category and synonyms of a known word of the same text."""
    if not room.custom_words:
        return []
    known = {
        text: (pk, category, synonyms)
        for pk, text, category, synonyms in Word.objects.filter(
            language=room.language, text__in=room.custom_words
        )
        # Builtin packs last, so their entry wins when several packs know the word.
        .order_by("pack__builtin", "-id")
        .values_list("id", "text", "category", "synonyms")
    }
    out = []
    for text in room.custom_words:
        if text in known:
            pk, category, synonyms = known[text]
            out.append(Candidate(text, pk, category, list(synonyms)))
        else:
            out.append(Candidate(text))
    return out


def room_candidates(room: Room) -> list[Candidate]:
    custom = custom_candidates(room)
    if room.custom_words_only and custom:
        return custom
    pack_words = [
        Candidate(text, pk, category, list(synonyms))
        for pk, text, category, synonyms in Word.objects.filter(
            pack_id__in=room_pack_ids(room), language=room.language
        ).values_list("id", "text", "category", "synonyms")
    ]
    seen: set[str] = set()
    out = []
    for candidate in custom + pack_words:
        if candidate.text not in seen:
            seen.add(candidate.text)
            out.append(candidate)
    return out


def vocabulary(room: Room) -> frozenset[str]:
    """Every word and synonym the room plays with: a guess that is itself one of them is a
    different idea, never "close" (see game.matching.match_guess)."""
    words: set[str] = set(room.custom_words)
    for text, synonyms in Word.objects.filter(
        pack_id__in=room_pack_ids(room), language=room.language
    ).values_list("text", "synonyms"):
        words.add(text)
        words.update(synonyms)
    return frozenset(words)


def pick_choices(
    candidates: list[Candidate], count: int, used: set[str], rng: random.Random
) -> list[Candidate]:
    """``count`` different words, preferring words not yet played in this game."""
    fresh = [c for c in candidates if c.text not in used]
    pool = fresh if len(fresh) >= count else candidates
    return rng.sample(pool, min(count, len(pool)))
