"""The rooms' HTTP API (docs/protocol.md §1), custom words and word pack loading."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from game.models import Player, Room, Word, WordPack
from game.words import parse_custom_words

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body) -> tuple[int, dict]:
    response = client.post(path, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_creating_a_room_seats_the_creator_as_host(client):
    status, body = post(
        client, "/api/rooms", {"rounds": 5, "custom_words": "사과, 바나나 ,고양이", "public": False}
    )
    assert status == 201
    room = body["room"]
    assert len(room["code"]) == 12
    assert room["settings"]["rounds"] == 5
    assert room["settings"]["custom_words"] == ["사과", "바나나", "고양이"]
    assert room["settings"]["language"] == "ko"
    assert room["websocket"] == f"/ws/rooms/{room['code']}/"
    [host] = room["players"]
    assert host["is_host"] is True and host["connected"] is False
    assert client.get(f"/api/rooms/{room['code']}").json()["code"] == room["code"]


def test_custom_words_are_not_shown_to_anyone_but_the_host(client):
    status, body = post(client, "/api/rooms", {"custom_words": "사과, 바나나", "public": True})
    assert status == 201
    listed = Client().get(f"/api/rooms/{body['room']['code']}").json()["settings"]
    assert listed["custom_words"] == []
    assert listed["custom_word_count"] == 2


def test_room_settings_are_validated_field_by_field(client):
    status, body = post(
        client,
        "/api/rooms",
        {
            "max_players": 13,
            "rounds": 0,
            "draw_time": 20,
            "word_choices": "many",
            "language": "fr",
            "hints": "yes",
            "packs": ["no-such-pack"],
            "custom_words": "사과, 사과",
            "ai_difficulty": "godlike",
            "colour": "red",
        },
    )
    assert status == 400
    assert set(body["errors"]) == {
        "max_players",
        "rounds",
        "draw_time",
        "word_choices",
        "language",
        "hints",
        "packs",
        "custom_words",
        "ai_difficulty",
        "colour",
    }
    assert body["errors"]["custom_words"][0]["code"] == "duplicate"
    assert not Room.objects.exists()
    status, body = post(client, "/api/rooms", [1, 2])
    assert (status, body["errors"]["__all__"][0]["code"]) == (400, "bad_json")


def test_creating_a_room_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/rooms", "{}", content_type="application/json")
    assert response.status_code == 403
    client.get("/api/me")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/rooms", "{}", content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201


def test_the_room_language_defaults_to_the_request_language(client):
    response = client.post(
        "/api/rooms", "{}", content_type="application/json", headers={"Accept-Language": "en"}
    )
    assert response.json()["room"]["settings"]["language"] == "en"


def test_the_lobby_lists_public_rooms_with_someone_connected(client):
    _, public = post(client, "/api/rooms", {})
    _, private = post(client, "/api/rooms", {"public": False})
    assert client.get("/api/rooms").json() == {"rooms": []}
    Player.objects.update(connection_id="live")
    [listed] = client.get("/api/rooms").json()["rooms"]
    assert listed["code"] == public["room"]["code"]
    assert (listed["players"], listed["max_players"], listed["phase"]) == (1, 8, "lobby")
    assert private["room"]["code"] not in json.dumps(client.get("/api/rooms").json())


def test_unknown_room_is_404(client):
    response = client.get("/api/rooms/nosuchroom12")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_guests_choose_a_nickname(client):
    status, body = post(client, "/api/nickname", {"nickname": "  그림  왕  "})
    assert (status, body) == (200, {"name": "그림 왕"})
    assert client.get("/api/me").json() == {"name": "그림 왕", "is_guest": True, "user_id": None}
    status, body = post(client, "/api/nickname", {"nickname": "x" * 21})
    assert status == 400 and body["errors"]["nickname"][0]["code"] == "too_long"


def test_word_packs_are_listed_per_language(client):
    packs = client.get("/api/wordpacks?language=ko").json()["packs"]
    assert [(p["slug"], p["words"]) for p in packs] == [("quickdraw-ko", 345)]


# --- custom words ---------------------------------------------------------------------


def test_custom_words_are_cleaned_and_checked():
    assert parse_custom_words(" 사과 ,바나나,, 핫  도그\n고양이 ") == [
        "사과",
        "바나나",
        "핫 도그",
        "고양이",
    ]
    with pytest.raises(ValidationError) as errors:
        parse_custom_words(["사과", "사 과", "a" * 31, "bad\x07", "!!!"])
    codes = [error.code for error in errors.value.error_list]
    assert codes == ["duplicate", "too_long", "control", "invalid"]
    with pytest.raises(ValidationError) as errors:
        parse_custom_words([f"word{n}" for n in range(201)])
    assert errors.value.error_list[0].code == "too_many"


def test_custom_words_only_needs_enough_words(client):
    status, body = post(client, "/api/rooms", {"custom_words": "사과", "custom_words_only": True})
    assert status == 400 and body["errors"]["custom_words"][0]["code"] == "too_few"


def test_a_custom_word_that_is_a_known_word_gets_its_category():
    from game.words import custom_candidates

    room = Room.objects.create(custom_words=["고양이", "우리집 강아지"])
    cat, dog = custom_candidates(room)
    assert (cat.text, cat.category) == ("고양이", "cat")
    assert (dog.text, dog.category, dog.word_id) == ("우리집 강아지", "", None)


# --- word packs -----------------------------------------------------------------------


def test_the_builtin_packs_cover_every_quickdraw_category():
    for language in ("ko", "en"):
        pack = WordPack.objects.get(language=language, builtin=True)
        assert pack.words.exclude(category="").values("category").distinct().count() == 345


def test_load_wordpacks_is_idempotent_and_restores_edits(capsys):
    word = Word.objects.get(pack__slug="quickdraw-ko", category="cat")
    word.synonyms = []
    word.save()
    Word.objects.filter(pack__slug="quickdraw-en", category="dog").delete()
    call_command("load_wordpacks")
    out = capsys.readouterr().out
    assert "quickdraw-ko: 0 added, 1 updated, 0 removed" in out
    assert "quickdraw-en: 1 added, 0 updated, 0 removed" in out
    call_command("load_wordpacks")
    assert "0 added, 0 updated, 0 removed" in capsys.readouterr().out


def test_load_wordpacks_from_a_file(tmp_path, capsys):
    pack = {
        "name": "동물",
        "slug": "animals-ko",
        "language": "ko",
        "description": "동물만",
        "words": [
            {"category": "cat", "word": "야옹이", "synonyms": [], "difficulty": 1},
            {"category": "dog", "word": "멍멍이", "synonyms": ["강아지"], "difficulty": 1},
        ],
    }
    path = tmp_path / "animals.json"
    path.write_text(json.dumps(pack, ensure_ascii=False), encoding="utf-8")
    call_command("load_wordpacks", "--file", str(path))
    assert "animals-ko: 2 added" in capsys.readouterr().out
    assert WordPack.objects.get(slug="animals-ko").builtin is False


def test_load_wordpacks_refuses_bad_files_clearly(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_wordpacks", "--file", str(broken))
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"name": "x", "slug": "Bad Slug", "words": []}))
    with pytest.raises(CommandError, match="slug"):
        call_command("load_wordpacks", "--file", str(invalid))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load_wordpacks", "--file", str(tmp_path / "missing.json"))


def test_reading_a_room_advances_an_expired_phase(client):
    from game import actions, clock
    from tests.game_support import make_guest

    clock.reset()
    clock.freeze()
    try:
        host, guest = make_guest("호스트")[1], make_guest("손님")[1]
        room = actions.create_room(host, {"custom_words": ["사과"], "word_choices": 1}, "ko")
        host_id = actions.connect(room.pk, host, "c1").player_id
        actions.connect(room.pk, guest, "c2")
        actions.start(room.pk, host_id)
        clock.shift(16)  # nobody chose a word in time, and no process is awake to notice
        info = client.get(f"/api/rooms/{room.code}").json()
        assert info["phase"] == "drawing"
    finally:
        clock.reset()


def test_signed_in_players_show_their_avatar_and_guests_none(client, django_user_model):
    from accounts.identity import Identity
    from accounts.profiles import ensure_profile
    from game import actions

    user = django_user_model.objects.create_user("minji")
    profile = ensure_profile(user, "민지")
    status, body = post(client, "/api/rooms", {"public": True})
    room = Room.objects.get(code=body["room"]["code"])
    actions.connect(room.pk, Identity(user_id=user.pk, guest_id=None, name="민지"), "conn-1")

    players = {p["name"]: p for p in client.get(f"/api/rooms/{room.code}").json()["players"]}
    assert players["민지"]["badge"] == {
        "color": profile.avatar_color,
        "emoji": profile.avatar_emoji,
    }
    [guest] = [p for name, p in players.items() if name != "민지"]
    assert guest["badge"] is None
