"""The room websocket: parse, validate the shape, call an action, reply (docs/protocol.md).

All rules are in :mod:`game.actions`. What a connection keeps is only what the draw hot
path needs to avoid a database round trip per batch: its local view of the phase and drawer
(kept current by the room's events), the drawer's unflushed buffer, and rate buckets.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from dataclasses import dataclass, field

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from accounts.identity import Identity, identity_for
from game import actions, clock, oplog, state
from game.actions import GameError
from game.events import encode
from game.hub import Hub
from game.models import Phase, Room
from game.ops import MAX_POINTS_PER_TURN, OpError, validate_batch
from game.ratelimit import TokenBucket

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 16 * 1024
DRAW_RATE, DRAW_BURST = 60.0, 120.0
#: Snapshots on demand (sync): each costs a transaction and the whole drawing so far.
SYNC_RATE, SYNC_BURST = 0.5, 5.0
#: Refused frames (rate, size, garbage) a connection may send: 20 at once, 2 per second.
STRIKE_RATE, STRIKE_BURST = 2.0, 20.0
CLOSE_ABUSE = 4008
#: An unexpected failure on the server (database or Redis trouble): the client reconnects.
CLOSE_SERVER_ERROR = 1011
#: A long stroke is persisted at least this often even before it ends.
FLUSH_AFTER_SECONDS = 1.0
#: Snapshots a connection sends by itself after it missed relayed ops or a room message (a
#: gap in their ``seq`` or ``version``): 3 at once, then one a second. A gap that persists (the
#: shared tail was evicted: the ops are in no snapshot until the drawer's next flush, within a
#: second) must not turn every batch into a read.
RESYNC_RATE, RESYNC_BURST = 1.0, 3.0
RESYNC_RETRY_SECONDS = 0.25


def _language(scope: dict) -> str:
    """The language of the page that opened the socket: the language cookie set by the site's
    language switch, else the browser's Accept-Language, else Korean (LANGUAGE_CODE)."""
    supported = {code for code, _name in settings.LANGUAGES}
    chosen = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen[:2] in supported:
        return chosen[:2]
    headers = dict(scope.get("headers", []))
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    for code, _quality in parse_accept_lang_header(accept):
        if code[:2] in supported:
            return code[:2]
    return settings.LANGUAGE_CODE


def _has_lone_surrogate(message: object) -> bool:
    """Whether JSON escapes spelled half a surrogate pair somewhere in ``message`` (a text
    frame is valid UTF-8, but ``"\\ud800"`` decodes to a string that is not)."""
    try:
        json.dumps(message, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return True
    return False


def db(function):
    return database_sync_to_async(function)


@dataclass
class DrawBuffer:
    """The drawer's ops since the last flush. ``seq`` is the index of the next op."""

    turn_id: int
    persisted: int
    seq: int
    points: int
    ops: list[dict] = field(default_factory=list)


class RoomConsumer(AsyncWebsocketConsumer):
    #: Connections get room traffic from the process's hub, not from a channel of their own:
    #: naming an unconfigured layer makes Channels skip the per-connection channel.
    channel_layer_alias = "hub-only"

    async def connect(self) -> None:
        self.language = _language(self.scope)
        with translation.override(self.language):
            try:
                await self._connect()
            except Exception:
                # Closing (not dying) lets disconnect() run: it leaves the hub and the seat.
                logger.exception("could not open a connection to room %s", self.room_id)
                await self._close(CLOSE_SERVER_ERROR)

    async def _connect(self) -> None:
        self.player_id: int | None = None
        self.room_id: int | None = None
        self.connection_id = secrets.token_hex(8)
        self.ready = False
        self.pending: list[dict] = []
        #: The room version this connection's client is at: its snapshot's, then that of each
        #: room message delivered. Every published room message is one version more than the
        #: one before, so the next must be exactly ``version + 1``.
        self.version = 0
        self.view: dict = {"phase": None, "turn_id": None, "drawer_id": None}
        #: Ops of the current turn this connection has received (snapshot + live batches).
        self.seen_turn: int | None = None
        self.seen = 0
        self.buffer: DrawBuffer | None = None
        self.flush_task: asyncio.Task | None = None
        self.draw_bucket = TokenBucket(DRAW_RATE, DRAW_BURST)
        self.sync_bucket = TokenBucket(SYNC_RATE, SYNC_BURST)
        self.strikes = TokenBucket(STRIKE_RATE, STRIKE_BURST)
        self.hub: Hub | None = None
        self.closing = False
        self.flush_lock = asyncio.Lock()
        #: One snapshot at a time (connect, sync, resync): each sets ready and seen.
        self.snapshot_lock = asyncio.Lock()
        #: Relayed ops or a room message went missing on the way here: batches are dropped (not
        #: forwarded with a hole) until the resync task has sent a fresh snapshot, which
        #: contains them; room messages wait for it as long as their versions have a gap.
        self.out_of_sync = False
        self.resync_task: asyncio.Task | None = None
        self.resync_bucket = TokenBucket(RESYNC_RATE, RESYNC_BURST)

        await self.accept()
        code = self.scope["url_route"]["kwargs"]["code"]
        identity = await db(self._identity)()
        room_id = await db(actions.room_id_for_code)(code)
        if room_id is None:
            await self._error("not_found", _("This room does not exist."))
            await self.close(actions.CLOSE_NOT_FOUND)
            return
        self.room_id = room_id
        self.hub = Hub.current()
        # Listen before taking the seat: every event after the snapshot's state is queued.
        await self.hub.join(room_id, self)
        try:
            seat = await db(actions.connect)(room_id, identity, self.connection_id)
        except GameError as exc:
            await self.hub.leave(room_id, self)
            self.room_id = None
            await self._error(exc.code, exc.message)
            await self.close(exc.close_code or 1008)
            return
        self.player_id = seat.player_id
        await self._send_snapshot()
        self.hub.schedule(room_id, seat.wake_at)

    def _identity(self) -> Identity:
        session = self.scope["session"]
        identity = identity_for(session, self.scope.get("user"))
        if session.modified:
            session.save()
        return identity

    def _snapshot(self) -> dict:
        actions.tick(self.room_id)
        return state.snapshot(Room.objects.get(pk=self.room_id), self.player_id)

    async def _read_snapshot(self) -> dict:
        return await db(self._snapshot)()

    async def _send_snapshot(self, *, resync: bool = False) -> None:
        async with self.snapshot_lock:
            if resync and not self.out_of_sync:
                return  # another snapshot (a sync) got there first
            # From here on room traffic is queued. Everything that arrived before was written
            # (tail or chunk) before it was published, so the read below contains it: batches
            # dropped while out of sync included.
            self.ready = False
            self.out_of_sync = False
            snapshot = await self._read_snapshot()
            self.view = snapshot.pop("view")
            self.version = snapshot["version"]
            turn = snapshot["turn"]
            self.seen_turn = turn["id"] if turn else None
            self.seen = turn["seq"] if turn else 0
            await self.send(text_data=encode(snapshot))
            # Queued batches are trimmed or dropped by what the snapshot had (seen); those
            # published after the read continue it.
            while self.pending:
                message = self.pending.pop(0)
                if message["type"] == "hub.draw":
                    await self._deliver_draw(message)
                else:
                    await self._deliver_room(message)
            self.ready = True

    async def disconnect(self, code: int) -> None:
        for task in (self.flush_task, self.resync_task):
            if task is not None:
                task.cancel()
        if self.room_id is None:
            return
        try:
            await self._flush()
        except Exception:
            logger.exception("could not save the last ops of player %s", self.player_id)
        finally:
            # Whatever failed, the hub must stop serving and vouching for this connection.
            if self.hub is not None:
                await self.hub.leave(self.room_id, self)
        if self.player_id is not None:
            await db(actions.disconnect)(self.room_id, self.player_id, self.connection_id)

    # --- from the room ----------------------------------------------------------------

    async def hub_room(self, message: dict) -> None:
        if self.closing:
            return
        if not self.ready:
            self.pending.append(message)
        else:
            await self._deliver_room(message)

    async def hub_draw(self, message: dict) -> None:
        if self.closing:
            return
        if not self.ready:
            self.pending.append(message)
        else:
            await self._deliver_draw(message)

    async def _deliver_room(self, message: dict) -> None:
        version = message["version"]
        if version <= self.version:
            return  # part of the snapshot this connection got, or late (published out of order)
        me = self.player_id
        if version > self.version + 1:
            # A room message before this one never arrived (the channel layer dropped it, a
            # publish failed) or is late: its events would be skipped or come out of order. A
            # fresh snapshot has its state and this message's; until then the gap stays open
            # and later messages are dropped too.
            self._resync()
        else:
            self.version = version
            self.view = message["view"]
            for text, recipients, excluded in message["events"]:
                if (recipients is None or me in recipients) and me not in excluded:
                    await self.send(text_data=text)
        # Controls concern this very connection (replaced, kicked): acted on even in a gap.
        for control in message["controls"]:
            if control["close"] == me and control["keep"] != self.connection_id:
                await self._close(control["code"])

    async def _close(self, code: int) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code)

    async def _deliver_draw(self, message: dict) -> None:
        turn_id, seq, ops_count = message["turn"], message["seq"], message["n"]
        if turn_id != self.view["turn_id"]:
            return
        if self.seen_turn != turn_id:
            self.seen_turn, self.seen = turn_id, 0
        if seq + ops_count <= self.seen:
            return  # the snapshot had these already
        if self.out_of_sync or seq > self.seen:
            # Ops between the last one sent and this batch never arrived (the channel layer
            # dropped a message, a publish failed): forwarding would leave a hole in the
            # client's drawing. A fresh snapshot has them, and this batch too.
            self._resync()
            return
        if seq < self.seen:
            data = json.loads(message["text"])
            skip = self.seen - seq
            data["ops"], data["seq"] = data["ops"][skip:], self.seen
            await self.send(text_data=encode(data))
        else:
            await self.send(text_data=message["text"])
        self.seen = seq + ops_count

    def _resync(self) -> None:
        """Schedule a fresh snapshot as the connection's own task: the hub delivers to every
        member of every local room in turn, it must not wait for a database read."""
        self.out_of_sync = True
        if self.resync_task is None or self.resync_task.done():
            self.resync_task = asyncio.create_task(self._resync_soon())

    async def _resync_soon(self) -> None:
        try:
            # Loops while the snapshot's own replay finds another gap.
            while self.out_of_sync and not self.closing:
                if not self.resync_bucket.take():
                    await asyncio.sleep(RESYNC_RETRY_SECONDS)
                    continue
                await self._send_snapshot(resync=True)
        except Exception:
            # Left out of sync, the client would watch a frozen drawing: it reconnects.
            logger.exception("could not resynchronise player %s", self.player_id)
            await self._close(CLOSE_SERVER_ERROR)

    # --- from the client --------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # Error messages in the player's language; actions run in threads that inherit it.
        with translation.override(self.language):
            await self._receive(text_data)

    async def _receive(self, text_data: str | None) -> None:
        if self.player_id is None or self.closing:
            return
        if text_data is None or len(text_data.encode()) > MAX_FRAME_BYTES:
            code = "too_large" if text_data is not None else "bad_json"
            await self._refuse(code, _("Messages are JSON text of at most 16 KiB."))
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            message = None
        if message is not None and "\\u" in text_data and _has_lone_surrogate(message):
            message = None  # echoed back (pong, ref, errors) it could not be sent as UTF-8
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self._refuse("bad_json", _("Send a JSON object with a type."))
            return
        kind = message["type"]
        handler = getattr(self, f"on_{kind}", None) if kind in HANDLED else None
        if handler is None:
            await self._refuse("unknown_type", _("Unknown message type."), ref=kind)
            return
        try:
            await handler(message)
        except GameError as exc:
            if exc.code == "rate_limited":
                await self._strike()
            await self._error(exc.code, exc.message, ref=kind, errors=exc.errors)
        except Exception:
            # Closing (not dying) lets disconnect() run: it leaves the hub and the seat.
            logger.exception("room %s: %s of player %s failed", self.room_id, kind, self.player_id)
            await self._close(CLOSE_SERVER_ERROR)

    async def _error(self, code: str, message: str, *, ref: str | None = None, **extra) -> None:
        payload = {"type": "error", "code": code, "message": message}
        if ref:
            payload["ref"] = ref
        payload.update({key: value for key, value in extra.items() if value is not None})
        await self.send(text_data=encode(payload))

    async def _refuse(self, code: str, message: str, *, ref: str | None = None, **extra) -> None:
        await self._error(code, message, ref=ref, **extra)
        await self._strike()

    async def _strike(self) -> None:
        if not self.strikes.take():
            logger.info("closing abusive connection of player %s", self.player_id)
            await self._close(CLOSE_ABUSE)

    async def on_sync(self, message: dict) -> None:
        if not self.sync_bucket.take():
            raise GameError("rate_limited", _("You are sending messages too fast."))
        await self._send_snapshot()

    async def on_ping(self, message: dict) -> None:
        await self.send(
            text_data=encode({"type": "pong", "t": message.get("t"), "server_time": clock.now_ms()})
        )

    async def on_settings(self, message: dict) -> None:
        await db(actions.update_settings)(self.room_id, self.player_id, message.get("settings"))

    async def on_start(self, message: dict) -> None:
        await db(actions.start)(self.room_id, self.player_id)

    async def on_restart(self, message: dict) -> None:
        await db(actions.restart)(self.room_id, self.player_id)

    async def on_choose(self, message: dict) -> None:
        await db(actions.choose)(self.room_id, self.player_id, message.get("index"))

    async def on_chat(self, message: dict) -> None:
        await db(actions.chat)(self.room_id, self.player_id, message.get("text"))

    async def on_kick(self, message: dict) -> None:
        await db(actions.kick)(self.room_id, self.player_id, self._target(message))

    async def on_vote_kick(self, message: dict) -> None:
        await db(actions.vote_kick)(self.room_id, self.player_id, self._target(message))

    async def on_leave(self, message: dict) -> None:
        await self._flush()
        await db(actions.leave)(self.room_id, self.player_id)

    def _target(self, message: dict) -> int:
        target = message.get("player_id")
        if type(target) is not int:
            raise GameError("bad_message", _("player_id must be a player's id."))
        return target

    # --- the draw hot path ------------------------------------------------------------

    async def on_draw(self, message: dict) -> None:
        if not self.draw_bucket.take():
            raise GameError("rate_limited", _("You are drawing too fast."))
        try:
            batch = validate_batch(message.get("ops"))
        except OpError as exc:
            await self._refuse("bad_ops", str(exc), ref="draw", index=exc.index)
            return
        view = self.view
        if view["phase"] != Phase.DRAWING or view["drawer_id"] != self.player_id:
            raise GameError("not_drawer", _("Only the drawer can draw, while drawing."))
        buffer = self.buffer
        if buffer is None or buffer.turn_id != view["turn_id"]:
            await self._flush()
            resumed = await db(actions.drawer_state)(self.room_id, self.player_id)
            buffer = self.buffer = DrawBuffer(
                turn_id=resumed.turn_id,
                persisted=resumed.persisted,
                seq=resumed.persisted + len(resumed.tail),
                points=resumed.points,
                ops=list(resumed.tail),
            )
        if buffer.points + batch.points > MAX_POINTS_PER_TURN:
            raise GameError("canvas_full", _("This drawing is full."))
        seq = buffer.seq
        buffer.ops.extend(batch.ops)
        buffer.seq += len(batch.ops)
        buffer.points += batch.points
        relay = {
            "type": "hub.draw",
            "room": self.room_id,
            "turn": buffer.turn_id,
            "seq": seq,
            "n": len(batch.ops),
            "sender": self.player_id,
            "text": encode(
                {"type": "draw", "turn_id": buffer.turn_id, "seq": seq, "ops": batch.ops}
            ),
        }
        # Before anyone can see the batch, a snapshot must be able to include it: either it
        # is persisted (end of a stroke) or mirrored in the shared tail.
        if batch.flushes:
            try:
                await self._flush()
            except Exception:
                # Not saved, but kept in the buffer (saved by the next flush, at the latest on
                # disconnect). Mirrored in the tail, the ops are in every snapshot and the
                # drawer's next connection resumes after them, so the others may see the
                # stroke now. If the tail fails too, nothing is relayed: the watchers' gap
                # check fetches the ops with a snapshot once they are stored.
                await db(oplog.write_tail)(buffer.turn_id, buffer.persisted, list(buffer.ops))
                await self.hub.publish_draw(self.room_id, relay)
                raise  # the socket closes (1011)
        else:
            await db(oplog.write_tail)(buffer.turn_id, buffer.persisted, list(buffer.ops))
            self._flush_later()
        await self.hub.publish_draw(self.room_id, relay)

    def _flush_later(self) -> None:
        if self.flush_task is None or self.flush_task.done():
            self.flush_task = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FLUSH_AFTER_SECONDS)
        try:
            await self._flush()
        except GameError:
            pass
        except Exception:  # the ops stay in the buffer: the next flush takes them
            logger.exception("timed flush of player %s failed", self.player_id)

    async def _flush(self) -> None:
        """Persist the buffer as one chunk. Serialised per connection, so chunks arrive in
        order; the shared tail keeps covering the ops until the chunk is committed."""
        async with self.flush_lock:
            buffer = self.buffer
            if buffer is None or not buffer.ops:
                return
            ops, start = buffer.ops, buffer.persisted
            buffer.ops = []
            buffer.persisted = start + len(ops)
            try:
                kept = await db(actions.append_ops)(
                    self.room_id, self.player_id, buffer.turn_id, start, ops
                )
            except BaseException:
                # Not stored (or not known to be: append_ops skips ops it already has), so
                # they go back in front of what was drawn meanwhile, for the next flush and
                # the shared tail.
                buffer.ops[:0] = ops
                buffer.persisted = start
                raise
            if not kept and self.buffer is buffer:
                self.buffer = None


HANDLED = frozenset(
    {
        "sync",
        "ping",
        "settings",
        "start",
        "restart",
        "choose",
        "draw",
        "chat",
        "kick",
        "vote_kick",
        "leave",
    }
)
