"""Every finished drawing is saved, exactly once.

When a turn ends the game sends :data:`game.signals.turn_ended` after its commit, from the
thread that ran the action. Under Daphne that is the one thread every synchronous database
call of the process shares, so the receiver does no work there: it hands the turn id to a
worker thread of this process (:func:`enqueue`) and returns. The worker reads the turn,
renders it with the shared renderer (:mod:`game.ai.render`) and inserts the drawing.

Exactly once, whatever the number of processes or calls: ``Drawing.turn`` is unique and the
row is created with ``get_or_create`` (a racing second insert hits the constraint, rolls back
its savepoint and reads the winner's row). Files are written only by the call that created
the row, so a loser leaves nothing behind.

Not saved: turns whose picture is blank (no ink: nothing drawn, everything erased or undone,
or only white on white) - decided on the rendered picture, so "ink" means exactly what a
viewer would see.

A process that dies between the end of a turn and the save loses nothing for good:
``manage.py save_drawings`` saves every ended turn that has no drawing yet.

Pace: the game's op log stores no times. Its chunks are written as each stroke ends (and at
least every second during a long stroke) and each write sends ``canvas_changed`` with the
new op count; :func:`record_pace` notes the time of each in the cache (Redis when
configured, shared by all processes). The replay then draws each chunk's strokes so that
they end when they really ended (:func:`op_times`). Losing the cache loses only the pace:
the replay falls back to an even pace over the turn's duration.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection

from gallery.models import Drawing
from game import clock
from game.ai import render
from game.models import AICall, Guess, Player, Turn, Verdict, iter_ops

log = logging.getLogger(__name__)

PACE_TIMEOUT = 3 * 3600
#: A drawing batch is one animation frame in the browser (docs/protocol.md §3).
FRAME_MS = 17
#: Ops that start a new visible action (a chunk normally holds one: a stroke).
NEW_ACTION_OPS = frozenset({"begin", "fill", "clear", "undo", "redo"})
#: Replays of turns without any known pace draw one op per this many ms.
FALLBACK_MS_PER_OP = FRAME_MS

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_pending: set[Future] = set()


# --------------------------------------------------------------------------------------
# Pace
# --------------------------------------------------------------------------------------


def _pace_key(turn_id: int) -> str:
    return f"gallery-pace:{turn_id}"


def record_pace(turn_id: int, op_count: int) -> None:
    """Note that the first ``op_count`` ops of the turn are persisted now (game clock, ms).

    The drawer's connection writes its chunks one after another, so the read-modify-write
    here never races with itself for one turn."""
    key = _pace_key(turn_id)
    marks = cache.get(key) or []
    marks.append([int(op_count), clock.now_ms()])
    cache.set(key, marks, PACE_TIMEOUT)


def pace_for(turn: Turn) -> tuple[list[list[int]], int]:
    """``([[op count, ms since the drawing started], ...], duration ms)`` of a finished turn,
    monotonic and ending at the turn's op count and duration."""
    start = clock.to_ms(turn.started_at) or 0
    end = clock.to_ms(turn.ended_at) or start
    duration = max(end - start, 0)
    marks = []
    last_ops, last_ms = 0, 0
    for count, at in cache.get(_pace_key(turn.pk)) or []:
        ms = min(max(int(at) - start, last_ms), duration)
        if count <= last_ops or count > turn.op_count:
            continue
        marks.append([int(count), ms])
        last_ops, last_ms = count, ms
    if last_ops < turn.op_count:
        marks.append([turn.op_count, duration])
    return marks, duration


def op_times(ops: list[dict], pace: list[list[int]]) -> list[int]:
    """The time (ms since the drawing started) at which each op appears in a replay.

    ``pace`` marks when each chunk of ops was stored: the end of a stroke. A chunk's ops are
    spread over the time before its mark that drawing them takes (one batch per frame), but
    never before the previous mark, so strokes are drawn progressively and end when they
    really ended. A chunk of several strokes (its own marks were lost) is spread evenly
    between the marks around it. Without any usable pace (a frozen clock) ops come at one
    per frame."""
    times: list[int] = []
    start_index, previous_ms = 0, 0
    for count, mark in pace:
        count = min(count, len(ops))
        n = count - start_index
        if n <= 0:
            continue
        gap = mark - previous_ms
        actions = sum(op.get("op") in NEW_ACTION_OPS for op in ops[start_index:count])
        # One stroke: drawn at one batch per frame, ending at its mark. Several (a chunk
        # whose marks were lost): nothing tells when each was drawn, so evenly over the gap.
        window = min(gap, n * FRAME_MS) if actions <= 1 else gap
        begin = mark - window
        for i in range(n):
            times.append(int(begin + window * (i + 1) / n))
        start_index, previous_ms = count, mark
    # Ops past the last mark (should not happen) follow at the fallback pace.
    while len(times) < len(ops):
        times.append((times[-1] if times else 0) + FALLBACK_MS_PER_OP)
    if times and times[-1] <= 0:  # no real pace at all
        times = [(i + 1) * FALLBACK_MS_PER_OP for i in range(len(ops))]
    return times


# --------------------------------------------------------------------------------------
# The guess timeline
# --------------------------------------------------------------------------------------


def timeline(turn: Turn) -> list[dict]:
    """The turn's guesses (human and AI) and the AI's looks, in time order.

    Entries: ``{"t": ms since the drawing started, "kind": "guess", "name", "is_ai",
    "text", "verdict", "points", "order"}`` and ``{"t", "kind": "ai_look", "name",
    "guesses": [{"word", "confidence"}, ...]}`` for each answer of the AI's backend (what it
    thought, with its confidences, whether or not it said it)."""
    entries: list[dict] = []
    guesses = Guess.objects.filter(turn=turn).select_related("player").order_by("created_at", "id")
    for guess in guesses:
        entries.append(
            {
                "t": guess.elapsed_ms,
                "kind": "guess",
                # The seat, never shown: lets an account deletion take the name out later.
                "pid": guess.player_id,
                "name": guess.player.name,
                "is_ai": guess.player.is_ai,
                "text": guess.text,
                "verdict": guess.verdict,
                "points": guess.points,
                "order": guess.order,
            }
        )
    entries.extend(_ai_looks(turn))
    entries.sort(key=lambda entry: (entry["t"], entry["kind"] != "ai_look"))
    return entries


def _ai_looks(turn: Turn) -> list[dict]:
    """The AI's answers for this turn from the AI player's records."""
    start = turn.started_at
    ai_name = (
        turn.room.players.filter(is_ai=True).values_list("name", flat=True).first()
        if turn.room_id
        else None
    )
    looks = []
    calls = (
        AICall.objects.filter(turn=turn, outcome="ok")
        .order_by("created", "id")
        .values("created", "guesses", "backend")
    )
    for call in calls:
        guesses = [
            {"word": str(g.get("word", ""))[:30], "confidence": round(float(g["confidence"]), 3)}
            for g in (call["guesses"] or [])[:3]
            if isinstance(g, dict) and isinstance(g.get("confidence"), int | float)
        ]
        if not guesses or start is None:
            continue
        t = max(int((call["created"] - start).total_seconds() * 1000), 0)
        looks.append({"t": t, "kind": "ai_look", "name": ai_name or "AI", "guesses": guesses})
    return looks


def summary(entries: list[dict], word: str) -> dict:
    """When the AI got it and who beat it."""
    correct = [e for e in entries if e["kind"] == "guess" and e["verdict"] == Verdict.CORRECT]
    ai = next((e for e in correct if e["is_ai"]), None)
    return {
        "first": correct[0] if correct else None,
        "ai": ai,
        "beat_ai": [
            e["name"] for e in correct if not e["is_ai"] and (ai is None or e["t"] < ai["t"])
        ]
        if ai
        else [],
        "correct": len(correct),
        "ai_seconds": f"{ai['t'] / 1000:.1f}" if ai else None,
    }


# --------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------


def save_drawing(turn_id: int) -> Drawing | None:
    """Save the turn's drawing unless it is saved already or blank; returns the drawing."""
    existing = Drawing.objects.light().filter(turn_id=turn_id).first()
    if existing is not None:
        return existing
    turn = (
        Turn.objects.select_related("room", "drawer")
        .filter(pk=turn_id, ended_at__isnull=False, started_at__isnull=False)
        .first()
    )
    if turn is None or not turn.word:
        return None
    ops = list(iter_ops(turn.pk))
    picture = render.render_image(ops, width=_images().FULL_WIDTH)
    if _images().is_blank(picture):
        log.debug("turn %s ended without ink: not saved", turn_id)
        return None
    pace, duration = pace_for(turn)
    drawer = turn.drawer
    defaults = {
        "room": turn.room,
        "room_code": turn.room.code,
        "user_id": drawer.user_id if drawer else None,
        "guest_id": drawer.guest_id if drawer and not drawer.user_id else None,
        "drawer_name": drawer.name if drawer else "?",
        "word": turn.word,
        "language": turn.language,
        "category": turn.category,
        "end_reason": turn.end_reason,
        "started_at": turn.started_at,
        "ended_at": turn.ended_at,
        "duration_ms": duration,
        "ops": ops,
        "op_count": len(ops),
        "point_count": turn.point_count,
        "pace": pace,
        "timeline": timeline(turn),
    }
    drawing, created = Drawing.objects.get_or_create(turn_id=turn.pk, defaults=defaults)
    if created:
        if drawer and not drawer.user_id:
            # The guest may have signed in (guest_claimed) while this was being rendered.
            user_id = Player.objects.filter(pk=drawer.pk).values_list("user_id", flat=True).first()
            if user_id:
                Drawing.objects.filter(pk=drawing.pk).update(user_id=user_id, guest_id=None)
                drawing.user_id, drawing.guest_id = user_id, None
        _images().store_new(drawing, picture)
        cache.delete(_pace_key(turn_id))
    return drawing


def _images():
    from gallery import images

    return images


def _run(turn_id: int) -> None:
    close_old_connections()
    try:
        save_drawing(turn_id)
    except Exception:
        log.exception("gallery: saving the drawing of turn %s failed", turn_id)
    finally:
        connection.close()


def enqueue(turn_id: int) -> None:
    """Save the turn's drawing off the caller's thread (see the module text)."""
    mode = getattr(settings, "GALLERY_SAVE", "thread")
    if mode == "off":
        return
    if mode == "sync":
        save_drawing(turn_id)
        return
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gallery-save")
        future = _executor.submit(_run, turn_id)
        _pending.add(future)
    future.add_done_callback(_pending.discard)


def drain(timeout: float = 30) -> None:
    """Wait until every queued save has run (tests, shutdown)."""
    for future in list(_pending):
        future.result(timeout)
