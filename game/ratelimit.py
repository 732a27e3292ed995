"""Rate limits. Two kinds, for two different paths (see docs/architecture.md):

* chat is limited per *player* in the shared cache (Redis in production), so reconnecting or
  moving to another process does not reset it; chat already costs a database transaction,
  one cache round trip more is nothing;
* draw batches and refused messages are limited per *connection* with in-memory token
  buckets: the draw path is the hot path (up to 60 batches a second) and only the drawer's
  single connection may draw, so a per-connection bucket is exact without any network call.
"""

from __future__ import annotations

from time import monotonic

from django.core.cache import cache

from game import clock

CHAT_MESSAGES = 5
CHAT_WINDOW_SECONDS = 3.0


def allow_chat(player_id: int) -> bool:
    """At most 5 messages in any 3 s (a sliding log of the last send times).

    Read-modify-write without a lock is fine here: a player has one live connection, whose
    messages are handled one after the other.
    """
    key = f"chat-times:{player_id}"
    now = clock.now().timestamp()
    recent = [t for t in cache.get(key, []) if now - t < CHAT_WINDOW_SECONDS]
    if len(recent) >= CHAT_MESSAGES:
        cache.set(key, recent, int(CHAT_WINDOW_SECONDS) + 1)
        return False
    recent.append(now)
    cache.set(key, recent, int(CHAT_WINDOW_SECONDS) + 1)
    return True


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = monotonic()

    def take(self, cost: float = 1.0) -> bool:
        now = monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False
