"""The running turn's op log (game.oplog): persisted chunks plus the drawer's shared tail,
read by snapshots while the drawer (maybe in another process) keeps flushing."""

from __future__ import annotations

import pytest

from game import actions, clock, oplog
from game.models import Room
from tests.game_support import create_room, make_guest, stroke

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    clock.reset()
    clock.freeze()
    monkeypatch.setattr("game.events.publish", lambda room_id, message: None)
    yield
    clock.reset()
    if "locmem" in oplog.cache.__class__.__module__:
        oplog.cache.clear()  # no tail left for the next test's turn of the same id


def drawing_turn():
    """A room whose host is drawing; returns (room id, drawer id, turn id)."""
    host, guest = make_guest("호스트")[1], make_guest("손님")[1]
    room = create_room(host, custom_words=["사과"], custom_words_only=True, word_choices=1)
    drawer = actions.connect(room.pk, host, "conn-host").player_id
    actions.connect(room.pk, guest, "conn-guest")
    actions.start(room.pk, drawer)
    actions.choose(room.pk, drawer, 0)
    return room.pk, drawer, Room.objects.get(pk=room.pk).current_turn_id


FIRST = stroke(1, 10, 10, 20, 20)
OPEN = stroke(2, 500, 500, 600, 600)[:2]
REST = [{"op": "points", "id": 2, "pts": [700, 700]}, {"op": "end", "id": 2}]
MORE = stroke(3, 1, 1, 2, 2)[:2]


def test_a_snapshot_with_a_stale_turn_row_has_every_op_once():
    """Another process's flush commits after the snapshot read the turn row (op_count) and
    before it reads the chunks: the tail must not be counted again."""
    room_id, drawer, turn_id = drawing_turn()
    actions.append_ops(room_id, drawer, turn_id, 0, FIRST)
    oplog.write_tail(turn_id, 3, OPEN)
    turn = Room.objects.get(pk=room_id).current_turn  # op_count 3
    # The drawer ends the open stroke: one chunk, persisted; the tail is not rewritten.
    actions.append_ops(room_id, drawer, turn_id, 3, OPEN + REST)
    assert oplog.running_ops(turn) == FIRST + OPEN + REST


@pytest.mark.parametrize("moment", ["before the chunks", "before the tail"])
def test_a_flush_during_a_snapshot_neither_repeats_nor_loses_ops(monkeypatch, moment):
    """Whatever the drawer's connection does while a snapshot reads the log (flush the
    stroke it drew, then mirror the next one in the tail), the snapshot is exactly the ops
    relayed before it started, or more of them in order."""
    room_id, drawer, turn_id = drawing_turn()
    actions.append_ops(room_id, drawer, turn_id, 0, FIRST)
    oplog.write_tail(turn_id, 3, OPEN)
    relayed_before = FIRST + OPEN
    turn = Room.objects.get(pk=room_id).current_turn

    def drawer_goes_on():
        actions.append_ops(room_id, drawer, turn_id, 3, OPEN + REST)
        oplog.write_tail(turn_id, 7, MORE)

    done = []

    def once():
        if not done:
            done.append(True)
            drawer_goes_on()

    real_iter_ops, real_cache = oplog.iter_ops, oplog.cache

    def iter_ops(*args):
        if moment == "before the chunks":
            once()
        return real_iter_ops(*args)

    class Cache:
        def __getattr__(self, name):
            return getattr(real_cache, name)

        def get(self, *args, **kwargs):
            if moment == "before the tail":
                once()
            return real_cache.get(*args, **kwargs)

    monkeypatch.setattr(oplog, "iter_ops", iter_ops)
    monkeypatch.setattr(oplog, "cache", Cache())
    ops = oplog.running_ops(turn)
    assert done
    everything = FIRST + OPEN + REST + MORE
    assert ops == everything[: len(ops)]
    assert len(ops) >= len(relayed_before)
