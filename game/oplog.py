"""The stroke log of the running turn: persisted chunks plus the drawer's unflushed tail.

The drawer's connection persists its buffer at every finished stroke (``TurnOps`` chunks);
between two flushes the ops it already relayed live only in its buffer. To let a late joiner
or a reconnecting player get *every* op in one snapshot, the drawer's connection mirrors that
buffer into the shared cache (Redis in production, so any process can read it) before it
relays a batch. A snapshot is then persisted ops + the part of the tail not yet persisted;
live batches carry their position (``seq``) so a connection never applies an op twice.

The cache is only a mirror of what is in flight: losing it loses at most the stroke being
drawn, never a stored drawing.
"""

from __future__ import annotations

from django.core.cache import cache

from game.models import Turn, TurnOps, iter_ops

TAIL_TIMEOUT = 3600


def _key(turn_id: int) -> str:
    return f"turn-tail:{turn_id}"


def write_tail(turn_id: int, start: int, ops: list[dict]) -> None:
    """``ops`` are the turn's ops from index ``start`` on that are not persisted yet."""
    cache.set(_key(turn_id), {"from": start, "ops": ops}, TAIL_TIMEOUT)


def read_tail(turn_id: int, persisted: int) -> list[dict]:
    """The ops after the first ``persisted`` ones, as far as the tail knows them."""
    return _cut(cache.get(_key(turn_id)), persisted)


def _cut(data: dict | None, persisted: int) -> list[dict]:
    if not data or data["from"] > persisted:
        return []
    return data["ops"][persisted - data["from"] :]


def drop_tail(turn_id: int) -> None:
    cache.delete(_key(turn_id))


def running_ops(turn: Turn) -> list[dict]:
    """Every op of the running turn so far, in order, each once; safe while the drawer's
    connection (maybe in another process) flushes and rewrites the tail.

    The tail is read *before* the chunks and cut at the number of ops actually read, not at
    ``turn.op_count``: that row may be older than the chunks (a flush committed in between),
    and a tail read after the chunks may already start past them (the drawer flushed and
    mirrored its next stroke in between). A chunk is committed before the tail that starts
    after it is written, so chunks read after the tail always reach at least its start.
    """
    tail = cache.get(_key(turn.pk))
    persisted = list(iter_ops(turn.pk))
    return [*persisted, *_cut(tail, len(persisted))]


def count_points(ops: list[dict]) -> int:
    return sum(len(op.get("pts", ())) // 2 for op in ops)


def persist_tail(turn: Turn) -> None:
    """Store what the drawer relayed but had not flushed when the turn ended (the caller holds
    the room lock and saves ``turn``)."""
    tail = read_tail(turn.pk, turn.op_count)
    if tail:
        TurnOps.objects.create(turn=turn, seq=turn.op_count, ops=tail)
        turn.op_count += len(tail)
        turn.point_count += count_points(tail)
