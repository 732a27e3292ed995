"""What the room websocket does with bad, oversized, too fast or unauthorised input."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from catchmind.asgi import application
from game import clock
from tests.game_support import ORIGIN, create_room, new_player, stroke, until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_thread_connections", "fresh_clock_and_cache"),
]


async def two_players(**options):
    host, guest = await new_player("호스트"), await new_player("손님")
    room = await sync_to_async(create_room)(
        host.identity, custom_words=["사과"], custom_words_only=True, word_choices=1, **options
    )
    await host.connect(room.code)
    await guest.connect(room.code)
    return room, host, guest


async def drawing(host, guest):
    await host.send("start")
    await host.expect("phase", phase="choosing")
    await host.send("choose", index=0)
    await host.expect("phase", phase="drawing")
    await guest.expect("phase", phase="drawing")


async def test_bad_input_gets_an_error_and_the_socket_stays_open():
    room, host, guest = await two_players()
    try:
        await guest.send_raw("{not json")
        assert (await guest.expect("error"))["code"] == "bad_json"
        await guest.send_raw("[1, 2]")
        assert (await guest.expect("error"))["code"] == "bad_json"
        await guest.send("teleport")
        error = await guest.expect("error")
        assert (error["code"], error["ref"]) == ("unknown_type", "teleport")
        await guest.send_raw(json.dumps({"type": "chat", "text": "x" * 17000}))
        assert (await guest.expect("error"))["code"] == "too_large"
        await guest.send("chat", text=123)
        assert (await guest.expect("error", ref="chat"))["code"] == "bad_message"
        await guest.send("kick", player_id="everyone")
        assert (await guest.expect("error", ref="kick"))["code"] == "bad_message"
        await guest.send("choose", index=0)
        assert (await guest.expect("error", ref="choose"))["code"] == "wrong_phase"
        await guest.send("draw", ops=stroke(1, 1, 1, 2, 2))
        assert (await guest.expect("error", ref="draw"))["code"] == "not_drawer"
        # Still connected and served.
        await guest.send("ping", t=5)
        assert (await guest.expect("pong"))["t"] == 5
    finally:
        await host.close()
        await guest.close()


BAD_OPS = [
    [],
    [{"op": "begin", "id": 1, "tool": "pen", "color": "#000000", "width": 40, "pts": [1, 2, 3]}],
    [{"op": "begin", "id": 1, "tool": "pen", "color": "#000000", "width": 40, "pts": [1.5, 2]}],
    [{"op": "begin", "id": 1, "tool": "pen", "color": "#000000", "width": 40, "pts": [10000, 2]}],
    [{"op": "begin", "id": 1, "tool": "pen", "color": "red", "width": 40, "pts": [1, 2]}],
    [{"op": "begin", "id": 1, "tool": "spray", "color": "#000000", "width": 40, "pts": [1, 2]}],
    [{"op": "begin", "id": 1, "tool": "pen", "color": "#000000", "width": 0, "pts": [1, 2]}],
    [{"op": "begin", "id": True, "tool": "pen", "color": "#000000", "width": 4, "pts": [1, 2]}],
    [{"op": "points", "id": 1, "pts": [1, 2] * 1001}],
    [{"op": "fill", "x": -1, "y": 0, "color": "#ffffff"}],
    [{"op": "explode"}],
    [{"op": "clear"}] * 201,
    "clear",
]


async def test_bad_draw_ops_are_refused_whole_and_never_relayed():
    room, host, guest = await two_players()
    try:
        await drawing(host, guest)
        for index, ops in enumerate(BAD_OPS):
            await host.send("draw", ops=ops)
            error = await host.expect("error", ref="draw")
            assert error["code"] == "bad_ops", index
        await host.send("draw", ops=[{"op": "clear"}, {"op": "undo"}, {"op": "redo"}])
        relayed = await guest.expect("draw")
        assert relayed["seq"] == 0  # nothing of the bad batches reached the log
        assert await guest.nothing_of("draw")
    finally:
        await host.close()
        await guest.close()


async def test_chat_is_limited_to_five_messages_in_three_seconds():
    room, host, guest = await two_players()
    try:
        for number in range(5):
            await guest.send("chat", text=f"안녕 {number}")
        await guest.send("chat", text="하나 더")
        assert (await guest.expect("error", ref="chat"))["code"] == "rate_limited"
        assert await host.nothing_of("chat", text="하나 더")
        clock.shift(3)
        await guest.send("chat", text="이제 돼")
        await host.expect("chat", text="이제 돼")
    finally:
        await host.close()
        await guest.close()


async def test_draw_batches_are_limited_and_an_abusive_client_is_closed(monkeypatch):
    # Connection buckets refill with real time; stop it so the counts are exact.
    monkeypatch.setattr("game.ratelimit.monotonic", lambda: 1000.0)
    room, host, guest = await two_players()
    try:
        await drawing(host, guest)
        batch = [
            {"op": "begin", "id": 1, "tool": "pen", "color": "#000000", "width": 9, "pts": [1, 1]}
        ]
        for _ in range(125):
            await host.send("draw", ops=batch)
        for _ in range(5):
            assert (await host.expect("error", ref="draw"))["code"] == "rate_limited"
        await guest.expect("draw", seq=119)
        assert len([m for m in await guest.settle() if m["type"] == "draw"]) == 119
        assert await host.nothing_of("error")
        # Garbage on and on: the server gives up on the connection.
        for _ in range(40):
            await guest.send_raw("garbage")
        assert await guest.expect_closed() == 4008
    finally:
        await host.close()
        await guest.close()


async def test_vote_kick_over_the_websocket_closes_the_kicked_player():
    host, b, c = [await new_player(name) for name in ("호스트", "비", "씨")]
    room = await sync_to_async(create_room)(host.identity)
    for player in (host, b, c):
        await player.connect(room.code)
    try:
        await host.send("vote_kick", player_id=c.id)
        assert (await b.expect("vote_kick"))["votes"] == 1
        await b.send("vote_kick", player_id=c.id)
        assert (await c.expect("kicked"))["by"] == "vote"
        assert await c.expect_closed() == 4003
        assert (await host.expect("player_left", player_id=c.id))["reason"] == "kicked"
        # Reconnecting is refused.
        again = await new_player("씨")
        again.session_key, again.identity = c.session_key, c.identity
        cookie = f"sessionid={c.session_key}".encode()
        comm = WebsocketCommunicator(
            application, f"/ws/rooms/{room.code}/", headers=[ORIGIN, (b"cookie", cookie)]
        )
        await comm.connect()
        assert json.loads((await comm.receive_output())["text"])["code"] == "kicked"
        assert (await comm.receive_output())["code"] == 4003
    finally:
        for player in (host, b, c):
            await player.close()


async def test_a_second_connection_of_the_same_player_replaces_the_first():
    room, host, guest = await two_players()
    try:
        twin = await new_player("손님")
        twin.session_key, twin.identity = guest.session_key, guest.identity
        await twin.connect(room.code)
        assert twin.id == guest.id
        assert await guest.expect_closed() == 4001
        await host.send("chat", text="안녕")
        await twin.expect("chat", text="안녕")
        # The old socket closing does not mark the player as away.
        assert await host.nothing_of("presence", connected=False)
    finally:
        await host.close()
        await guest.close()


async def test_unknown_rooms_and_foreign_origins_are_refused():
    comm = WebsocketCommunicator(application, "/ws/rooms/nosuchroom12/", headers=[ORIGIN])
    await comm.connect()
    assert json.loads((await comm.receive_output())["text"])["code"] == "not_found"
    assert (await comm.receive_output())["code"] == 4004
    evil = WebsocketCommunicator(
        application, "/ws/rooms/nosuchroom12/", headers=[(b"origin", b"http://evil.example")]
    )
    connected, _ = await evil.connect()
    assert not connected


async def test_errors_speak_the_players_language():
    host, korean, english = [await new_player(name) for name in ("호스트", "한국", "English")]
    room = await sync_to_async(create_room)(host.identity)
    await host.connect(room.code)
    await korean.connect(room.code)
    await english.connect(room.code, headers=[(b"accept-language", b"en-US,en;q=0.9")])
    try:
        await korean.send("start")
        assert (await korean.expect("error"))["message"] == "방장만 할 수 있습니다."
        await english.send("start")
        assert (await english.expect("error"))["message"] == "Only the host can do this."
    finally:
        for player in (host, korean, english):
            await player.close()


async def test_escaped_lone_surrogates_are_refused_not_echoed():
    """A frame is valid UTF-8 but JSON escapes can still spell half a surrogate pair; echoed
    back (pong, ref, settings errors) it would make a frame Daphne cannot encode."""
    room, host, guest = await two_players()
    try:
        await guest.send_raw('{"type": "ping", "t": "\\ud800"}')
        assert (await guest.expect("error"))["code"] == "bad_json"
        await guest.send_raw('{"type": "\\udfff"}')
        assert (await guest.expect("error"))["code"] == "bad_json"
        await host.send_raw('{"type": "settings", "settings": {"\\ud800": 1}}')
        assert (await host.expect("error"))["code"] == "bad_json"
        # A whole pair is an ordinary character.
        await guest.send_raw('{"type": "ping", "t": "\\ud83d\\ude00"}')
        assert (await guest.expect("pong"))["t"] == "\U0001f600"
        for player in (host, guest):
            for message in player.log:
                json.dumps(message, ensure_ascii=False).encode()
    finally:
        await host.close()
        await guest.close()


async def test_a_server_error_closes_the_socket_and_frees_the_connection(monkeypatch):
    """An unexpected failure (database or Redis trouble) must not kill the consumer without
    its goodbye: the hub would keep it and vouch for it, a ghost seat that never times out."""
    from django.db import OperationalError

    from game.hub import Hub

    room, host, guest = await two_players()
    try:

        def broken(*args):
            raise OperationalError("database is locked")

        monkeypatch.setattr("game.actions.chat", broken)
        await guest.send("chat", text="안녕")
        assert await guest.expect_closed() == 1011
        await guest.close()
        await host.expect("presence", player_id=guest.id, connected=False)
        members = Hub.current().rooms[room.pk]
        assert [member.player_id for member in members] == [host.id]

        # The same while connecting: nothing is left behind either.
        monkeypatch.setattr("game.actions.connect", broken)
        late = await new_player("늦은")
        late_comm = WebsocketCommunicator(
            application,
            f"/ws/rooms/{room.code}/",
            headers=[ORIGIN, (b"cookie", f"sessionid={late.session_key}".encode())],
        )
        await late_comm.connect()
        assert (await late_comm.receive_output())["code"] == 1011
        await late_comm.disconnect()
        assert len(Hub.current().rooms[room.pk]) == 1
    finally:
        await host.close()
        await guest.close()


async def test_a_failed_flush_keeps_the_ops_for_the_next_one(monkeypatch):
    """A long stroke's timed flush fails once (database busy): nothing of the drawing may be
    lost, neither in the turn's log nor for the players watching."""
    import asyncio

    from django.db import OperationalError

    from game import actions
    from game.models import Room

    monkeypatch.setattr("game.consumers.FLUSH_AFTER_SECONDS", 0.05)
    room, host, guest = await two_players()
    try:
        await drawing(host, guest)
        real_append, failures = actions.append_ops, []

        def append_ops(*args):
            if not failures:
                failures.append(True)
                raise OperationalError("database is locked")
            return real_append(*args)

        monkeypatch.setattr("game.actions.append_ops", append_ops)
        ops = stroke(1, 10, 10, 20, 20, 30, 30)
        await host.send("draw", ops=ops[:1])
        await guest.expect("draw", seq=0)
        await asyncio.sleep(0.3)  # the timed flush runs, and fails
        assert failures
        await host.send("draw", ops=ops[1:])
        assert (await guest.expect("draw"))["seq"] == 1
        turn = await sync_to_async(lambda: Room.objects.get(pk=room.pk).current_turn)()
        assert await sync_to_async(turn.op_log)() == ops
    finally:
        await host.close()
        await guest.close()


async def test_snapshots_on_demand_are_limited(monkeypatch):
    """A sync costs a transaction and the whole drawing; a loop of tiny sync frames must not
    make the server read and send it without end."""
    monkeypatch.setattr("game.ratelimit.monotonic", lambda: 1000.0)
    room, host, guest = await two_players()
    try:
        for _ in range(6):
            await guest.send("sync")
        for _ in range(5):
            await guest.expect("snapshot")
        assert (await guest.expect("error", ref="sync"))["code"] == "rate_limited"
        assert await guest.nothing_of("snapshot")
    finally:
        await host.close()
        await guest.close()


def drawing_seen_by(player) -> list[dict]:
    """The drawing as ``player``'s client builds it: each snapshot replaces it, each ``draw``
    must continue it exactly (no op twice, none missing)."""
    ops: list[dict] = []
    for message in player.log:
        if message["type"] == "snapshot":
            ops = list(message["turn"]["ops"]) if message["turn"] else []
            assert message["turn"] is None or message["turn"]["seq"] == len(ops)
        elif message["type"] == "draw":
            assert message["seq"] == len(ops), "a gap or a repeat in the stream"
            ops.extend(message["ops"])
    return ops


def member_of(room, player):
    from game.hub import Hub

    return next(m for m in Hub.current().rooms[room.pk] if m.player_id == player.id)


def drop_first_relay(monkeypatch) -> list[int]:
    """The channel layer loses the next relayed batch (Redis capacity or expiry)."""
    from game.hub import Hub

    real_publish, dropped = Hub.publish_draw, []

    async def publish_draw(self, room_id, message):
        if not dropped:
            dropped.append(message["seq"])
            return
        await real_publish(self, room_id, message)

    monkeypatch.setattr(Hub, "publish_draw", publish_draw)
    return dropped


async def test_a_watcher_that_missed_a_batch_gets_a_snapshot_not_a_hole(monkeypatch):
    from game.models import Room

    room, host, guest = await two_players()
    try:
        await drawing(host, guest)
        dropped = drop_first_relay(monkeypatch)
        first, second = stroke(1, 1, 1, 2, 2), stroke(2, 3, 3, 4, 4)
        await host.send("draw", ops=first)
        await host.send("draw", ops=second)
        await guest.settle()
        assert drawing_seen_by(guest) == first + second
        snapshot = [m for m in guest.log if m["type"] == "snapshot"][-1]
        assert (snapshot["turn"]["ops"], snapshot["turn"]["seq"]) == (first + second, 6)
        assert snapshot["phase"] == "drawing" and snapshot["you"]["role"] == "guesser"
        await host.send("draw", ops=stroke(3, 5, 5, 6, 6))
        await guest.expect("draw", seq=6)
        turn = await sync_to_async(lambda: Room.objects.get(pk=room.pk).current_turn)()
        assert drawing_seen_by(guest) == await sync_to_async(turn.op_log)()
        assert dropped == [0]
        # The drawer is never resynchronised: it gets no relayed batches at all.
        assert await host.nothing_of("snapshot")
    finally:
        await host.close()
        await guest.close()


@pytest.mark.parametrize("moment", ["before", "after"])
async def test_a_lost_batch_resynchronises_the_receiver_instead_of_leaving_a_gap(
    monkeypatch, moment
):
    """The channel layer drops a relayed batch (Redis capacity, expiry): the next batch
    reaching a watcher starts beyond what it has. It must not be forwarded with a hole; the
    watcher gets a fresh snapshot, and a batch relayed while that snapshot is being read
    (``moment`` the read) arrives exactly once, in order."""
    import asyncio

    from game.consumers import RoomConsumer
    from game.models import Room

    room, host, guest = await two_players()
    try:
        await drawing(host, guest)
        dropped = drop_first_relay(monkeypatch)
        gate, reads = asyncio.Event(), []
        real_read = getattr(RoomConsumer, "_read_snapshot", None)

        async def read_snapshot(self):
            reads.append(self.player_id)
            if moment == "before":
                await gate.wait()
            snapshot = await real_read(self)
            if moment == "after":
                await gate.wait()
            return snapshot

        monkeypatch.setattr(RoomConsumer, "_read_snapshot", read_snapshot, raising=False)
        first, second, third = stroke(1, 1, 1, 2, 2), stroke(2, 3, 3, 4, 4), stroke(3, 5, 5, 6, 6)
        await host.send("draw", ops=first)  # never reaches the guest's connection
        await host.send("draw", ops=second)  # starts at 3: the guest's connection has 0
        await until(lambda: reads == [guest.id])
        watcher = member_of(room, guest)
        await host.send("draw", ops=third)  # relayed while the snapshot is being read
        await until(lambda: watcher.pending)
        gate.set()
        snapshot = await guest.expect("snapshot")
        assert snapshot["turn"]["ops"][:6] == first + second
        await host.send("draw", ops=stroke(4, 7, 7, 8, 8))
        await guest.expect("draw", seq=9)
        turn = await sync_to_async(lambda: Room.objects.get(pk=room.pk).current_turn)()
        assert drawing_seen_by(guest) == await sync_to_async(turn.op_log)()
        assert dropped == [0] and reads == [guest.id]
        assert not [m for m in guest.log if m["type"] == "draw" and m["seq"] == 3]
    finally:
        await host.close()
        await guest.close()


def drop_next_room_message(monkeypatch) -> list[dict]:
    """The channel layer loses the next room message (one outbox: a phase change, a chat
    line, scores...), as Redis does to a full channel or an expired message."""
    from game import events

    real_publish, dropped = events.publish, []

    def publish(room_id, message):
        if not dropped:
            dropped.append(message)
            return
        real_publish(room_id, message)

    monkeypatch.setattr(events, "publish", publish)
    return dropped


def chat_seen_by(player) -> list[str]:
    """The chat lines the player's client shows: each snapshot's, then the live ones."""
    lines: list[str] = []
    for message in player.log:
        if message["type"] == "snapshot":
            lines = [entry["text"] for entry in message["chat"]]
        elif message["type"] == "chat":
            lines.append(message["text"])
    return lines


async def test_a_lost_phase_change_resynchronises_the_watchers(monkeypatch):
    """The room message announcing a phase is lost: the next one comes with a version one
    beyond. A connection must not go on from there as if nothing had happened; it sends its
    client a fresh snapshot (the right phase), and later messages flow as usual."""
    room, host, guest = await two_players()
    try:
        dropped = drop_next_room_message(monkeypatch)
        await host.send("start")  # "choosing" reaches no one
        await until(lambda: dropped)
        await host.send("choose", index=0)
        snapshot = await guest.expect("snapshot")
        assert snapshot["version"] > dropped[0]["version"]
        assert (snapshot["phase"], snapshot["you"]["role"]) == ("drawing", "guesser")
        await guest.send("chat", text="안녕")
        await host.expect("chat", text="안녕")
        await guest.expect("chat", text="안녕")
        phases = [m["phase"] for m in guest.log if m["type"] in ("snapshot", "phase")]
        assert phases[-1] == "drawing" and "choosing" not in phases
        assert len([m for m in guest.log if m["type"] == "snapshot"]) == 2
    finally:
        await host.close()
        await guest.close()


async def test_a_lost_chat_line_comes_back_with_the_snapshot_and_none_twice(monkeypatch):
    room, host, guest = await two_players()
    try:
        dropped = drop_next_room_message(monkeypatch)
        await guest.send("chat", text="하나")  # lost
        await until(lambda: dropped)
        await guest.send("chat", text="둘")
        await host.expect("snapshot")
        await guest.send("chat", text="셋")
        await host.expect("chat", text="셋")
        assert chat_seen_by(host)[-3:] == ["하나", "둘", "셋"]
        assert len([line for line in chat_seen_by(host) if line == "둘"]) == 1
    finally:
        await host.close()
        await guest.close()


async def test_a_late_room_message_is_not_delivered_after_a_newer_one(monkeypatch):
    """Two processes commit versions n and n+1 in order but publish them the other way round:
    n arrives after n+1, older than what the client has. It must not roll the client back, nor
    be sent twice."""
    from game import events

    room, host, guest = await two_players()
    try:
        sent = []
        real_publish = events.publish

        def publish(room_id, message):
            sent.append(message)
            real_publish(room_id, message)

        monkeypatch.setattr(events, "publish", publish)
        await guest.send("chat", text="하나")
        await host.expect("chat", text="하나")
        await guest.send("chat", text="둘")
        await host.expect("chat", text="둘")
        await member_of(room, host).hub_room(sent[0])  # "하나" once more, late
        assert await host.nothing_of("chat", text="하나")
        assert await host.nothing_of("snapshot")
    finally:
        await host.close()
        await guest.close()


async def test_a_stroke_whose_save_fails_is_still_relayed(monkeypatch):
    """The database refuses the chunk of a finished stroke: the drawer's socket closes (1011)
    and the ops wait to be saved, but the others see the stroke now, a late snapshot has it,
    and the drawer's next connection continues after it."""
    from django.db import OperationalError

    from game import actions
    from game.models import Room

    room, host, guest = await two_players()
    try:
        await drawing(host, guest)
        real_append = actions.append_ops

        def broken(*args):
            raise OperationalError("database is locked")

        monkeypatch.setattr("game.actions.append_ops", broken)
        first = stroke(1, 10, 10, 20, 20)
        await host.send("draw", ops=first)
        assert await host.expect_closed() == 1011
        relayed = await guest.expect("draw", timeout=1)
        assert (relayed["seq"], relayed["ops"]) == (0, first)
        await guest.send("sync")
        assert (await guest.expect("snapshot"))["turn"]["ops"] == first

        # The database is back; the drawer reconnects and goes on drawing.
        monkeypatch.setattr("game.actions.append_ops", real_append)
        again = await new_player("호스트")
        again.session_key, again.identity = host.session_key, host.identity
        await again.connect(room.code)
        assert again.snapshot["turn"]["ops"] == first
        second = stroke(2, 30, 30, 40, 40)
        await again.send("draw", ops=second)
        await guest.expect("draw", seq=3)
        turn = await sync_to_async(lambda: Room.objects.get(pk=room.pk).current_turn)()
        assert await sync_to_async(turn.op_log)() == first + second
        assert drawing_seen_by(guest) == first + second
        await again.close()
    finally:
        await host.close()
        await guest.close()
