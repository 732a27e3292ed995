"""The AI player: when it looks at the drawing, what it says, and how it stays out of the way.

Flow (DESIGN §5). Whenever the drawer's canvas grows, the consumer calls :func:`poke`. The
process then runs one small driver task per room (:class:`Runner`) that loops:

1. :func:`plan` reads the room and its :class:`~game.ai.records.AIRoomState` and decides:
   stop (no drawing phase, AI off, nothing new on the canvas, the AI already guessed or said
   all it may say), wait (reaction delay, minimum interval, another process's lease), or
   claim. The claim is one conditional ``UPDATE`` of the room's AI row (turn matches, canvas
   grew since the last call, ``next_at`` passed, no live lease), so across all processes at
   most one AI call per room is in flight. The lease expires by itself, so a crashed process
   never blocks the seat for longer than one lease.
2. The claimed call loads the turn's ops and the candidate words, picks the backend (the
   room's override or the site's, the local model when a paid backend is over budget), and
   runs it with a hard deadline. CPU work runs in a thread pool, never on the event loop.
3. Every call is recorded (:class:`~game.ai.records.AICall`). Its top guess is said through
   the game's guess action - the very path of a human's chat line, with the same matching,
   visibility and scoring - when it is confident enough for the room's difficulty and was
   not said before. Its top 3 go to the drawer and to the players who already guessed
   (``ai_thinking``); the last top 3 is shown to everyone at the reveal.
4. The release stores what the call saw and when the next one may run.

A timeout or an error is logged and recorded; the AI says nothing for that attempt. Nothing
here ever holds a turn open: the turn ends on its deadline or when every human guessed,
whatever the AI is doing, and a guess arriving after the turn ended is refused by the action.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
import os
import secrets
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from game import clock
from game.ai import guessers as g
from game.ai.records import AICall, AIOutcome, AIRoomState

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Difficulty
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """How an AI difficulty plays."""

    #: Seconds after the drawing starts before the AI looks for the first time.
    reaction: float
    #: Confidence its top guess needs before the AI says it in chat.
    min_confidence: float
    #: Guesses it says per turn at most.
    max_guesses: int


PROFILES: dict[str, Profile] = {
    "easy": Profile(reaction=8.0, min_confidence=0.6, max_guesses=3),
    "normal": Profile(reaction=4.0, min_confidence=0.4, max_guesses=5),
    "hard": Profile(reaction=1.5, min_confidence=0.2, max_guesses=8),
}


def profile(difficulty: str | None) -> Profile:
    return PROFILES.get(difficulty or "normal", PROFILES["normal"])


def min_interval(backend: str) -> float:
    """Seconds between two calls of one room."""
    if backend in g.PAID_BACKENDS:
        return float(settings.CATCHMIND_AI_INTERVAL_REMOTE)
    return float(settings.CATCHMIND_AI_INTERVAL_LOCAL)


def lease_seconds(backend: str) -> float:
    """How long a claim holds the seat: the backend's hard deadline plus a margin."""
    if backend in g.PAID_BACKENDS:
        timeout = float(settings.CATCHMIND_AI_TIMEOUT)
        return timeout * (int(settings.CATCHMIND_AI_MAX_RETRIES) + 1) + 1.0 + 5.0
    return 10.0


# ---------------------------------------------------------------------------------------------
# Budget of paid calls
# ---------------------------------------------------------------------------------------------

HOUR = dt.timedelta(hours=1)


def paid_calls_in_last_hour(room_id: int | None = None, now: dt.datetime | None = None) -> int:
    since = (now or clock.now()) - HOUR
    calls = AICall.objects.filter(backend__in=g.PAID_BACKENDS, created__gt=since).exclude(
        outcome=AIOutcome.OVER_BUDGET  # a call skipped for the budget cost nothing
    )
    if room_id is not None:
        calls = calls.filter(room_id=room_id)
    return calls.count()


def over_budget(room_id: int, now: dt.datetime | None = None) -> str:
    """``"room"`` or ``"global"`` when a paid call now would exceed its hourly budget."""
    if paid_calls_in_last_hour(room_id, now) >= settings.CATCHMIND_AI_ROOM_BUDGET_PER_HOUR:
        return "room"
    if paid_calls_in_last_hour(None, now) >= settings.CATCHMIND_AI_BUDGET_PER_HOUR:
        return "global"
    return ""


# ---------------------------------------------------------------------------------------------
# The game, seen from the AI seat (the only place that knows the game's models)
# ---------------------------------------------------------------------------------------------


@dataclass
class Seat:
    """What :func:`plan` learned about a room whose AI may play."""

    room_id: int
    turn_id: int
    player_id: int
    op_count: int
    started_at: dt.datetime
    ends_at: dt.datetime | None
    difficulty: str
    backend: str  # the room's configured backend (before any budget fallback)


#: ``{room_id: turn_id}`` of rooms seen without the AI seat during that turn: their stroke
#: ends need no look (the setting only changes in the lobby, so never during a turn).
_WITHOUT_AI: dict[int, int] = {}


def without_ai(room_id: int, turn_id: int) -> bool:
    """True when ``room_id`` is known to play ``turn_id`` without the AI: no poke needed."""
    return _WITHOUT_AI.get(room_id) == turn_id


def forget_without_ai(room_id: int) -> None:
    """A turn started: the next look at ``room_id`` decides afresh."""
    _WITHOUT_AI.pop(room_id, None)


def _seat(room_id: int) -> Seat | None:
    """The room's AI seat if the AI may look at a drawing right now, else None."""
    from game.models import Phase, Player, Room

    room = (
        Room.objects.filter(pk=room_id)
        .select_related("current_turn")
        .only(
            "id",
            "phase",
            "ends_at",
            "ai_enabled",
            "ai_difficulty",
            "ai_backend",
            "current_turn__id",
            "current_turn__op_count",
            "current_turn__started_at",
            "current_turn__ended_at",
            "current_turn__guessers",
        )
        .first()
    )
    if room is not None and not room.ai_enabled and room.current_turn_id is not None:
        if len(_WITHOUT_AI) > 10_000:
            _WITHOUT_AI.clear()
        _WITHOUT_AI[room_id] = room.current_turn_id
    if room is None or not room.ai_enabled or room.phase != Phase.DRAWING:
        return None
    turn = room.current_turn
    if turn is None or turn.started_at is None or turn.ended_at is not None:
        return None
    now = clock.now()
    if room.ends_at is not None and room.ends_at <= now:
        return None
    ai = Player.objects.filter(room_id=room_id, is_ai=True, left_at__isnull=True).first()
    if ai is None or ai.id not in (turn.guessers or []):
        return None
    return Seat(
        room_id=room_id,
        turn_id=turn.id,
        player_id=ai.id,
        op_count=turn.op_count,
        started_at=turn.started_at,
        ends_at=room.ends_at,
        difficulty=room.ai_difficulty,
        backend=g.effective_backend(room.ai_backend),
    )


def _ai_guessed(seat: Seat) -> bool:
    from game.models import Guess, Verdict

    return Guess.objects.filter(
        turn_id=seat.turn_id, player_id=seat.player_id, verdict=Verdict.CORRECT
    ).exists()


def candidates(turn_id: int) -> dict[str, str | None]:
    """The words the AI chooses from: every word the room could have drawn this turn
    (``{word: Quick, Draw! category or None}``), never just the answer."""
    from game.ai import hooks

    return hooks.candidates(turn_id)


def turn_ops(turn_id: int) -> list[dict]:
    from game.models import iter_ops

    return list(iter_ops(turn_id))


# ---------------------------------------------------------------------------------------------
# Claim and release (one conditional UPDATE each)
# ---------------------------------------------------------------------------------------------


def _free(now: dt.datetime) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lte=now)


def _ensure_row(room_id: int) -> None:
    if not AIRoomState.objects.filter(room_id=room_id).exists():
        try:
            with transaction.atomic():
                AIRoomState.objects.create(room_id=room_id)
        except IntegrityError:
            pass  # another process created it first


def start_turn(room_id: int, turn_id: int, first_call_at: dt.datetime, now: dt.datetime) -> None:
    """Reset the room's AI row for a new turn (only when no call is in flight)."""
    AIRoomState.objects.filter(room_id=room_id).exclude(turn_id=turn_id).filter(_free(now)).update(
        turn_id=turn_id,
        lease_until=None,
        lease_token="",
        seen_ops=0,
        claimed_ops=0,
        next_at=first_call_at,
        calls=0,
        said=[],
        said_count=0,
        thinking=[],
    )


def claim(
    room_id: int,
    turn_id: int,
    op_count: int,
    max_guesses: int,
    lease: float,
    now: dt.datetime | None = None,
) -> str | None:
    """Claim the room's AI seat for one call; the lease token, or None when another call runs,
    the canvas did not grow, it is too early, or the AI has said all it may say."""
    now = now or clock.now()
    token = secrets.token_hex(16)
    won = (
        AIRoomState.objects.filter(
            _free(now),
            Q(next_at__isnull=True) | Q(next_at__lte=now),
            room_id=room_id,
            turn_id=turn_id,
            seen_ops__lt=op_count,
            said_count__lt=max_guesses,
        ).update(
            lease_until=now + dt.timedelta(seconds=lease),
            lease_token=token,
            claimed_ops=op_count,
        )
        == 1
    )
    return token if won else None


def release(
    room_id: int,
    token: str,
    *,
    next_at: dt.datetime,
    said: str | None = None,
    thinking: list[dict] | None = None,
    backend: str = "",
    fallback: str = "",
    now: dt.datetime | None = None,
) -> bool:
    """End our call: record what it saw and when the next may run. False when the lease had
    already expired and someone else took the seat (then nothing is changed)."""
    now = now or clock.now()
    changes: dict[str, Any] = {
        "lease_until": None,
        "lease_token": "",
        "seen_ops": F("claimed_ops"),
        "next_at": next_at,
        "calls": F("calls") + 1,
        "backend": backend,
    }
    if thinking is not None:
        changes["thinking"] = thinking
    if fallback:
        changes["fallback"] = fallback
        row = AIRoomState.objects.filter(room_id=room_id).values("fallback").first()
        if not row or not row["fallback"]:
            changes["fallback_since"] = now
    else:
        changes["fallback"] = ""
        changes["fallback_since"] = None
    with transaction.atomic():
        state = (
            AIRoomState.objects.select_for_update()
            .filter(room_id=room_id, lease_token=token)
            .first()
        )
        if state is None:
            return False
        if said:
            changes["said"] = [*state.said, said]
            changes["said_count"] = F("said_count") + 1
        AIRoomState.objects.filter(room_id=room_id, lease_token=token).update(**changes)
    return True


# ---------------------------------------------------------------------------------------------
# One step of the driver
# ---------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What the driver does next: stop, wait ``wait`` seconds, or run the claimed call."""

    stop: bool = False
    wait: float = 0.0
    seat: Seat | None = None
    token: str = ""
    backend: str = ""
    fallback: str = ""
    lease: float = 0.0
    ops: list[dict] = field(default_factory=list)
    candidates: dict[str, str | None] = field(default_factory=dict)


STOP = Plan(stop=True)
#: How long a driver waits before looking again when another process holds the seat.
LEASE_POLL = 0.5


def plan(room_id: int) -> Plan:
    """Decide the driver's next step and, when it is a call, claim the seat (sync, DB)."""
    seat = _seat(room_id)
    if seat is None:
        return STOP
    prof = profile(seat.difficulty)
    now = clock.now()
    state = AIRoomState.objects.filter(room_id=room_id).first()
    if state is None or state.turn_id != seat.turn_id:
        # Once per turn: the row is set up for this turn (start_turn changes nothing while
        # the row is on it, so the later looks skip both).
        _ensure_row(room_id)
        first_call_at = seat.started_at + dt.timedelta(seconds=prof.reaction)
        start_turn(room_id, seat.turn_id, first_call_at, now)
        state = AIRoomState.objects.filter(room_id=room_id).first()
    if state is None or state.turn_id != seat.turn_id:
        return Plan(wait=LEASE_POLL)  # the previous turn's call is still in flight
    if state.said_count >= prof.max_guesses or _ai_guessed(seat):
        return STOP
    if state.seen_ops >= seat.op_count:
        return STOP  # nothing new on the canvas: the next poke wakes us
    if state.lease_until is not None and state.lease_until > now:
        return Plan(wait=min((state.lease_until - now).total_seconds(), LEASE_POLL))
    if state.next_at is not None and state.next_at > now:
        return Plan(wait=(state.next_at - now).total_seconds())
    backend, fallback = seat.backend, ""
    if backend in g.PAID_BACKENDS:
        fallback = "over_budget" if over_budget(room_id, now) else ""
    lease = lease_seconds(backend)
    token = claim(room_id, seat.turn_id, seat.op_count, prof.max_guesses, lease, now)
    if token is None:
        return Plan(wait=0.05)  # lost a race; look again
    if fallback:
        _record(seat, g.GuessResult(backend=backend, model="", outcome=g.Outcome.OVER_BUDGET))
        backend = g.LOCAL
    return Plan(
        seat=seat,
        token=token,
        backend=backend,
        fallback=fallback,
        lease=lease,
        ops=turn_ops(seat.turn_id),
        candidates=candidates(seat.turn_id),
    )


def _record(seat: Seat, result: g.GuessResult, op_count: int = 0) -> None:
    AICall.objects.create(
        room_id=seat.room_id,
        turn_id=seat.turn_id,
        backend=result.backend,
        model=result.model[:200],
        latency_ms=max(int(result.latency_ms), 0),
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        outcome=str(result.outcome),
        guesses=[x.as_json() for x in result.guesses],
        op_count=op_count,
        detail=result.detail[:500],
        created=clock.now(),
    )


def choose_words(result: g.GuessResult, said: list[str], difficulty: str) -> str | None:
    """The guess the AI says now: its best one, if confident enough and not said before."""
    prof = profile(difficulty)
    for guess in result.guesses:
        if guess.word in said:
            continue
        return guess.word if guess.confidence >= prof.min_confidence else None
    return None


def finish(p: Plan, result: g.GuessResult) -> str | None:
    """After the call (sync, DB): record it, show its top 3 to those who may see it, say a
    guess through the game's action, release the seat. Returns what the AI said."""
    from game.ai import hooks

    seat = p.seat
    assert seat is not None
    _record(seat, result, len(p.ops))
    state = AIRoomState.objects.filter(room_id=seat.room_id, lease_token=p.token).first()
    if state is None:  # our lease expired and someone else took the seat: stay quiet
        return None
    said = None
    if result.guesses:
        # Stored before the AI speaks: a right guess can end the turn at once, and the
        # reveal then shows this top 3.
        thinking = [x.as_json() for x in result.guesses]
        AIRoomState.objects.filter(room_id=seat.room_id, lease_token=p.token).update(
            thinking=thinking
        )
        hooks.thinking(seat.room_id, seat.turn_id, seat.player_id, result.guesses)
        said = choose_words(result, state.said, seat.difficulty)
    if said and not _ai_guessed(seat):
        try:
            if not hooks.say(seat.room_id, seat.player_id, seat.turn_id, said):
                said = None
        except Exception:  # e.g. refused by the action: the AI is silent this time
            log.info("AI guess %r refused in room %s", said, seat.room_id, exc_info=True)
            said = None
    now = clock.now()
    release(
        seat.room_id,
        p.token,
        next_at=now + dt.timedelta(seconds=min_interval(result.backend)),
        said=said,
        backend=result.backend,
        fallback=p.fallback,
        now=now,
    )
    return said


async def run(p: Plan, guesser: g.Guesser | None = None) -> g.GuessResult:
    """Run the claimed call with a hard deadline (the lease): never longer than that."""
    guesser = guesser or g.get_guesser(p.backend)
    try:
        async with asyncio.timeout(max(p.lease - 1.0, 0.5)):
            return await guesser.guess(p.ops, p.candidates, g.TOP_K)
    except TimeoutError:
        return g.GuessResult(
            backend=guesser.backend,
            model=guesser.model,
            outcome=g.Outcome.TIMEOUT,
            detail="deadline of the AI seat passed",
            latency_ms=int(p.lease * 1000),
        )
    except Exception as exc:  # a backend must not raise, but never trust that
        log.exception("AI guesser %s raised", guesser.backend)
        return g.GuessResult(
            backend=guesser.backend,
            model=guesser.model,
            outcome=g.Outcome.ERROR,
            detail=f"{type(exc).__name__}: {exc}"[:500],
        )


async def step(room_id: int, guesser: g.Guesser | None = None) -> Plan:
    """One round of the driver: plan, and when a call was claimed, run and finish it."""
    p = await database_sync_to_async(plan)(room_id)
    if p.seat is None:
        return p
    result = await run(p, guesser)
    await database_sync_to_async(finish)(p, result)
    return p


# ---------------------------------------------------------------------------------------------
# The per-process driver
# ---------------------------------------------------------------------------------------------


class Runner:
    """One driver task per room in this process, woken by :meth:`poke`."""

    def __init__(self) -> None:
        self.tasks: dict[int, asyncio.Task] = {}
        self.dirty: set[int] = set()
        #: Overrides the settings' guesser (tests); None = choose per room.
        self.guesser: g.Guesser | None = None

    def poke(self, room_id: int) -> None:
        """The canvas of ``room_id`` changed (or a turn started): make sure a driver runs."""
        self.dirty.add(room_id)
        task = self.tasks.get(room_id)
        if task is None or task.done():
            # A fresh context: the driver must not inherit the poking code's (e.g. asgiref's
            # marker of its thread-sensitive executor, which would refuse our DB calls).
            self.tasks[room_id] = asyncio.get_running_loop().create_task(
                self._drive(room_id), name=f"catchmind-ai-{room_id}", context=contextvars.Context()
            )

    async def _drive(self, room_id: int) -> None:
        try:
            # Checked and cleared without an await in between: a poke during our last look
            # is never lost.
            while room_id in self.dirty:
                self.dirty.discard(room_id)
                while True:
                    p = await step(room_id, self.guesser)
                    if p.stop:
                        break
                    if p.wait:
                        await asyncio.sleep(p.wait)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("AI driver of room %s failed", room_id)
        finally:
            if self.tasks.get(room_id) is asyncio.current_task():
                del self.tasks[room_id]

    async def close_connections(self) -> None:
        """Close the database connection of the thread the drivers use (they run outside any
        consumer's context, on asgiref's process-wide sync thread): tests, idle shutdown."""
        from django.db import connections

        task = asyncio.get_running_loop().create_task(
            database_sync_to_async(connections.close_all)(), context=contextvars.Context()
        )
        await task

    def cancel(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        self.tasks.clear()
        self.dirty.clear()


_runners: dict[Any, Runner] = {}


def runner(loop: asyncio.AbstractEventLoop | None = None) -> Runner:
    """The runner of ``loop`` (default: the running loop)."""
    loop = loop or asyncio.get_running_loop()
    r = _runners.get(loop)
    if r is None:
        for old in [k for k in _runners if k.is_closed()]:
            del _runners[old]
        r = _runners[loop] = Runner()
    return r


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop to drive the AI on: the running one, or - from a thread that runs sync
    code for it (``database_sync_to_async``, where the game's signals are sent) - its loop."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    from asgiref.sync import SyncToAsync

    local = SyncToAsync.threadlocal
    loop = getattr(local, "main_event_loop", None)
    if loop is not None and getattr(local, "main_event_loop_pid", None) == os.getpid():
        return None if loop.is_closed() else loop
    live = [k for k in _runners if not k.is_closed()]
    return live[0] if len(live) == 1 else None


def poke(room_id: int) -> None:
    """Entry point for the game: the room's canvas changed or a drawing started. Safe to call
    from the event loop or from a sync thread working for it."""
    loop = _server_loop()
    if loop is None:
        log.debug("AI poke for room %s without an event loop: ignored", room_id)
        return
    try:
        if loop.is_running() and _running_here(loop):
            runner(loop).poke(room_id)
        else:
            loop.call_soon_threadsafe(
                lambda: runner(loop).poke(room_id), context=contextvars.Context()
            )
    except RuntimeError:  # the loop is closing
        pass


def _running_here(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
