"""Every finished drawing is saved exactly once, with its pictures, pace and guess timeline."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from gallery import saving
from gallery.models import Drawing
from game import signals
from game.models import Turn
from tests.gallery_support import HOUSE, finished_turn, guess, guest_identity, play_a_turn
from tests.game_support import stroke

pytestmark = pytest.mark.usefixtures("gallery_media")


def saved_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.django_db
def test_a_finished_turn_is_saved_with_its_pictures_word_drawer_and_room():
    turn = finished_turn(word="집", name="그림왕", seconds=42)
    drawing = saving.save_drawing(turn.pk)

    assert drawing.turn_id == turn.pk
    assert (drawing.word, drawing.language) == ("집", "ko")
    assert drawing.drawer_name == "그림왕" and drawing.guest_id == turn.drawer.guest_id
    assert drawing.room_id == turn.room_id and drawing.room_code == turn.room.code
    assert 41_000 <= drawing.duration_ms <= 43_000
    assert drawing.ops == HOUSE and drawing.op_count == len(HOUSE)
    assert drawing.is_published is False  # private until the drawer publishes it
    with default_storage.open(drawing.image.name) as png:
        assert Image.open(png).size == (800, 600)
    with default_storage.open(drawing.thumbnail.name) as thumb:
        assert Image.open(thumb).size == (320, 240)


@pytest.mark.django_db
def test_the_turn_ended_signal_saves_once_however_often_it_arrives(gallery_media):
    turn = finished_turn()
    for _ in range(3):
        signals.turn_ended.send(Turn, room_id=turn.room_id, turn_id=turn.pk)
    assert Drawing.objects.filter(turn=turn).count() == 1
    assert len(saved_files(gallery_media)) == 2  # one PNG and one thumbnail, not three of each


@pytest.mark.django_db(transaction=True)
def test_two_threads_racing_to_save_one_turn_make_one_drawing(monkeypatch, gallery_media):
    turn = finished_turn()
    real_render = saving.render.render_image
    both_rendered = threading.Barrier(2, timeout=10)

    def render_then_wait(ops, width=800):
        picture = real_render(ops, width)
        both_rendered.wait()  # neither has inserted yet: both passed the "already saved?" check
        return picture

    monkeypatch.setattr(saving.render, "render_image", render_then_wait)
    results, errors = [], []

    def save():
        from django.db import connection

        try:
            results.append(saving.save_drawing(turn.pk))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert errors == []
    assert Drawing.objects.filter(turn=turn).count() == 1
    assert {drawing.pk for drawing in results} == {Drawing.objects.get(turn=turn).pk}
    assert len(saved_files(gallery_media)) == 2  # the loser wrote no files


@pytest.mark.django_db(transaction=True)
def test_by_default_the_receiver_returns_at_once_and_a_worker_thread_saves(settings, monkeypatch):
    settings.GALLERY_SAVE = "thread"
    turn = finished_turn()
    caller = threading.current_thread().name
    seen = []
    real_save = saving.save_drawing

    def spy(turn_id):
        seen.append(threading.current_thread().name)
        return real_save(turn_id)

    monkeypatch.setattr(saving, "save_drawing", spy)
    signals.turn_ended.send(Turn, room_id=turn.room_id, turn_id=turn.pk)
    saving.drain()
    assert seen and seen[0] != caller and seen[0].startswith("gallery-save")
    assert Drawing.objects.filter(turn=turn).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ops",
    [
        [],
        [*stroke(1, 100, 100, 900, 900), {"op": "undo"}],
        [*stroke(1, 100, 100, 900, 900), {"op": "clear"}],
        stroke(1, 100, 100, 900, 900, color="#ffffff"),
    ],
    ids=["nothing drawn", "undone", "cleared", "white on white"],
)
def test_a_turn_without_ink_is_not_saved(ops):
    turn = finished_turn(ops=ops)
    assert saving.save_drawing(turn.pk) is None
    assert not Drawing.objects.exists()


@pytest.mark.django_db
def test_the_timeline_has_every_guess_and_the_ai_s_looks_with_confidences():
    from django.apps import apps

    turn = finished_turn(guessers=("민지", "철수"), with_ai=True)
    guess(turn, "철수", "상자", "wrong", 4_000)
    guess(turn, "민지", "집", "correct", 9_000, points=300, order=1)
    guess(turn, "AI 로봇", "집", "correct", 12_000, points=200, order=2)
    guess(turn, "철수", "지비", "close", 14_000)
    ai_call = apps.get_model("game", "AICall")
    ai_call.objects.create(
        room=turn.room,
        turn=turn,
        backend="local",
        outcome="ok",
        guesses=[{"word": "집", "confidence": 0.71}, {"word": "텐트", "confidence": 0.2}],
        created=turn.started_at + dt.timedelta(seconds=11),
    )
    drawing = saving.save_drawing(turn.pk)

    kinds = [(e["kind"], e.get("name"), e.get("verdict")) for e in drawing.timeline]
    assert kinds == [
        ("guess", "철수", "wrong"),
        ("guess", "민지", "correct"),
        ("ai_look", "AI 로봇", None),
        ("guess", "AI 로봇", "correct"),
        ("guess", "철수", "close"),
    ]
    look = drawing.timeline[2]
    assert look["t"] == 11_000
    assert look["guesses"][0] == {"word": "집", "confidence": 0.71}
    summary = saving.summary(drawing.timeline, drawing.word)
    assert summary["ai"]["t"] == 12_000
    assert summary["beat_ai"] == ["민지"]


def test_replay_times_end_each_stroke_when_it_was_stored_and_never_go_back():
    ops = [*stroke(1, 0, 0, 10, 10, 20, 20), *stroke(2, 0, 0, 5, 5)]
    # Stroke one was stored at 2 s, stroke two at 9 s.
    times = saving.op_times(ops, [[3, 2_000], [6, 9_000]])
    assert len(times) == len(ops)
    assert times == sorted(times)
    assert times[2] == 2_000 and times[5] == 9_000
    assert times[3] > 2_000  # stroke two is drawn just before it was stored, not at once
    # No usable pace (a frozen clock, a lost cache): one op per frame.
    assert saving.op_times(ops, [[6, 0]]) == [17, 34, 51, 68, 85, 102]


@pytest.mark.django_db(transaction=True)
def test_a_turn_played_through_the_game_is_saved_with_its_pace():
    drawer, guesser = guest_identity("그림왕"), guest_identity("민지")
    turn = play_a_turn(drawer, guesser, HOUSE)

    drawing = Drawing.objects.get(turn=turn)
    assert drawing.ops == HOUSE
    assert drawing.drawer_name == "그림왕" and drawing.guest_id == drawer.guest_id
    # One pace mark per stored chunk (three strokes and a fill).
    assert [mark[0] for mark in drawing.pace] == [3, 6, 9, 10]
    assert [e["name"] for e in drawing.timeline if e.get("verdict") == "correct"] == ["민지"]


@pytest.mark.django_db
def test_save_drawings_saves_ended_turns_that_were_missed_and_only_once():
    from django.core.management import call_command

    missed = finished_turn()
    blank = finished_turn(ops=[])
    saving.save_drawing(finished_turn().pk)  # saved as it ended

    call_command("save_drawings", verbosity=0)
    call_command("save_drawings", verbosity=0)

    assert Drawing.objects.filter(turn=missed).count() == 1
    assert not Drawing.objects.filter(turn=blank).exists()
    assert Drawing.objects.count() == 2


def test_without_marks_for_each_stroke_the_replay_spreads_them_over_the_turn():
    ops = [*stroke(1, 0, 0, 10, 10), *stroke(2, 0, 0, 5, 5)]
    # The pace was lost: only the end of the turn (30 s) is known.
    times = saving.op_times(ops, [[6, 30_000]])
    assert times == [5_000, 10_000, 15_000, 20_000, 25_000, 30_000]
