"""The game's clock.

Every rule that depends on time (deadlines, hint levels, seat grace, rate windows) reads the
time here and nowhere else, so tests can move time forward with :func:`shift` instead of
sleeping, and a whole game of 80-second turns runs in milliseconds.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

_offset = dt.timedelta(0)
_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return (_frozen or timezone.now()) + _offset


def now_ms() -> int:
    return to_ms(now())


def to_ms(moment: dt.datetime | None) -> int | None:
    """Epoch milliseconds, the unit of every time on the wire."""
    if moment is None:
        return None
    return int(moment.timestamp() * 1000)


def shift(seconds: float) -> None:
    """Move the game clock forward (tests only; the offset is process-wide)."""
    global _offset
    _offset += dt.timedelta(seconds=seconds)


def freeze() -> None:
    """Stop the clock at the current time (tests only): then only :func:`shift` moves it,
    so points that depend on elapsed milliseconds are exact."""
    global _frozen
    _frozen = timezone.now()


def reset() -> None:
    global _offset, _frozen
    _offset = dt.timedelta(0)
    _frozen = None
