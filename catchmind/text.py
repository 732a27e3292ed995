"""Plain text typed by people and shown to other people: names, titles, words, chat lines.

One rule for "printable": no character of Unicode's "other" categories (control, format —
zero-width spaces and joiners, direction marks —, surrogate, private use, unassigned). Such
characters are invisible or render differently per device, so they could hide or fake text.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["UNPRINTABLE_CATEGORIES", "drop_unprintable", "has_unprintable", "tidy"]

#: Every Unicode general category of the "other" class (Cc, Cf, Cs, Co, Cn).
UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})

_SPACES = re.compile(r"\s+")


def _unprintable(char: str) -> bool:
    return unicodedata.category(char) in UNPRINTABLE_CATEGORIES


def has_unprintable(text: str) -> bool:
    """Whether ``text`` holds a control, format, surrogate, private-use or unassigned
    character."""
    return any(_unprintable(char) for char in text)


def drop_unprintable(text: str) -> str:
    """``text`` without the characters :func:`has_unprintable` looks for."""
    return "".join(char for char in text if not _unprintable(char))


def tidy(text: str) -> str:
    """NFC, every run of whitespace made one space, no leading or trailing space.

    Whitespace controls (tab, newline, …) become spaces here, so run :func:`has_unprintable`
    after it when a line break should count as a space rather than be refused."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
