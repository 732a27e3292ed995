"""Built-in word packs and their validation (pure Python, no Django).

A pack is JSON::

    {"name": str, "slug": str, "language": "ko" | "en", "description": str,
     "words": [{"category": str, "word": str, "synonyms": [str, ...], "difficulty": 1|2|3}]}

``category`` is the exact Quick, Draw! category the entry stands for: it is how the AI
player's sketch model (which knows categories, not words) maps its guesses to the word a
human would type, and how finished drawings are labelled for the dataset. The canonical list
is ``categories.txt`` next to this file (a copy of the 345 names, so validation works without
the shared training data).

Homonyms are allowed across entries on purpose (다리 is both leg and bridge's synonym; "bat"
is an animal and a baseball bat's synonym): within one turn only one entry is the answer, so
accepting the everyday word is right. Display words, however, must be unique so that the
drawer and the dataset label are never ambiguous.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from catchmind.text import has_unprintable
from game.matching import normalize

__all__ = [
    "BUILTIN_LANGUAGES",
    "MAX_WORD_LENGTH",
    "load_builtin_pack",
    "load_categories",
    "pack_vocabulary",
    "validate_pack",
]

PACK_DIR = Path(__file__).resolve().parent
BUILTIN_LANGUAGES = ("ko", "en")
MAX_WORD_LENGTH = 30
DIFFICULTIES = (1, 2, 3)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@lru_cache(maxsize=1)
def load_categories() -> tuple[str, ...]:
    """The 345 Quick, Draw! category names, in the dataset's canonical order."""
    text = (PACK_DIR / "categories.txt").read_text(encoding="utf-8")
    return tuple(line for line in text.splitlines() if line.strip())


@lru_cache(maxsize=len(BUILTIN_LANGUAGES))
def _builtin_text(lang: str) -> str:
    return (PACK_DIR / f"{lang}.json").read_text(encoding="utf-8")


def load_builtin_pack(lang: str) -> dict[str, Any]:
    """The built-in pack for ``lang`` ("ko" or "en") as a fresh dict (safe to mutate).

    Raises ``ValueError`` for a language without a built-in pack.
    """
    if lang not in BUILTIN_LANGUAGES:
        raise ValueError(f"no built-in word pack for language {lang!r}")
    return json.loads(_builtin_text(lang))


def pack_vocabulary(pack: dict[str, Any]) -> frozenset[str]:
    """Every word and synonym of a pack, for ``match_guess(..., vocabulary=...)``.

    Passing it makes a guess that is another real word of the pack (bear on a pear turn,
    거미 on a 개미 turn) WRONG instead of CLOSE. A frozenset so matching can cache it.
    """
    words: set[str] = set()
    for entry in pack.get("words", ()):
        words.add(entry["word"])
        words.update(entry.get("synonyms", ()))
    return frozenset(words)


def _text_errors(value: Any, where: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{where}: must be a string"]
    errors = []
    if not 1 <= len(value) <= MAX_WORD_LENGTH:
        errors.append(f"{where}: must be 1–{MAX_WORD_LENGTH} characters, got {len(value)}")
    if has_unprintable(value):
        errors.append(f"{where}: contains control or invisible characters")
    if value != value.strip():
        errors.append(f"{where}: has leading or trailing whitespace")
    if not normalize(value):
        errors.append(f"{where}: has no letters or digits")
    return errors


def validate_pack(
    data: Any,
    categories: tuple[str, ...] | list[str] | None = None,
    require_all_categories: bool = False,
) -> list[str]:
    """Problems with a pack, as human-readable messages (empty list = valid).

    Checks the metadata, that every entry has a known ``category``, a ``word``, a list of
    ``synonyms`` and a ``difficulty`` of 1–3, that texts are 1–30 characters without control
    characters, that no display word repeats (after normalization: "핫 도그" and "핫도그" are
    the same guess) and that no category repeats. With ``require_all_categories`` every
    category must be covered too (true for the built-in packs).
    """
    known = tuple(categories) if categories is not None else load_categories()
    known_set = set(known)
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["pack: must be a JSON object"]
    for key in ("name", "description"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            errors.append(f"{key}: must be a non-empty string")
    slug = data.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        errors.append("slug: must be lowercase letters, digits and hyphens")
    language = data.get("language")
    if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2}", language):
        errors.append("language: must be a two-letter language code such as 'ko'")
        language = "ko"
    words = data.get("words")
    if not isinstance(words, list) or not words:
        errors.append("words: must be a non-empty list")
        return errors

    seen_words: dict[str, int] = {}
    seen_categories: dict[str, int] = {}
    for index, entry in enumerate(words):
        where = f"words[{index}]"
        if not isinstance(entry, dict):
            errors.append(f"{where}: must be an object")
            continue
        missing = [
            key for key in ("category", "word", "synonyms", "difficulty") if key not in entry
        ]
        if missing:
            errors.append(f"{where}: missing {', '.join(missing)}")
        category = entry.get("category")
        if "category" in entry:
            if category not in known_set:
                errors.append(f"{where}: unknown category {category!r}")
            elif category in seen_categories:
                errors.append(
                    f"{where}: category {category!r} already used by "
                    f"words[{seen_categories[category]}]"
                )
            else:
                seen_categories[category] = index
        word = entry.get("word")
        if "word" in entry:
            word_errors = _text_errors(word, f"{where}.word")
            errors.extend(word_errors)
            if not word_errors:
                key = normalize(word, language)
                if key in seen_words:
                    errors.append(
                        f"{where}: word {word!r} duplicates words[{seen_words[key]}] "
                        "(after normalization)"
                    )
                else:
                    seen_words[key] = index
        synonyms = entry.get("synonyms")
        if "synonyms" in entry:
            if not isinstance(synonyms, list):
                errors.append(f"{where}.synonyms: must be a list")
            else:
                own = {normalize(word, language)} if isinstance(word, str) else set()
                for position, synonym in enumerate(synonyms):
                    synonym_where = f"{where}.synonyms[{position}]"
                    synonym_errors = _text_errors(synonym, synonym_where)
                    errors.extend(synonym_errors)
                    if synonym_errors:
                        continue
                    key = normalize(synonym, language)
                    if key in own:
                        errors.append(f"{synonym_where}: repeats the word or another synonym")
                    own.add(key)
        difficulty = entry.get("difficulty")
        if "difficulty" in entry and (
            type(difficulty) is not int or difficulty not in DIFFICULTIES
        ):
            errors.append(f"{where}.difficulty: must be 1, 2 or 3")
    if require_all_categories:
        missing_categories = [name for name in known if name not in seen_categories]
        if missing_categories:
            errors.append(
                f"words: {len(missing_categories)} categories not covered, "
                f"e.g. {missing_categories[:5]}"
            )
    return errors
