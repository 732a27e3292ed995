"""Operators see every AI call, totals per day, and which rooms fell back to the local model."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from game.ai.records import AICall, AIRoomState
from game.models import Room
from tests.ai.conftest import seat_ai_turn

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_client):
    """The admin in English (the site defaults to Korean)."""
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return admin_client


@pytest.fixture
def calls():
    room, turn, _, _ = seat_ai_turn(backend="openai")
    now = timezone.now()
    yesterday = now - dt.timedelta(days=1)
    rows = [
        ("openai", "ok", 900, 120, 30, now),
        ("openai", "timeout", 4000, None, None, now),
        ("openai", "over_budget", 0, None, None, now),
        ("local", "ok", 2, None, None, now),
        ("openai", "refused", 700, 100, 5, yesterday),
    ]
    for backend, outcome, latency, prompt, completion, created in rows:
        AICall.objects.create(
            room=room,
            turn=turn,
            backend=backend,
            model="gpt-4o-mini" if backend == "openai" else "sketch.onnx",
            outcome=outcome,
            latency_ms=latency,
            prompt_tokens=prompt,
            completion_tokens=completion,
            guesses=[{"word": "고양이", "confidence": 0.8}] if outcome == "ok" else [],
            created=created,
        )
    return room


def test_the_ai_calls_are_listed_with_filters_and_a_date_hierarchy(admin_client, calls):
    url = reverse("admin:game_aicall_changelist")
    page = admin_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "고양이 (80%)" in text
    assert reverse("admin:game_aicall_totals") in text
    assert admin_client.get(url, {"outcome": "timeout"}).context["cl"].result_count == 1
    today = timezone.localdate()
    by_day = admin_client.get(
        url, {"created__year": today.year, "created__month": today.month, "created__day": today.day}
    )
    assert by_day.context["cl"].result_count == 4


def test_totals_per_day_count_outcomes_latency_and_tokens(admin_client, calls):
    page = admin_client.get(reverse("admin:game_aicall_totals"))
    assert page.status_code == 200
    rows = {(r["day"], r["backend"]): r for r in page.context["rows"]}
    today = timezone.localdate()
    paid = rows[(today, "openai")]
    assert (paid["calls"], paid["ok"], paid["timeout"], paid["over_budget"]) == (3, 1, 1, 1)
    assert paid["avg_latency"] == (900 + 4000) // 2  # a call skipped for the budget took no time
    assert paid["tokens"] == 150
    assert rows[(today, "local")]["calls"] == 1
    assert rows[(today - dt.timedelta(days=1), "openai")]["refused"] == 1


def test_the_totals_action_sums_only_the_selected_calls(admin_client, calls):
    chosen = list(AICall.objects.filter(backend="local").values_list("pk", flat=True))
    page = admin_client.post(
        reverse("admin:game_aicall_changelist"),
        {"action": "show_totals", "_selected_action": chosen},
    )
    assert page.status_code == 200
    assert [(r["backend"], r["calls"]) for r in page.context["rows"]] == [("local", 1)]


def test_a_room_over_budget_says_so_in_the_room_list_and_the_ai_seats(admin_client, calls):
    AIRoomState.objects.create(
        room=calls, backend="local", fallback="over_budget", fallback_since=timezone.now()
    )
    rooms = admin_client.get(reverse("admin:game_room_changelist")).content.decode()
    assert "over budget: local model" in rooms
    seats = admin_client.get(reverse("admin:game_airoomstate_changelist")).content.decode()
    assert "over budget: local model" in seats
    assert admin_client.get(reverse("admin:game_room_change", args=[calls.pk])).status_code == 200


def test_old_ai_call_records_can_be_pruned(calls):
    from io import StringIO

    from django.core.management import call_command

    AICall.objects.filter(outcome="refused").update(created=timezone.now() - dt.timedelta(days=31))
    out = StringIO()
    call_command("prune_ai_calls", "--days", "30", stdout=out)
    assert "deleted 1 " in out.getvalue()
    assert AICall.objects.count() == 4


def _room_list_queries(admin_client, rooms: int) -> tuple[int, str]:
    for index in range(rooms - Room.objects.count()):
        room = Room.objects.create(ai_enabled=index % 3 != 2, ai_backend="openai")
        if index % 3 == 0:
            AIRoomState.objects.create(
                room=room, backend="local", fallback="over_budget", fallback_since=timezone.now()
            )
        elif index % 3 == 1:
            AIRoomState.objects.create(room=room, backend="openai")
    url = reverse("admin:game_room_changelist")
    admin_client.get(url)  # the session, content types and so on are warm from here on
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(url)
    assert page.status_code == 200
    assert page.context["cl"].result_count == rooms
    return len(queries), page.content.decode()


def test_the_room_list_reads_every_ai_seat_in_the_same_query_count(admin_client):
    few, text = _room_list_queries(admin_client, 2)
    assert text.count("over budget: local model") == 1
    many, text = _room_list_queries(admin_client, 10)
    assert text.count("over budget: local model") == 4
    assert many == few, (few, many)
